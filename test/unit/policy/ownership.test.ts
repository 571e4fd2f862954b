import { describe, expect, it } from 'vitest';
import { admit, admitBody, admitCreateLookups, admitRefs, isAllowed, type Admission } from '../../../src/gate.js';
import type { ResolvedRef } from '../../../src/inspect/engine-answers.js';

/** A container create's image lookup, answered with an image without labels (and new volumes). */
const withPlainImage = (a: Admission): Admission =>
  a.imageLookup === undefined && a.volumeLookups === undefined ? a : admitCreateLookups(OWNING, a, { volumes: (a.volumeLookups ?? []).map((name) => ({ name, ok: true, exists: false })), image: { ok: true, exists: true, labels: {} } });
import { bodyReferences } from '../../../src/inspect/references.js';
import { setTopLevelMember } from '../../../src/inspect/rewrite.js';
import { bindOwner, OWNER_LABEL, reservedLabelIn, reservedLabelInQuery, withoutInheritedLabels } from '../../../src/policy/ownership.js';
import { ALLOW_ALL, policyFromYaml, SCOPED_TO_WEB } from '../../helpers/proxy.js';

const OWNING = bindOwner(
  policyFromYaml(`version: 1
ownership: true
default: allow
rules: []
`),
  'ci',
);
const SCOPED = SCOPED_TO_WEB;

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const post = (target: string, body: Buffer) => ({ method: 'POST', target, headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, upgrade: false });

describe('setTopLevelMember', () => {
  it('replaces the one member in place and keeps every other byte, numbers included', () => {
    const text = '{"Image":"x", "Memory": 9007199254740993,"Labels":{"a":"1"} ,"Cmd":["\\u0041"]}';
    expect(setTopLevelMember(text, 'Labels', { b: '2' })).toBe('{"Image":"x", "Memory": 9007199254740993,"Labels":{"b":"2"} ,"Cmd":["\\u0041"]}');
  });

  it('adds the member first when absent, and reads an empty body as {}', () => {
    expect(setTopLevelMember(' {"Image":"x"}', 'Labels', {})).toBe(' {"Labels":{},"Image":"x"}');
    expect(setTopLevelMember('{}', 'Labels', { a: 'b' })).toBe('{"Labels":{"a":"b"}}');
    expect(setTopLevelMember('', 'Labels', { a: 'b' })).toBe('{"Labels":{"a":"b"}}');
  });

  it('is not fooled by braces and quotes inside strings', () => {
    const text = '{"Cmd":["}\\"{","Labels"],"Labels":null}';
    expect(setTopLevelMember(text, 'Labels', { k: 'v' })).toBe('{"Cmd":["}\\"{","Labels"],"Labels":{"k":"v"}}');
  });
});

