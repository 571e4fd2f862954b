import { describe, expect, it } from 'vitest';
import { compileAllowList, fieldAt, outsideAllowList } from '../../../src/inspect/allow-list.js';
import { inspectBody } from '../../../src/inspect/index.js';
import { BODY_SCHEMAS } from '../../../src/inspect/schemas/index.js';

const CREATE = BODY_SCHEMAS['containers.create'];
const view = (body: unknown) => {
  const r = inspectBody('containers.create', Buffer.from(JSON.stringify(body)), 'ignore');
  if (!r.ok) throw new Error(r.message);
  return r.view;
};
const outside = (paths: string[], body: unknown) => {
  const v = view(body);
  return outsideAllowList(compileAllowList(paths), CREATE, v.value, v.unknownKeys ?? []);
};

describe('field paths', () => {
  it('name fields of the engine\'s types, with * for list elements and map values', () => {
    expect(fieldAt(CREATE, 'HostConfig.Mounts.*.VolumeOptions.Subpath').ok).toBe(true);
    expect(fieldAt(CREATE, 'NetworkingConfig.EndpointsConfig.*.Aliases').ok).toBe(true);
    expect(fieldAt(CREATE, 'Labels.*').ok).toBe(true);
  });

  it('say why a path names nothing', () => {
    expect(fieldAt(CREATE, 'HostConfig.Privilegd')).toMatchObject({ ok: false, reason: expect.stringContaining('has no field "Privilegd"') as unknown });
    expect(fieldAt(CREATE, 'HostConfig.Mounts.Type')).toMatchObject({ ok: false, reason: expect.stringContaining('reached with ".*"') as unknown });
    expect(fieldAt(CREATE, 'Image.*')).toMatchObject({ ok: false, reason: expect.stringContaining('not a list or map') as unknown });
  });
});

describe('an allow-list over a decoded body', () => {
  it('passes a body that sets only listed fields, and fields at their defaults as clients send them', () => {
    expect(outside(['Image', 'Cmd', 'HostConfig.Memory'], { Image: 'x', Cmd: ['true'], HostConfig: { MemorySwappiness: -1, RestartPolicy: { Name: 'no' }, LogConfig: { Type: '', Config: {} }, ConsoleSize: [0, 0], OomKillDisable: false, Binds: [], NetworkMode: 'default' } })).toBeNull();
  });

  it('names the first field outside the list by JSON pointer and list path', () => {
    expect(outside(['Image'], { Image: 'x', HostConfig: { Privileged: true } })).toEqual({ pointer: '/HostConfig/Privileged', path: 'HostConfig.Privileged' });
    expect(outside(['Image', 'HostConfig.Mounts.*.Type', 'HostConfig.Mounts.*.Target'], { Image: 'x', HostConfig: { Mounts: [{ Type: 'bind', Target: '/t', Source: '/' }] } })).toEqual({ pointer: '/HostConfig/Mounts/0/Source', path: 'HostConfig.Mounts.*.Source' });
  });

  it('asks the fields of listed structs to be listed too (a listed list of mounts allows empty mounts only)', () => {
    expect(outside(['HostConfig.Mounts'], { HostConfig: { Mounts: [{ Type: 'volume' }] } })?.pointer).toBe('/HostConfig/Mounts/0/Type');
  });

  it('treats a pointer that is set as set, even to an empty struct, and an empty MaskedPaths as set', () => {
    expect(outside(['HostConfig.Mounts.*.Type'], { HostConfig: { Mounts: [{ Type: 'volume', BindOptions: {} }] } })?.pointer).toBe('/HostConfig/Mounts/0/BindOptions');
    expect(outside(['Image'], { Image: 'x', HostConfig: { MaskedPaths: [] } })?.pointer).toBe('/HostConfig/MaskedPaths');
  });

  it('fails on a key no engine version has, except the ones real clients send and the engine ignores', () => {
    expect(outside(['Image'], { Image: 'x', HostConfig: { Future: 1 } })).toEqual({ pointer: '/HostConfig/Future', path: null });
    const v = view({ Image: 'x', name: 'web' });
    expect(outsideAllowList(compileAllowList(['Image']), CREATE, v.value, v.unknownKeys ?? [], new Set(['/name']))).toBeNull();
  });

  it('refuses a legacy top-level HostConfig field holding a value even where the engine ignores it', () => {
    expect(outside(['Image', 'HostConfig.Memory'], { Image: 'x', Privileged: true, HostConfig: {} })?.pointer).toBe('/Privileged');
  });
});

describe('an object that is present but not on the list', () => {
  it('is set, as a non-nil pointer in Go: a HostConfig object needs a listed field inside it', () => {
    expect(outside(['Image'], { Image: 'x', HostConfig: {} })).toEqual({ pointer: '/HostConfig', path: 'HostConfig' });
  });
});
