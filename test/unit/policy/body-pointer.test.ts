import { describe, expect, it } from 'vitest';
import { compileBodyCondition } from '../../../src/policy/body.js';
import { bodyEvidence, compileBodyWitness, pointerOfPath, sourcePointer } from '../../../src/policy/body-pointer.js';
import type { BodyConditionDocument } from '../../../src/policy/document.js';
import { evaluate, type RequestFacts } from '../../../src/policy/evaluate.js';
import { inspectBody } from '../../../src/inspect/index.js';
import type { EndpointId } from '../../../src/request/endpoints.js';
import type { BodyView } from '../../../src/inspect/body-view.js';
import { policyFromYaml } from '../../helpers/proxy.js';

const CREATE: RequestFacts = { method: 'POST', path: '/containers/create', endpoint: 'containers.create', query: new Map() };

function viewOf(endpoint: EndpointId, body: unknown): BodyView {
  const r = inspectBody(endpoint, Buffer.from(JSON.stringify(body)));
  if (!r.ok) throw new Error(`${r.pointer}: ${r.message}`);
  return r.view;
}

const evidence = (conditions: BodyConditionDocument[], view: BodyView): string[] | null => bodyEvidence(conditions.map(compileBodyWitness), view);

describe('body evidence (JSON pointers of the deciding fields)', () => {
  it('points at the bind that matched a deny rule quantifying over HostConfig.Binds', () => {
    const view = viewOf('containers.create', { Image: 'busybox', HostConfig: { Binds: ['/etc:/x', '/srv/ok:/y'] } });
    expect(evidence([{ path: 'HostConfig.Binds', any: [{ path: '', equals: '/etc:/x' }] }], view)).toEqual(['/HostConfig/Binds/0']);
  });

  it('points at every element an `any` matched, in order', () => {
    const view = viewOf('containers.create', { Image: 'busybox', HostConfig: { Binds: ['/srv/ok:/a', '/etc:/x', '/root:/y'] } });
    expect(evidence([{ path: 'HostConfig.Binds', any: [{ path: '', oneOf: ['/etc:/x', '/root:/y'] }] }], view)).toEqual(['/HostConfig/Binds/1', '/HostConfig/Binds/2']);
  });

  it('translates $facts.hostPaths elements to the body field each host path came from', () => {
    const view = viewOf('containers.create', {
      Image: 'busybox',
      HostConfig: {
        Binds: ['named:/data', '/srv:/srv'],
        Mounts: [{ Type: 'bind', Source: '/etc', Target: '/e' }],
        Devices: [{ PathOnHost: '/dev/kmsg', PathInContainer: '/dev/kmsg', CgroupPermissions: 'r' }],
      },
    });
    const cond = (prefix: string): BodyConditionDocument[] => [{ path: '$facts.hostPaths', any: [{ path: '', pathPrefix: [prefix] }] }];
    expect(evidence(cond('/srv'), view)).toEqual(['/HostConfig/Binds/1']);
    expect(evidence(cond('/etc'), view)).toEqual(['/HostConfig/Mounts/0/Source']);
    expect(evidence(cond('/dev'), view)).toEqual(['/HostConfig/Devices/0/PathOnHost']);
  });

  it('points a test of a whole fact list at the field of every element (untrusted-create: host paths may not be mounted)', () => {
    const view = viewOf('containers.create', { Image: 'busybox', HostConfig: { Binds: ['/srv:/srv', 'named:/n', '/etc:/e'] } });
    expect(evidence([{ path: '$facts.hostPaths', exists: true }], view)).toEqual(['/HostConfig/Binds/0', '/HostConfig/Binds/2']);
    const none = viewOf('containers.create', { Image: 'busybox' });
    expect(evidence([{ path: '$facts.hostPaths', exists: false }], none)).toEqual(['/$facts/hostPaths']);
  });

  it('translates host paths of volume driver options and service mounts', () => {
    const volume = viewOf('volumes.create', { Name: 'v', Driver: 'local', DriverOpts: { type: 'none', o: 'bind', device: '/etc' } });
    expect(evidence([{ path: '$facts.hostPaths', any: [{ path: '', pathPrefix: ['/etc'] }] }], volume)).toEqual(['/DriverOpts/device']);
    const service = viewOf('services.create', { Name: 's', TaskTemplate: { ContainerSpec: { Image: 'busybox', Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }] } } });
    expect(evidence([{ path: '$facts.hostPaths', any: [{ path: '', pathPrefix: ['/'] }] }], service)).toEqual(['/TaskTemplate/ContainerSpec/Mounts/0/Source']);
  });

  it('keeps /$facts/<name>/<N> when the source of a fact is not known', () => {
    const view: BodyView = { value: {}, facts: { hostPaths: ['/etc'] } };
    expect(evidence([{ path: '$facts.hostPaths', any: [{ path: '', pathPrefix: ['/etc'] }] }], view)).toEqual(['/$facts/hostPaths/0']);
    expect(sourcePointer({ value: {}, facts: {}, factPointers: { hostPaths: ['/A/0'] } }, '/$facts/hostPaths/0/x')).toBe('/A/0/x');
  });

  it('points at the field a value test read, including the fields of every condition of the rule', () => {
    const view = viewOf('containers.create', { Image: 'busybox', HostConfig: { Privileged: true, NetworkMode: 'host' } });
    expect(
      evidence(
        [
          { path: 'HostConfig.Privileged', equals: true },
          { path: 'HostConfig.NetworkMode', oneOf: ['host'] },
        ],
        view,
      ),
    ).toEqual(['/HostConfig/Privileged', '/HostConfig/NetworkMode']);
  });

  it('points at the list itself for `all` and `none`, which hold because of the whole list', () => {
    const view = viewOf('containers.create', { Image: 'busybox', HostConfig: { Binds: ['/srv/a:/a'] } });
    expect(evidence([{ path: 'HostConfig.Binds', all: [{ path: '', pathPrefix: ['/srv'] }] }], view)).toEqual(['/HostConfig/Binds']);
    expect(evidence([{ path: 'HostConfig.Binds', none: [{ path: '', equals: '/etc:/x' }] }], view)).toEqual(['/HostConfig/Binds']);
  });

  it('points into map values by key, escaping "/" and "~" as RFC 6901 requires', () => {
    const view = viewOf('containers.create', { Image: 'busybox', Labels: { 'a/b~c': 'bad', ok: 'fine' } });
    expect(evidence([{ path: 'Labels', any: [{ path: '', equals: 'bad' }] }], view)).toEqual(['/Labels/a~1b~0c']);
    expect(pointerOfPath('/x', 'a.b')).toBe('/x/a/b');
    expect(pointerOfPath('/x', '')).toBe('/x');
    expect(pointerOfPath('/x', '$facts.hostPaths')).toBe('/$facts/hostPaths');
  });

  it('reports no evidence exactly when the compiled predicate does not hold', () => {
    const bodies = [
      { Image: 'busybox' },
      { Image: 'busybox', HostConfig: { Binds: [] } },
      { Image: 'busybox', HostConfig: { Binds: ['/etc:/x'], Privileged: false } },
      { Image: 'busybox', HostConfig: { Binds: ['/srv:/x', 'v:/y'], Privileged: true, Memory: 1024 } },
    ];
    const conditions: BodyConditionDocument[] = [
      { path: 'HostConfig.Privileged', equals: true },
      { path: 'HostConfig.Privileged', exists: false },
      { path: 'HostConfig.Binds', isNull: true },
      { path: 'HostConfig.Memory', gte: 1 },
      { path: 'HostConfig.Binds', any: [{ path: '', equals: '/etc:/x' }] },
      { path: 'HostConfig.Binds', all: [{ path: '', glob: '/**' }] },
      { path: 'HostConfig.Binds', none: [{ path: '', equals: '/etc:/x' }] },
      { path: '$facts.volumes', any: [{ path: '', equals: 'v' }] },
      { path: '$facts.hostPaths', all: [{ path: '', pathPrefix: ['/srv'] }] },
    ];
    for (const body of bodies) {
      const view = viewOf('containers.create', body);
      for (const c of conditions) {
        const holds = compileBodyCondition(c)(view, view.value);
        const found = compileBodyWitness(c)(view, view.value, '');
        expect(found !== null, `${JSON.stringify(c)} on ${JSON.stringify(body)}`).toBe(holds);
      }
    }
  });
});