describe('reserved labels', () => {
  it('are found wherever a body puts labels on an object', () => {
    expect(reservedLabelIn('containers.create', { Labels: { 'io.sockgate.owner': 'x' } })).toEqual({ pointer: '/Labels/io.sockgate.owner', label: 'io.sockgate.owner' });
    expect(reservedLabelIn('containers.create', { HostConfig: { Mounts: [{}, { VolumeOptions: { Labels: { 'io.sockgate.x': '' } } }] } })?.pointer).toBe('/HostConfig/Mounts/1/VolumeOptions/Labels/io.sockgate.x');
    expect(reservedLabelIn('services.create', { TaskTemplate: { ContainerSpec: { Labels: { 'io.sockgate.owner': 'a' } } } })?.pointer).toBe('/TaskTemplate/ContainerSpec/Labels/io.sockgate.owner');
    expect(reservedLabelIn('volumes.create', { Labels: { 'io.sockgatex': 'a', 'com.example': 'b' } })).toBeNull();
  });

  it('are found in build labels and in commit/import changes, however quoted', () => {
    expect(reservedLabelInQuery('images.build', new Map([['labels', ['{"io.sockgate.owner":"a"}']]]))).not.toBeNull();
    expect(reservedLabelInQuery('images.build', new Map([['labels', ['{"io\\u002esockgate.owner":"a"}']]]))).not.toBeNull();
    expect(reservedLabelInQuery('images.build', new Map([['labels', ['{"ok":"a"}']]]))).toBeNull();
    expect(reservedLabelInQuery('images.commit', new Map([['changes', ['LABEL "io.sock\\gate.owner"=a']]]))).not.toBeNull();
    expect(reservedLabelInQuery('images.commit', new Map([['changes', ['LABEL x=$Y']]]))).not.toBeNull();
    expect(reservedLabelInQuery('images.commit', new Map([['changes', ['CMD ["sh"]']]]))).toBeNull();
  });

  it('are refused in learn mode too, even where the rules deny (learn mode forwards those)', () => {
    const learning = policyFromYaml('version: 1\nmode: audit\nrules: []\n');
    const body = json({ Image: 'x', Labels: { 'io.sockgate.owner': 'ci' } });
    const pending = admit(learning, post('/containers/create', body));
    expect(pending.needsBody).toBe(true);
    expect(admitBody(learning, pending, body, '1.41').code).toBe('SOCKGATE_DENY_RESERVED_LABEL');
  });

  it('are refused in every profile, even allow-all', () => {
    const body = json({ Image: 'x', Labels: { 'io.sockgate.owner': 'ci' } });
    const a = admitBody(ALLOW_ALL, admit(ALLOW_ALL, post('/containers/create', body)), body, '1.41');
    expect(a).toMatchObject({ code: 'SOCKGATE_DENY_RESERVED_LABEL', status: 403 });
    expect(admit(ALLOW_ALL, post('/build?labels=%7B%22io.sockgate.owner%22%3A%22ci%22%7D', Buffer.alloc(0))).code).toBe('SOCKGATE_DENY_RESERVED_LABEL');
  });
});

