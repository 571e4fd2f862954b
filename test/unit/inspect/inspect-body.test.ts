import { describe, expect, it } from 'vitest';
import { hostConfigFacts, parseBind, serviceSpecFacts, volumeCreateFacts } from '../../../src/inspect/facts.js';
import { inspectBody } from '../../../src/inspect/index.js';
import type { EndpointId } from '../../../src/request/endpoints.js';

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const view = (endpoint: EndpointId, body: string) => {
  const r = inspectBody(endpoint, enc(body));
  if (!r.ok) throw new Error(`refused: ${r.pointer} ${r.message}`);
  return r.view;
};
const refusal = (endpoint: EndpointId, body: string | Uint8Array) => {
  const r = inspectBody(endpoint, typeof body === 'string' ? enc(body) : body);
  if (r.ok) throw new Error('expected a refusal');
  return r;
};

describe('parseBind reads bind strings as the engine\'s Linux parser does', () => {
  it('an absolute source is a host path, any other source a volume name, one part an anonymous volume', () => {
    expect(parseBind('/etc:/x:ro')).toEqual({ hostPath: '/etc', volume: null });
    expect(parseBind('data:/x')).toEqual({ hostPath: null, volume: 'data' });
    expect(parseBind('/only-a-target')).toEqual({ hostPath: null, volume: null });
  });
});

describe('body facts', () => {
  it('collect host paths from Binds, bind Mounts, volume driver options and Devices', () => {
    const facts = hostConfigFacts({
      Binds: ['/srv:/srv', 'named:/n'],
      Mounts: [
        { Type: 'bind', Source: '/etc', Target: '/e' },
        { Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { DriverConfig: { Name: 'local', Options: { type: 'none', o: 'bind', device: '/root' } } } },
        { Type: 'tmpfs', Target: '/t' },
      ],
      Devices: [{ PathOnHost: '/dev/sda', PathInContainer: '/dev/sda', CgroupPermissions: 'rwm' }],
    });
    expect(facts['hostPaths']).toEqual(['/srv', '/etc', '/root', '/dev/sda']);
    expect(facts['volumes']).toEqual(['named', 'v']);
    expect(facts['volumeDriverOptions']).toEqual([{ type: 'none', o: 'bind', device: '/root' }]);
  });

  it('report null, not an empty list, when there is nothing (so exists: true means at least one)', () => {
    expect(hostConfigFacts({})).toEqual({ hostPaths: null, volumes: null, volumeDriverOptions: null });
    expect(volumeCreateFacts({ Name: 'x' })).toEqual({ hostPaths: null });
  });

  it('collect the mounts of a service\'s task containers', () => {
    const facts = serviceSpecFacts({ TaskTemplate: { ContainerSpec: { Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }] } } });
    expect(facts['hostPaths']).toEqual(['/']);
  });
});