describe('evaluate() with body evidence', () => {
  const POLICY = policyFromYaml(`version: 1
default: allow
rules:
  - id: deny-etc
    effect: deny
    endpoints: [containers.create]
    body:
      - path: HostConfig.Binds
        any:
          - path: ''
            equals: '/etc:/x'
  - id: deny-host-paths
    effect: deny
    endpoints: [containers.create]
    body:
      - path: $facts.hostPaths
        any:
          - path: ''
            pathPrefix: [/root, /var/run]
`);

  it('names the bind of the deciding deny rule as bodyPointer', () => {
    const d = evaluate(POLICY, CREATE, viewOf('containers.create', { Image: 'busybox', HostConfig: { Binds: ['/etc:/x'] } }));
    expect(d).toMatchObject({ effect: 'deny', ruleId: 'deny-etc', bodyPointer: '/HostConfig/Binds/0' });
    expect(d.bodyPointers).toBeUndefined();
  });

  it('lists every field in bodyPointers when several made the rule match', () => {
    const d = evaluate(POLICY, CREATE, viewOf('containers.create', { Image: 'busybox', HostConfig: { Binds: ['/root:/r'], Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/s' }] } }));
    expect(d).toMatchObject({ ruleId: 'deny-host-paths', bodyPointer: '/HostConfig/Binds/0', bodyPointers: ['/HostConfig/Binds/0', '/HostConfig/Mounts/0/Source'] });
  });

  it('has no bodyPointer when the default or a rule without body conditions decides', () => {
    const d = evaluate(POLICY, CREATE, viewOf('containers.create', { Image: 'busybox' }));
    expect(d.ruleId).toBeNull();
    expect(d.bodyPointer).toBeUndefined();
  });
});