describe('ownership mode', () => {
  it('writes the owner label over what the client sent, and forwards the body it checked', () => {
    const body = Buffer.from('{"Image":"x","Cmd":["true"],"Labels":{"a":"1","io.sockgate.owner":"other"}}');
    const a = withPlainImage(admitBody(OWNING, admit(OWNING, post('/v1.41/containers/create', body)), body, '1.41'));
    expect(isAllowed(a)).toBe(true);
    const sent = JSON.parse(Buffer.from(a.forwardBody!).toString('utf8')) as { Labels: Record<string, string> };
    expect(sent.Labels).toEqual({ a: '1', [OWNER_LABEL]: 'ci' });
  });

  it('labels a volume created with an empty body', () => {
    const a = admitBody(OWNING, admit(OWNING, post('/volumes/create', Buffer.alloc(0))), Buffer.alloc(0), '1.41');
    expect(Buffer.from(a.forwardBody!).toString()).toBe('{"Labels":{"io.sockgate.owner":"ci"}}');
  });

  it('refuses prune and disk usage, which sweep objects it does not own', () => {
    for (const t of ['/containers/prune', '/volumes/prune', '/networks/prune']) expect(admit(OWNING, post(t, Buffer.alloc(0))).code).toBe('SOCKGATE_DENY_NOT_OWNED');
    expect(admit(OWNING, { method: 'GET', target: '/system/df', headers: {}, upgrade: false }).code).toBe('SOCKGATE_DENY_NOT_OWNED');
    expect(admit(SCOPED, post('/containers/prune', Buffer.alloc(0))).code).toBe('SOCKGATE_DENY_NOT_OWNED');
    expect(admit(SCOPED, post('/volumes/prune', Buffer.alloc(0))).code).toBeNull();
  });

  it('must see every container, volume and network a create names', () => {
    const body = json({
      Image: 'x',
      HostConfig: { VolumesFrom: ['a:ro'], NetworkMode: 'container:b', PidMode: 'container:c', Binds: ['vol:/d', '/host:/h'], Mounts: [{ Type: 'volume', Source: 'v2', Target: '/v' }], Links: ['/e:alias'] },
      NetworkingConfig: { EndpointsConfig: { mynet: {}, bridge: {} } },
    });
    const a = withPlainImage(admitBody(OWNING, admit(OWNING, post('/containers/create', body)), body, '1.41'));
    expect(isAllowed(a)).toBe(false);
    expect(a.refs?.map((r) => `${r.kind}:${r.ref}@${r.pointer}`)).toEqual([
      'container:b@/HostConfig/NetworkMode',
      'container:c@/HostConfig/PidMode',
      'container:a@/HostConfig/VolumesFrom/0',
      'container:e@/HostConfig/Links/0',
      'volume:vol@/HostConfig/Binds/0',
      'volume:v2@/HostConfig/Mounts/0/Source',
      'network:mynet@/NetworkingConfig/EndpointsConfig/mynet',
    ]);
    const owned = { image: '', labels: { [OWNER_LABEL]: 'ci' } };
    const all: ResolvedRef[] = a.refs!.map((ref) => ({ ok: true, ref, facts: { kind: ref.kind, id: 'f'.repeat(64), name: ref.ref, ...owned } }));
    expect(isAllowed(admitRefs(OWNING, a, all))).toBe(true);
    const oneForeign = all.map((r, i) => (i === 4 && r.ok ? { ...r, facts: { ...r.facts, labels: { [OWNER_LABEL]: 'web' } } } : r));
    expect(admitRefs(OWNING, a, oneForeign)).toMatchObject({ code: 'SOCKGATE_DENY_NOT_OWNED', status: 403 });
    const missing = all.map((r, i) => (i === 0 ? { ok: false as const, ref: r.ref, reason: 'no such container: b' } : r));
    expect(admitRefs(OWNING, a, missing).code).toBe('SOCKGATE_DENY_NOT_OWNED');
  });

  it('answers 404 in the engine words for a volume or network in the path it does not own', () => {
    const a = admit(OWNING, { method: 'GET', target: '/volumes/theirs', headers: {}, upgrade: false });
    expect(a.refs).toEqual([{ kind: 'volume', ref: 'theirs', pointer: '' }]);
    const denied = admitRefs(OWNING, a, [{ ok: true, ref: a.refs![0]!, facts: { kind: 'volume', id: 'theirs', name: 'theirs', image: '', labels: {} } }]);
    expect(denied).toMatchObject({ code: 'SOCKGATE_DENY_OUT_OF_SCOPE', status: 404, decision: { reason: 'get theirs: no such volume' } });
    const n = admit(OWNING, { method: 'DELETE', target: '/networks/bridge', headers: {}, upgrade: false });
    const shared = admitRefs(OWNING, n, [{ ok: true, ref: n.refs![0]!, facts: { kind: 'network', id: 'b'.repeat(64), name: 'bridge', image: '', labels: {} } }]);
    expect(shared).toMatchObject({ code: null, pathObjectId: 'b'.repeat(64) });
  });
});

describe('a build through an owning profile', () => {
  it('must see the network or container its RUN steps join (networkmode), as a create must', () => {
    expect(admit(OWNING, post('/build?networkmode=othernet', Buffer.alloc(0))).refs).toEqual([{ kind: 'network', ref: 'othernet', pointer: '?networkmode' }]);
    expect(admit(OWNING, post('/build?networkmode=container:db', Buffer.alloc(0))).refs).toEqual([{ kind: 'container', ref: 'db', pointer: '?networkmode' }]);
    for (const mode of ['none', 'default', 'bridge']) expect(admit(OWNING, post(`/build?networkmode=${mode}`, Buffer.alloc(0))).refs).toBeUndefined();
  });
});

