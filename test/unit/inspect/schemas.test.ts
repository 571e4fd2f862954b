import { describe, expect, it } from 'vitest';
import type { GoField, GoType } from '../../../src/inspect/go-types.js';
import { STR_SLICE } from '../../../src/inspect/schemas/strslice.js';
import { INSPECTABLE_ENDPOINTS } from '../../../src/inspect/inspectable.js';
import {
  CONFIG,
  CONTAINER_CREATE_BODY,
  CONTAINER_CREATE_REQUEST_CURRENT,
  HOST_CONFIG,
  LEGACY_MERGED_FIELDS,
  LEGACY_TOP_LEVEL_HOST_CONFIG_KEYS,
  RESOURCES,
  effectiveHostConfig,
  effectiveHostConfigCurrent,
} from '../../../src/inspect/schemas/container-create.js';
import { UPDATE_CONFIG } from '../../../src/inspect/schemas/container-update.js';
import { EXEC_CONFIG } from '../../../src/inspect/schemas/exec-create.js';
import { BODY_READING, BODY_SCHEMAS, type BodyEndpointId } from '../../../src/inspect/schemas/index.js';
import { MOUNT } from '../../../src/inspect/schemas/mount.js';
import { NETWORK_CONNECT, NETWORK_DISCONNECT } from '../../../src/inspect/schemas/network-connect.js';
import { NETWORK_CREATE_REQUEST } from '../../../src/inspect/schemas/network-create.js';
import { PLUGIN_PRIVILEGES } from '../../../src/inspect/schemas/plugin-privileges.js';
import { SERVICE_SPEC } from '../../../src/inspect/schemas/service-spec.js';
import { VOLUME_CREATE_BODY } from '../../../src/inspect/schemas/volume-create.js';
import { err, ok } from './gojson/fixtures.js';

type StructType = GoType & { kind: 'struct' };

const IDS: readonly BodyEndpointId[] = [
  'containers.create',
  'exec.create',
  'containers.update',
  'volumes.create',
  'networks.create',
  'networks.connect',
  'networks.disconnect',
  'services.create',
  'services.update',
  'plugins.pull',
  'plugins.upgrade',
];

function structOf(t: GoType): StructType | null {
  let u = t;
  while (u.kind === 'ptr') u = u.elem;
  return u.kind === 'struct' ? u : null;
}

/** Every struct type reachable from a type (each once). */
function allStructs(root: GoType): StructType[] {
  const out: StructType[] = [];
  const seen = new Set<GoType>();
  const walk = (t: GoType): void => {
    if (seen.has(t)) return;
    seen.add(t);
    switch (t.kind) {
      case 'ptr':
      case 'slice':
      case 'array':
      case 'map':
        walk(t.elem);
        return;
      case 'struct':
        out.push(t);
        for (const fld of t.fields) walk(fld.type);
        return;
      case 'bool':
      case 'string':
      case 'int':
      case 'float':
      case 'any':
      case 'rawMessage':
      case 'custom':
        return;
    }
  };
  walk(root);
  return out;
}

const isEmbeddedStruct = (fld: GoField): boolean => fld.embedded === true && fld.json === undefined && structOf(fld.type) !== null;
const jsonName = (fld: GoField): string => (fld.json !== undefined && fld.json !== '' ? fld.json : fld.name);

/** The JSON names a struct binds, with promoted fields, each with its embedding depth. */
function boundNames(s: StructType, depth = 0): { name: string; depth: number; type: GoType }[] {
  const out: { name: string; depth: number; type: GoType }[] = [];
  for (const fld of s.fields) {
    if (fld.json === '-') continue;
    if (isEmbeddedStruct(fld)) out.push(...boundNames(structOf(fld.type)!, depth + 1));
    else out.push({ name: jsonName(fld), depth, type: fld.type });
  }
  return out;
}

/**
 * The type at a path of JSON names: `a.b[]` steps into slice/array elements, `a.b{}` into map
 * values, pointers are followed; promoted fields resolve as encoding/json does (shallowest first).
 */