describe('inspectBody', () => {
  it('gives the effective HostConfig of a container create, with legacy top-level fields refused', () => {
    const v = view('containers.create', '{"Image":"x","HostConfig":{"Privileged":true,"Binds":["/:/host"]}}');
    expect((v.value as { HostConfig: { Privileged: boolean } }).HostConfig.Privileged).toBe(true);
    expect(v.facts['hostPaths']).toEqual(['/']);
    expect(refusal('containers.create', '{"Image":"x","Privileged":true}').pointer).toBe('/Privileged');
  });

  it('accepts a legacy top-level field that holds nothing, which no engine applies (dockerode sends "VolumesFrom": [])', () => {
    for (const body of [
      '{"Image":"x","Cmd":["true"],"VolumesFrom":[],"HostConfig":{}}',
      '{"Image":"x","VolumesFrom":[]}',
      '{"Image":"x","VolumesFrom":null,"Binds":[],"Privileged":false,"ConsoleSize":[0,0],"RestartPolicy":{"Name":""},"Sysctls":{}}',
    ]) {
      expect(view('containers.create', body).value, body).toMatchObject({ Image: 'x' });
    }
  });

  it('refuses a legacy top-level field the engine applies: any, without a HostConfig object; a merged one over an unset inner value', () => {
    expect(refusal('containers.create', '{"Image":"x","VolumesFrom":["other"]}').pointer).toBe('/VolumesFrom');
    expect(refusal('containers.create', '{"Image":"x","Binds":["/:/host"],"HostConfig":null}').pointer).toBe('/Binds');
    expect(refusal('containers.create', '{"Image":"x","Memory":1,"HostConfig":{}}').pointer).toBe('/Memory');
    expect(refusal('containers.create', '{"Image":"x","VolumeDriver":"remote","HostConfig":{"Privileged":false}}').pointer).toBe('/VolumeDriver');
  });

  it('accepts a legacy top-level field a HostConfig object overrides (v20.10 getHostConfig ignores it), and decides on the inner one', () => {
    const v = view('containers.create', '{"Image":"x","Privileged":true,"Memory":1,"HostConfig":{"Memory":2}}');
    expect((v.value as { HostConfig: Record<string, unknown> }).HostConfig).toMatchObject({ Memory: 2n, Privileged: false });
  });

  it('refuses a key that is a field of no engine version sockgate knows, for an engine newer than it knows or of unknown version', () => {
    const r = refusal('containers.create', '{"Image":"x","HostConfig":{"FutureHostAccess":true}}');
    expect(r.pointer).toBe('/HostConfig/FutureHostAccess');
    expect(r.message).toContain('not a field of container.HostConfig in any engine version sockgate knows (API ≤ 1.51)');
    expect(refusal('exec.create', '{"Cmd":["id"],"Future":1}').pointer).toBe('/Future');
    // Map keys are free: labels, options and sysctls are not fields.
    expect(view('containers.create', '{"Image":"x","Labels":{"Anything":"1"},"HostConfig":{"Sysctls":{"net.x":"1"}}}').value).toMatchObject({ Image: 'x' });
  });

  it('lets an engine sockgate knows ignore such a key, as it does (dockerode sends "name" in create bodies)', () => {
    const r = inspectBody('containers.create', enc('{"Image":"x","name":"web","HostConfig":{"FutureHostAccess":true}}'), 'ignore');
    expect(r.ok).toBe(true);
    // a key Go would still bind is refused either way
    expect(inspectBody('containers.create', enc('{"Image":"x","hostconfig":{}}'), 'ignore').ok).toBe(false);
  });

  it('refuses keys the engine would bind although they are spelled differently, and repeated keys', () => {
    expect(refusal('containers.create', '{"Image":"x","hostconfig":{}}').pointer).toBe('/hostconfig');
    expect(refusal('containers.create', '{"Image":"x","HostConfig":{"Bind\u017f":[]}}').pointer).toBe('/HostConfig/Bind\u017f');
    expect(refusal('exec.create', '{"Cmd":["id"],"Privileged":false,"Privileged":true}').pointer).toBe('/Privileged');
  });

  it('refuses what Go would read differently from the bytes: bad UTF-8, a BOM, trailing data, wrong types', () => {
    expect(refusal('exec.create', Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])).message).toContain('UTF-8');
    expect(refusal('exec.create', '\ufeff{}').message).toContain('byte-order mark');
    expect(refusal('exec.create', '{"Cmd":["id"]} {"Privileged":true}').message).toContain('after its JSON value');
    expect(refusal('exec.create', '{"Privileged":"true"}').pointer).toBe('/Privileged');
  });

  it('decides an empty body as the engine reads it', () => {
    expect(refusal('containers.create', '').message).toContain('empty body');
    expect(view('plugins.pull', '').value).toEqual(null);
  });

  it('reads a plugin install body as the privilege list', () => {
    expect(view('plugins.pull', '[{"Name":"mount","Description":"","Value":["/"]}]').value).toEqual([{ Name: 'mount', Description: '', Value: ['/'] }]);
  });

  it('has no decoder for endpoints it does not inspect', () => {
    expect(refusal('images.build', '{}').message).toContain('no decoder');
  });
});

describe('mount types read as swarm reads them', () => {
  it.each([['BIND'], ['bınd'], [''], ['Bind']])('a service mount of type "%s" is a bind of its source', (type) => {
    const facts = serviceSpecFacts({ TaskTemplate: { ContainerSpec: { Mounts: [{ Type: type, Source: '/', Target: '/host' }] } } });
    expect(facts['hostPaths']).toEqual(['/']);
  });

  it('a service volume mount spelled "Volume" still reports its driver options', () => {
    const facts = serviceSpecFacts({
      TaskTemplate: { ContainerSpec: { Mounts: [{ Type: 'Volume', Source: 'v', Target: '/v', VolumeOptions: { DriverConfig: { Options: { o: 'bind', device: '/' } } } }] } },
    });
    expect(facts['hostPaths']).toEqual(['/']);
    expect(facts['volumes']).toEqual(['v']);
  });

  it('a tmpfs mount takes nothing from the host, and ß does not expand to SS', () => {
    expect(serviceSpecFacts({ TaskTemplate: { ContainerSpec: { Mounts: [{ Type: 'tmpfs', Target: '/t' }, { Type: 'ßind', Source: '/x', Target: '/y' }] } } })['hostPaths']).toBeNull();
  });
});