describe('a scoped profile', () => {
  it('checks the containers a body or commit names, but not volumes and networks', () => {
    const body = json({ Image: 'x', HostConfig: { VolumesFrom: ['db'], Binds: ['vol:/d'] } });
    const a = admitBody(SCOPED, admit(SCOPED, post('/containers/create', body)), body, '1.41');
    expect(a.refs).toEqual([{ kind: 'container', ref: 'db', pointer: '/HostConfig/VolumesFrom/0' }]);
    expect(admit(SCOPED, post('/commit?container=db', Buffer.alloc(0))).refs).toEqual([{ kind: 'container', ref: 'db', pointer: '?container' }]);
    expect(bodyReferences('networks.connect', { Container: 'db' })).toEqual([{ kind: 'container', ref: 'db', pointer: '/Container' }]);
    expect(admit(SCOPED, post('/build?networkmode=container:db', Buffer.alloc(0))).refs).toEqual([{ kind: 'container', ref: 'db', pointer: '?networkmode' }]);
  });

  it('finds the network an endpoint\'s NetworkID names, which the engine attaches to in place of the one it is keyed by', () => {
    // daemon/container_operations.go getNetworkID: NetworkID wins for a user-defined network.
    expect(bodyReferences('containers.create', { NetworkingConfig: { EndpointsConfig: { mine: { NetworkID: 'theirs' } } } })).toEqual([
      { kind: 'network', ref: 'mine', pointer: '/NetworkingConfig/EndpointsConfig/mine' },
      { kind: 'network', ref: 'theirs', pointer: '/NetworkingConfig/EndpointsConfig/mine/NetworkID' },
    ]);
    // For a predefined network the engine uses the name and ignores NetworkID.
    expect(bodyReferences('containers.create', { NetworkingConfig: { EndpointsConfig: { bridge: { NetworkID: 'theirs' } } } })).toEqual([]);
    expect(bodyReferences('networks.connect', { Container: 'job', EndpointConfig: { NetworkID: 'theirs' } })).toEqual([
      { kind: 'container', ref: 'job', pointer: '/Container' },
      { kind: 'network', ref: 'theirs', pointer: '/EndpointConfig/NetworkID' },
    ]);
  });

  it('reads a container reference with a leading "/" as a reference (the engine resolves /name as name)', () => {
    expect(bodyReferences('containers.create', { HostConfig: { NetworkMode: 'container:/db', IpcMode: 'container:/db', PidMode: 'container:3f2a' } })).toEqual([
      { kind: 'container', ref: '/db', pointer: '/HostConfig/NetworkMode' },
      { kind: 'container', ref: '3f2a', pointer: '/HostConfig/PidMode' },
      { kind: 'container', ref: '/db', pointer: '/HostConfig/IpcMode' },
    ]);
    expect(admit(OWNING, post('/build?networkmode=container:%2Fdb', Buffer.alloc(0))).refs).toEqual([{ kind: 'container', ref: '/db', pointer: '?networkmode' }]);
  });

  it('finds containers named by endpoint links, and the config-only network a network is made from', () => {
    expect(bodyReferences('containers.create', { NetworkingConfig: { EndpointsConfig: { 'a/b': { Links: ['/db:alias'] } } } })).toEqual([
      { kind: 'network', ref: 'a/b', pointer: '/NetworkingConfig/EndpointsConfig/a~1b' },
      { kind: 'container', ref: 'db', pointer: '/NetworkingConfig/EndpointsConfig/a~1b/Links/0' },
    ]);
    expect(bodyReferences('networks.connect', { Container: 'c', EndpointConfig: { Links: ['db:x'] } })[1]).toEqual({ kind: 'container', ref: 'db', pointer: '/EndpointConfig/Links/0' });
    expect(bodyReferences('networks.create', { Name: 'n', ConfigFrom: { Network: 'theirs' } })).toEqual([{ kind: 'network', ref: 'theirs', pointer: '/ConfigFrom/Network' }]);
  });
});

describe('owner labels inherited from an image', () => {
  it('are not ownership: a container whose image carries reserved labels keeps none of them', () => {
    const labels = { [OWNER_LABEL]: 'ci', 'io.sockgate.profile': 'x', tier: 'web' };
    expect(withoutInheritedLabels(labels, true)).toEqual({ tier: 'web' });
    expect(withoutInheritedLabels(labels, false)).toBe(labels);
  });
});