function resolve(root: GoType, path: string): GoType | undefined {
  let t: GoType | undefined = root;
  for (const seg of path.split('.')) {
    const m = /^([^[{]+)((?:\[\]|\{\})*)$/.exec(seg);
    if (m === null || t === undefined) return undefined;
    const s = structOf(t);
    if (s === null) return undefined;
    const candidates = boundNames(s).filter((n) => n.name === m[1]);
    candidates.sort((a, b) => a.depth - b.depth);
    t = candidates[0]?.type;
    for (const step of m[2]!.match(/\[\]|\{\}/g) ?? []) {
      while (t !== undefined && t.kind === 'ptr') t = t.elem;
      if (t === undefined) return undefined;
      if (step === '[]' && (t.kind === 'slice' || t.kind === 'array')) t = t.elem;
      else if (step === '{}' && t.kind === 'map') t = t.elem;
      else if (step === '[]' && t.kind === 'custom') t = undefined; // StrSlice: a leaf
      else return undefined;
    }
  }
  return t;
}

function expectPath(root: GoType, path: string): GoType {
  const t = resolve(root, path);
  expect(t, path).toBeDefined();
  return t!;
}

const leafKind = (t: GoType): string => {
  let u = t;
  while (u.kind === 'ptr') u = u.elem;
  return u.kind;
};

describe('BODY_SCHEMAS and BODY_READING', () => {
  it('cover exactly the inspectable endpoints', () => {
    expect(Object.keys(BODY_SCHEMAS).sort()).toEqual([...IDS].sort());
    expect(Object.keys(BODY_READING).sort()).toEqual([...IDS].sort());
    expect([...INSPECTABLE_ENDPOINTS].sort()).toEqual([...IDS].sort());
  });

  it('map each endpoint to the engine type it decodes', () => {
    expect(BODY_SCHEMAS['containers.create']).toBe(CONTAINER_CREATE_BODY);
    expect(BODY_SCHEMAS['exec.create']).toBe(EXEC_CONFIG);
    expect(BODY_SCHEMAS['containers.update']).toBe(UPDATE_CONFIG);
    expect(BODY_SCHEMAS['volumes.create']).toBe(VOLUME_CREATE_BODY);
    expect(BODY_SCHEMAS['networks.create']).toBe(NETWORK_CREATE_REQUEST);
    expect(BODY_SCHEMAS['networks.connect']).toBe(NETWORK_CONNECT);
    expect(BODY_SCHEMAS['networks.disconnect']).toBe(NETWORK_DISCONNECT);
    expect(BODY_SCHEMAS['services.create']).toBe(SERVICE_SPEC);
    expect(BODY_SCHEMAS['services.update']).toBe(SERVICE_SPEC);
    expect(BODY_SCHEMAS['plugins.pull']).toBe(PLUGIN_PRIVILEGES);
    expect(BODY_SCHEMAS['plugins.upgrade']).toBe(PLUGIN_PRIVILEGES);
  });

  it('record how each handler reads an empty body and the Content-Type', () => {
    expect(BODY_READING['containers.create']).toMatchObject({ emptyBody: 'error', contentTypeChecked: true });
    for (const id of ['exec.create', 'containers.update', 'volumes.create', 'networks.create'] as const) {
      expect(BODY_READING[id], id).toMatchObject({ emptyBody: 'zero-value', contentTypeChecked: true });
    }
    for (const id of ['services.create', 'services.update', 'plugins.pull', 'plugins.upgrade'] as const) {
      expect(BODY_READING[id], id).toMatchObject({ emptyBody: 'zero-value', contentTypeChecked: false });
    }
    for (const id of IDS) {
      const note = BODY_READING[id].note;
      expect(note, id).toMatch(/v20\.10/);
      expect(note, id).toMatch(/Current/);
      expect(note, id).toMatch(/\.go\)/); // names the source file of the handler
    }
  });
});

describe('struct descriptions', () => {
  const structs = new Set<StructType>();
  for (const t of Object.values(BODY_SCHEMAS)) for (const s of allStructs(t)) structs.add(s);
  for (const s of allStructs(CONTAINER_CREATE_REQUEST_CURRENT)) structs.add(s);

  it('give every field a JSON name or embed a struct', () => {
    expect(structs.size).toBeGreaterThan(60);
    for (const s of structs) {
      for (const fld of s.fields) {
        const where = `${s.name ?? '?'}.${fld.name}`;
        expect(fld.name, where).toMatch(/^[A-Z][A-Za-z0-9]*$/); // exported, so encoding/json sees it
        if (fld.embedded === true) {
          expect(fld.json, where).toBeUndefined();
          expect(structOf(fld.type), where).not.toBeNull();
        } else {
          expect(jsonName(fld), where).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
        }
      }
    }
  });

  it('have no two JSON names at the same embedding depth of one struct (case-insensitively)', () => {
    for (const s of structs) {
      const seen = new Map<string, number>();
      for (const { name, depth } of boundNames(s)) {
        const key = `${depth}:${name.toLowerCase()}`;
        expect(seen.has(key), `${s.name ?? '?'}: ${name} twice at depth ${depth}`).toBe(false);
        seen.set(key, depth);
      }
    }
  });

  it('name every struct after its Go type', () => {
    for (const s of structs) expect(s.name, JSON.stringify(s.fields.map((x) => x.name))).toMatch(/^[a-z]+\.[A-Z]\w*$|^struct\{\}$/);
  });

  it('reuse one object per Go type', () => {
    const inner = resolve(CONTAINER_CREATE_BODY, 'HostConfig');
    expect(structOf(inner!)).toBe(HOST_CONFIG);
    const embeddedHostConfig = (CONTAINER_CREATE_BODY as StructType).fields.find((x) => x.embedded === true && x.name === 'HostConfig');
    expect(structOf(embeddedHostConfig!.type)).toBe(HOST_CONFIG);
    expect(structOf(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.Mounts[]'))).toBe(MOUNT);
    expect(structOf(expectPath(SERVICE_SPEC, 'TaskTemplate.ContainerSpec.Mounts[]'))).toBe(MOUNT);
    expect((UPDATE_CONFIG as StructType).fields[0]!.type).toBe(RESOURCES);
  });
});

describe('dangerous fields are where the engine reads them', () => {
  it('container create: HostConfig', () => {
    const bools = ['Privileged', 'PublishAllPorts', 'ReadonlyRootfs', 'AutoRemove'];
    for (const name of bools) expect(leafKind(expectPath(CONTAINER_CREATE_BODY, `HostConfig.${name}`)), name).toBe('bool');
    const strings = ['NetworkMode', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'CgroupParent', 'Cgroup', 'CgroupnsMode', 'Runtime', 'VolumeDriver'];
    for (const name of strings) expect(leafKind(expectPath(CONTAINER_CREATE_BODY, `HostConfig.${name}`)), name).toBe('string');
    const lists = ['Binds', 'VolumesFrom', 'DeviceCgroupRules', 'Capabilities', 'SecurityOpt', 'MaskedPaths', 'ReadonlyPaths', 'GroupAdd', 'ExtraHosts', 'Links'];
    for (const name of lists) expect(leafKind(expectPath(CONTAINER_CREATE_BODY, `HostConfig.${name}`)), name).toBe('slice');
    expect(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.CapAdd')).toBe(STR_SLICE);
    expect(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.CapDrop')).toBe(STR_SLICE);
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.Sysctls'))).toBe('map');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.Annotations'))).toBe('map');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.Devices[].PathOnHost'))).toBe('string');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.DeviceRequests[].Capabilities[][]'))).toBe('string');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.Ulimits[].Hard'))).toBe('int');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.Init'))).toBe('bool');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.PortBindings{}[].HostIp'))).toBe('string');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.LogConfig.Config{}'))).toBe('string');
  });

  it('container create: mounts', () => {
    for (const p of ['Type', 'Source', 'Target', 'BindOptions.Propagation', 'VolumeOptions.Subpath', 'VolumeOptions.DriverConfig.Name', 'ImageOptions.Subpath']) {
      expect(leafKind(expectPath(CONTAINER_CREATE_BODY, `HostConfig.Mounts[].${p}`)), p).toBe('string');
    }
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.Mounts[].VolumeOptions.DriverConfig.Options{}'))).toBe('string');
    for (const p of ['CreateMountpoint', 'ReadOnlyNonRecursive', 'ReadOnlyForceRecursive', 'NonRecursive']) {
      expect(leafKind(expectPath(CONTAINER_CREATE_BODY, `HostConfig.Mounts[].BindOptions.${p}`)), p).toBe('bool');
    }
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'HostConfig.Mounts[].TmpfsOptions.Options[][]'))).toBe('string');
  });

  it('container create: config and networking', () => {
    expect(expectPath(CONTAINER_CREATE_BODY, 'Cmd')).toBe(STR_SLICE);
    expect(expectPath(CONTAINER_CREATE_BODY, 'Entrypoint')).toBe(STR_SLICE);
    for (const p of ['Image', 'User', 'WorkingDir', 'Cpuset']) expect(leafKind(expectPath(CONTAINER_CREATE_BODY, p)), p).toBe('string');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'Healthcheck.StartInterval'))).toBe('int');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'NetworkingConfig.EndpointsConfig{}.DriverOpts{}'))).toBe('string');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'NetworkingConfig.EndpointsConfig{}.IPAMConfig.IPv4Address'))).toBe('string');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'NetworkingConfig.EndpointsConfig{}.GwPriority'))).toBe('int');
  });

  it('container create: the legacy top-level HostConfig fields of v20.10', () => {
    const top = boundNames(CONTAINER_CREATE_BODY as StructType);
    const at = (name: string): number | undefined => top.find((n) => n.name === name)?.depth;
    expect(at('Privileged')).toBe(1); // promoted from the embedded *container.HostConfig
    expect(at('Binds')).toBe(1);
    expect(at('CapAdd')).toBe(1);
    expect(at('Devices')).toBe(2); // promoted from HostConfig's embedded Resources
    expect(at('Image')).toBe(1); // promoted from *container.Config
    expect(at('HostConfig')).toBe(0); // InnerHostConfig
    expect(at('Cpuset')).toBe(0);
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'Privileged'))).toBe('bool');
    expect(leafKind(expectPath(CONTAINER_CREATE_BODY, 'Binds'))).toBe('slice');
    expect(LEGACY_TOP_LEVEL_HOST_CONFIG_KEYS).toEqual(expect.arrayContaining(['Privileged', 'Binds', 'Mounts', 'Devices', 'CpuShares', 'NetworkMode']));
    expect(LEGACY_TOP_LEVEL_HOST_CONFIG_KEYS).not.toContain('Image');
    // Config and HostConfig share the wrapper's top level: none of their names may collide.
    const configNames = new Set(boundNames(CONFIG as StructType).map((n) => n.name.toLowerCase()));
    for (const k of LEGACY_TOP_LEVEL_HOST_CONFIG_KEYS) expect(configNames.has(k.toLowerCase()), k).toBe(false);
    // Current moby's CreateRequest has no top-level HostConfig fields.
    expect(resolve(CONTAINER_CREATE_REQUEST_CURRENT, 'Privileged')).toBeUndefined();
    expect(resolve(CONTAINER_CREATE_REQUEST_CURRENT, 'HostConfig.Privileged')).toBeDefined();
  });

  it('exec create', () => {
    expect(leafKind(expectPath(EXEC_CONFIG, 'Privileged'))).toBe('bool');
    expect(leafKind(expectPath(EXEC_CONFIG, 'User'))).toBe('string');
    expect(leafKind(expectPath(EXEC_CONFIG, 'Cmd[]'))).toBe('string');
    expect(leafKind(expectPath(EXEC_CONFIG, 'Env[]'))).toBe('string');
    expect(leafKind(expectPath(EXEC_CONFIG, 'ConsoleSize[]'))).toBe('int');
  });

  it('container update', () => {
    for (const p of ['Devices[].PathOnHost', 'DeviceCgroupRules[]', 'CgroupParent', 'CpusetCpus', 'RestartPolicy.Name']) {
      expect(leafKind(expectPath(UPDATE_CONFIG, p)), p).toBe('string');
    }
    expect(leafKind(expectPath(UPDATE_CONFIG, 'Memory'))).toBe('int');
    expect(resolve(UPDATE_CONFIG, 'Privileged')).toBeUndefined();
  });

  it('volume create', () => {
    expect(leafKind(expectPath(VOLUME_CREATE_BODY, 'DriverOpts{}'))).toBe('string');
    expect(leafKind(expectPath(VOLUME_CREATE_BODY, 'Driver'))).toBe('string');
    expect(leafKind(expectPath(VOLUME_CREATE_BODY, 'Name'))).toBe('string');
    expect(leafKind(expectPath(VOLUME_CREATE_BODY, 'ClusterVolumeSpec.Secrets[].Secret'))).toBe('string');
  });

  it('network create', () => {
    for (const p of ['Name', 'Driver', 'Scope', 'Options{}', 'ConfigFrom.Network', 'IPAM.Config[].Subnet', 'IPAM.Config[].AuxiliaryAddresses{}']) {
      expect(leafKind(expectPath(NETWORK_CREATE_REQUEST, p)), p).toBe('string');
    }
    for (const p of ['CheckDuplicate', 'EnableIPv6', 'EnableIPv4', 'Internal', 'Attachable', 'Ingress', 'ConfigOnly']) {
      expect(leafKind(expectPath(NETWORK_CREATE_REQUEST, p)), p).toBe('bool');
    }
  });

  it('service create / update', () => {
    const cs = 'TaskTemplate.ContainerSpec';
    expect(leafKind(expectPath(SERVICE_SPEC, `${cs}.Privileges.SELinuxContext.Disable`))).toBe('bool');
    expect(leafKind(expectPath(SERVICE_SPEC, `${cs}.Privileges.NoNewPrivileges`))).toBe('bool');
    expect(leafKind(expectPath(SERVICE_SPEC, `${cs}.Privileges.Seccomp.Mode`))).toBe('string');
    expect(leafKind(expectPath(SERVICE_SPEC, `${cs}.Privileges.Seccomp.Profile`))).toBe('slice');
    expect(leafKind(expectPath(SERVICE_SPEC, `${cs}.Privileges.AppArmor.Mode`))).toBe('string');
    expect(leafKind(expectPath(SERVICE_SPEC, `${cs}.Privileges.CredentialSpec.File`))).toBe('string');
    for (const p of ['CapabilityAdd[]', 'CapabilityDrop[]', 'Mounts[].Type', 'Mounts[].Source', 'Mounts[].VolumeOptions.DriverConfig.Options{}', 'Sysctls{}', 'User', 'Groups[]', 'Isolation', 'Image', 'Secrets[].SecretName']) {
      expect(leafKind(expectPath(SERVICE_SPEC, `${cs}.${p}`)), p).toBe('string');
    }
    expect(leafKind(expectPath(SERVICE_SPEC, `${cs}.Init`))).toBe('bool');
    expect(leafKind(expectPath(SERVICE_SPEC, `${cs}.Ulimits[].Soft`))).toBe('int');
    expect(leafKind(expectPath(SERVICE_SPEC, `${cs}.OomScoreAdj`))).toBe('int');
    expect(leafKind(expectPath(SERVICE_SPEC, 'TaskTemplate.PluginSpec.privileges[].value[]'))).toBe('string');
    expect(leafKind(expectPath(SERVICE_SPEC, 'TaskTemplate.PluginSpec.remote'))).toBe('string');
    expect(leafKind(expectPath(SERVICE_SPEC, 'TaskTemplate.Resources.Limits.Pids'))).toBe('int');
    expect(leafKind(expectPath(SERVICE_SPEC, 'TaskTemplate.Resources.Reservations.GenericResources[].DiscreteResourceSpec.Value'))).toBe('int');
    expect(leafKind(expectPath(SERVICE_SPEC, 'TaskTemplate.Placement.Constraints[]'))).toBe('string');
    expect(leafKind(expectPath(SERVICE_SPEC, 'TaskTemplate.Networks[].Target'))).toBe('string');
    expect(leafKind(expectPath(SERVICE_SPEC, 'TaskTemplate.LogDriver.Options{}'))).toBe('string');
    expect(leafKind(expectPath(SERVICE_SPEC, 'TaskTemplate.Runtime'))).toBe('string');
    expect(leafKind(expectPath(SERVICE_SPEC, 'Mode.Replicated.Replicas'))).toBe('int');
    expect(leafKind(expectPath(SERVICE_SPEC, 'Mode.GlobalJob'))).toBe('struct');
    expect(leafKind(expectPath(SERVICE_SPEC, 'UpdateConfig.MaxFailureRatio'))).toBe('float');
    expect(leafKind(expectPath(SERVICE_SPEC, 'RollbackConfig.Order'))).toBe('string');
    expect(leafKind(expectPath(SERVICE_SPEC, 'EndpointSpec.Ports[].PublishedPort'))).toBe('int');
    expect(leafKind(expectPath(SERVICE_SPEC, 'Networks[].Target'))).toBe('string');
    expect(leafKind(expectPath(SERVICE_SPEC, 'Name'))).toBe('string'); // promoted from Annotations
    expect(leafKind(expectPath(SERVICE_SPEC, 'Labels{}'))).toBe('string');
  });

  it('plugin privileges', () => {
    expect(PLUGIN_PRIVILEGES.kind).toBe('slice');
    const el = (PLUGIN_PRIVILEGES as GoType & { kind: 'slice' }).elem;
    for (const p of ['Name', 'Description', 'Value[]']) expect(leafKind(expectPath(el, p)), p).toBe('string');
  });
});

describe('effectiveHostConfig (moby v20.10 getHostConfig)', () => {
  it('is null when neither a HostConfig object nor top-level HostConfig fields are given', () => {
    expect(effectiveHostConfig({ Image: 'alpine', Cmd: ['sh'] })).toBeNull();
    expect(effectiveHostConfig({ Image: 'alpine', HostConfig: null })).toBeNull();
    expect(effectiveHostConfig({ Image: 'alpine', Cpuset: '0-1' })).toBeNull(); // Cpuset alone allocates nothing
  });

  it('uses the inner HostConfig as is, defaulting NetworkMode', () => {
    expect(effectiveHostConfig({ Image: 'a', HostConfig: { Privileged: true } })).toEqual({ Privileged: true, NetworkMode: 'default' });
    expect(effectiveHostConfig({ HostConfig: { NetworkMode: 'host' } })).toEqual({ NetworkMode: 'host' });
  });

  it('uses the top-level fields wholesale when there is no inner HostConfig', () => {
    const view = { Image: 'a', Privileged: true, Binds: ['/:/host'], CapAdd: ['ALL'], Devices: [{ PathOnHost: '/dev/sda' }] };
    expect(effectiveHostConfig(view)).toEqual({
      Privileged: true,
      Binds: ['/:/host'],
      CapAdd: ['ALL'],
      Devices: [{ PathOnHost: '/dev/sda' }],
      NetworkMode: 'default',
    });
    expect(effectiveHostConfig({ Image: 'a', Privileged: true, HostConfig: null })).toMatchObject({ Privileged: true });
  });

  it('merges only Memory, MemorySwap, CpuShares, CpusetCpus and VolumeDriver into an inner HostConfig', () => {
    expect(LEGACY_MERGED_FIELDS).toEqual(['Memory', 'MemorySwap', 'CpuShares', 'CpusetCpus', 'VolumeDriver']);
    const view = {
      Image: 'a',
      Privileged: true,
      Binds: ['/:/host'],
      Memory: 1024,
      MemorySwap: 2048,
      CpuShares: 512,
      CpusetCpus: '0',
      VolumeDriver: 'evil',
      HostConfig: { Memory: 4096, Binds: ['/tmp:/tmp'] },
    };
    expect(effectiveHostConfig(view)).toEqual({
      Memory: 4096, // the inner value wins when it is non-zero
      MemorySwap: 2048,
      CpuShares: 512,
      CpusetCpus: '0',
      VolumeDriver: 'evil',
      Binds: ['/tmp:/tmp'],
      NetworkMode: 'default',
    });
  });

  it('treats zero values as not given and reads bigint integers', () => {
    expect(effectiveHostConfig({ Privileged: false, Binds: [], Memory: 0n, LogConfig: { Type: '', Config: null } })).toBeNull();
    expect(effectiveHostConfig({ Memory: 5n, HostConfig: { Memory: 0n } })).toEqual({ Memory: 5n, NetworkMode: 'default' });
  });

  it('fills CpusetCpus from the deprecated top-level Cpuset', () => {
    expect(effectiveHostConfig({ Cpuset: '1', HostConfig: {} })).toEqual({ CpusetCpus: '1', NetworkMode: 'default' });
    expect(effectiveHostConfig({ Cpuset: '1', HostConfig: { CpusetCpus: '2' } })).toEqual({ CpusetCpus: '2', NetworkMode: 'default' });
  });

  it('does not modify its input', () => {
    const inner = { Memory: 0 };
    const view = { Memory: 7, HostConfig: inner };
    effectiveHostConfig(view);
    expect(inner).toEqual({ Memory: 0 });
  });

  it('current moby ignores the top-level fields', () => {
    expect(effectiveHostConfigCurrent({ Image: 'a', Privileged: true, Binds: ['/:/host'] })).toEqual({ NetworkMode: 'default' });
    expect(effectiveHostConfigCurrent({ Memory: 7, HostConfig: { Privileged: true } })).toEqual({ Privileged: true, NetworkMode: 'default' });
  });
});

// StrSlice decodes through decodeGoJson: the decoder's fixtures (./gojson/fixtures.ts), whose Basic.Cmd is a StrSlice.
describe('strslice.StrSlice (moby api/types/strslice)', () => {
  it('accepts a string or a list of strings; null is nil', () => {
    expect(ok('{"Cmd":"ls"}').Cmd).toEqual(['ls']);
    expect(ok('{"Cmd":["ls","-l"]}').Cmd).toEqual(['ls', '-l']);
    expect(ok('{"Cmd":[]}').Cmd).toEqual([]);
    expect(ok('{"Cmd":["x"],"Cmd":null}').Cmd).toBeNull();
    expect(err('{"Cmd":[1,"a"]}')).toMatchObject({ pointer: '/Cmd', message: 'json: cannot unmarshal array into Go value of type string' });
    expect(err('{"Cmd":{}}')).toMatchObject({ pointer: '/Cmd' });
  });
});
