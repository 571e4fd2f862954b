/**
 * The body of POST /containers/create, as the engine decodes it.
 *
 * Sources (moby/moby):
 *  - v20.10 (API 1.41): runconfig/config_unix.go (ContainerConfigWrapper, getHostConfig),
 *    runconfig/config.go (decodeContainerConfig), runconfig/hostconfig_unix.go
 *    (SetDefaultNetModeIfBlank), api/types/container/config.go, host_config.go,
 *    api/types/network/network.go, api/types/blkiodev/blkio.go, go-connections/nat (PortMap),
 *    go-units (Ulimit), api/types/strslice/strslice.go.
 *  - current: api/types/container/create_request.go (CreateRequest), config.go, hostconfig.go,
 *    api/types/network/endpoint.go, daemon/internal/runconfig/config.go (DecodeCreateRequest),
 *    daemon/server/router/container/container_routes.go (postContainersCreate).
 *
 * Every struct is the union of the v20.10 and the current field sets (a field of either version is
 * decoded); fields added after API 1.41 say when. Where the Go type changed, the type that accepts
 * more JSON is used (CapAdd/CapDrop: strslice.StrSlice in v20.10, []string now → STR_SLICE).
 */

import type { GoType } from '../go-types.js';
import {
  goArray,
  goBool,
  goInt,
  goInt64,
  goMap,
  goPtr,
  goSlice,
  goString,
  goUint,
  goUint16,
  goUint64,
} from '../go-types.js';
import { STR_SLICE } from './strslice.js';
import { DURATION, EMPTY_STRUCT, STRING_LIST, STRING_MAP, embedded, f, fj, fo, goStruct } from './fields.js';
import { MOUNT } from './mount.js';

// ---------------------------------------------------------------------------------------------
// container.Config (the portable part)
// ---------------------------------------------------------------------------------------------

/**
 * container.HealthConfig (api/types/container/config.go), v20.10 ∪ current: Test, Interval,
 * Timeout, StartPeriod, Retries (API ≤ 1.41), StartInterval (1.44, moby v25). Durations are int64
 * nanoseconds. Test is a plain []string (not a StrSlice). Also used by swarm ContainerSpec.
 */
export const HEALTH_CONFIG: GoType = goStruct(
  [
    fo('Test', STRING_LIST),
    fo('Interval', DURATION),
    fo('Timeout', DURATION),
    fo('StartPeriod', DURATION),
    fo('StartInterval', DURATION),
    fo('Retries', goInt),
  ],
  'container.HealthConfig',
);

/**
 * container.Config (api/types/container/config.go), v20.10 (API 1.41) ∪ current.
 * ExposedPorts is nat.PortSet (map["80/tcp"]struct{}); Cmd, Entrypoint and Shell are
 * strslice.StrSlice (a JSON string or an array of strings). MacAddress is deprecated since API 1.44
 * (moved to EndpointSettings.MacAddress) but still decoded.
 */
export const CONFIG: GoType = goStruct(
  [
    f('Hostname', goString),
    f('Domainname', goString),
    f('User', goString),
    f('AttachStdin', goBool),
    f('AttachStdout', goBool),
    f('AttachStderr', goBool),
    fo('ExposedPorts', goMap(EMPTY_STRUCT)),
    f('Tty', goBool),
    f('OpenStdin', goBool),
    f('StdinOnce', goBool),
    f('Env', STRING_LIST),
    f('Cmd', STR_SLICE),
    fo('Healthcheck', goPtr(HEALTH_CONFIG)),
    fo('ArgsEscaped', goBool),
    f('Image', goString),
    f('Volumes', goMap(EMPTY_STRUCT)),
    f('WorkingDir', goString),
    f('Entrypoint', STR_SLICE),
    fo('NetworkDisabled', goBool),
    fo('MacAddress', goString),
    f('OnBuild', STRING_LIST),
    f('Labels', STRING_MAP),
    fo('StopSignal', goString),
    fo('StopTimeout', goPtr(goInt)),
    fo('Shell', STR_SLICE),
  ],
  'container.Config',
);

// ---------------------------------------------------------------------------------------------
// container.HostConfig (the host-dependent part) and container.Resources
// ---------------------------------------------------------------------------------------------

/** container.LogConfig (api/types/container/host_config.go): the log driver and its options. */
export const LOG_CONFIG: GoType = goStruct([f('Type', goString), f('Config', STRING_MAP)], 'container.LogConfig');

/**
 * container.RestartPolicy (api/types/container/host_config.go): Name ("no", "always",
 * "on-failure", "unless-stopped"; a RestartPolicyMode string type since moby v25), MaximumRetryCount.
 */
export const RESTART_POLICY: GoType = goStruct([f('Name', goString), f('MaximumRetryCount', goInt)], 'container.RestartPolicy');

/** nat.PortBinding (go-connections/nat; network.PortBinding in moby v29): HostIp, HostPort. */
export const PORT_BINDING: GoType = goStruct([fj('HostIP', 'HostIp', goString), f('HostPort', goString)], 'nat.PortBinding');

/** nat.PortMap: map["80/tcp"][]PortBinding. */
export const PORT_MAP: GoType = goMap(goSlice(PORT_BINDING));

/** container.DeviceMapping (api/types/container/host_config.go): a host device mapped into the container. */
export const DEVICE_MAPPING: GoType = goStruct(
  [f('PathOnHost', goString), f('PathInContainer', goString), f('CgroupPermissions', goString)],
  'container.DeviceMapping',
);

/**
 * container.DeviceRequest (api/types/container/host_config.go, API 1.40): a request for devices
 * from a device driver (GPUs). Capabilities is an OR-list of AND-lists, e.g. [["gpu"]].
 */
export const DEVICE_REQUEST: GoType = goStruct(
  [
    f('Driver', goString),
    f('Count', goInt),
    f('DeviceIDs', STRING_LIST),
    f('Capabilities', goSlice(STRING_LIST)),
    f('Options', STRING_MAP),
  ],
  'container.DeviceRequest',
);

/** units.Ulimit (github.com/docker/go-units; container.Ulimit alias in current moby): Name, Hard, Soft. */
export const ULIMIT: GoType = goStruct([f('Name', goString), f('Hard', goInt64), f('Soft', goInt64)], 'units.Ulimit');

/** blkiodev.WeightDevice (api/types/blkiodev/blkio.go). */
export const WEIGHT_DEVICE: GoType = goStruct([f('Path', goString), f('Weight', goUint16)], 'blkiodev.WeightDevice');

/** blkiodev.ThrottleDevice (api/types/blkiodev/blkio.go). */
export const THROTTLE_DEVICE: GoType = goStruct([f('Path', goString), f('Rate', goUint64)], 'blkiodev.ThrottleDevice');

/**
 * container.Resources (api/types/container/host_config.go; hostconfig.go in current moby),
 * v20.10 ∪ current: cgroup limits, devices, device cgroup rules, device requests, ulimits.
 * Embedded in HostConfig and in UpdateConfig. KernelMemory is ignored by the engine for API ≥ 1.42
 * but still decoded. (Resources.DiskQuota, present in moby 19.03, is not included.)
 */
export const RESOURCES: GoType = goStruct(
  [
    // Applicable to all platforms
    fj('CPUShares', 'CpuShares', goInt64),
    f('Memory', goInt64),
    fj('NanoCPUs', 'NanoCpus', goInt64),
    // Applicable to UNIX platforms
    f('CgroupParent', goString),
    f('BlkioWeight', goUint16),
    f('BlkioWeightDevice', goSlice(goPtr(WEIGHT_DEVICE))),
    f('BlkioDeviceReadBps', goSlice(goPtr(THROTTLE_DEVICE))),
    f('BlkioDeviceWriteBps', goSlice(goPtr(THROTTLE_DEVICE))),
    f('BlkioDeviceReadIOps', goSlice(goPtr(THROTTLE_DEVICE))),
    f('BlkioDeviceWriteIOps', goSlice(goPtr(THROTTLE_DEVICE))),
    fj('CPUPeriod', 'CpuPeriod', goInt64),
    fj('CPUQuota', 'CpuQuota', goInt64),
    fj('CPURealtimePeriod', 'CpuRealtimePeriod', goInt64),
    fj('CPURealtimeRuntime', 'CpuRealtimeRuntime', goInt64),
    f('CpusetCpus', goString),
    f('CpusetMems', goString),
    f('Devices', goSlice(DEVICE_MAPPING)),
    f('DeviceCgroupRules', STRING_LIST),
    f('DeviceRequests', goSlice(DEVICE_REQUEST)),
    fo('KernelMemory', goInt64),
    fo('KernelMemoryTCP', goInt64),
    f('MemoryReservation', goInt64),
    f('MemorySwap', goInt64),
    f('MemorySwappiness', goPtr(goInt64)),
    f('OomKillDisable', goPtr(goBool)),
    f('PidsLimit', goPtr(goInt64)),
    f('Ulimits', goSlice(goPtr(ULIMIT))),
    // Applicable to Windows
    fj('CPUCount', 'CpuCount', goInt64),
    fj('CPUPercent', 'CpuPercent', goInt64),
    f('IOMaximumIOps', goUint64),
    f('IOMaximumBandwidth', goUint64),
  ],
  'container.Resources',
);

/**
 * container.HostConfig (api/types/container/host_config.go in v20.10, hostconfig.go now),
 * v20.10 (API 1.41) ∪ current. Additions: Annotations (API 1.43, moby v24). Capabilities
 * (`json:"Capabilities"`, API 1.40–1.41) is gone from current moby but decoded by v20.10.
 * CapAdd/CapDrop were strslice.StrSlice in v20.10 (a string is accepted), []string now.
 * NetworkMode, IpcMode, PidMode, UTSMode, UsernsMode, Cgroup, CgroupnsMode and Isolation are
 * named string types. Resources is embedded: its fields are promoted (HostConfig.Devices, …).
 */
export const HOST_CONFIG: GoType = goStruct(
  [
    // Applicable to all platforms
    f('Binds', STRING_LIST),
    f('ContainerIDFile', goString),
    f('LogConfig', LOG_CONFIG),
    f('NetworkMode', goString),
    f('PortBindings', PORT_MAP),
    f('RestartPolicy', RESTART_POLICY),
    f('AutoRemove', goBool),
    f('VolumeDriver', goString),
    f('VolumesFrom', STRING_LIST),
    f('ConsoleSize', goArray(goUint, 2)),
    fo('Annotations', STRING_MAP),
    // Applicable to UNIX platforms
    f('CapAdd', STR_SLICE),
    f('CapDrop', STR_SLICE),
    fj('Capabilities', 'Capabilities', STRING_LIST),
    f('CgroupnsMode', goString),
    fj('DNS', 'Dns', STRING_LIST),
    fj('DNSOptions', 'DnsOptions', STRING_LIST),
    fj('DNSSearch', 'DnsSearch', STRING_LIST),
    f('ExtraHosts', STRING_LIST),
    f('GroupAdd', STRING_LIST),
    f('IpcMode', goString),
    f('Cgroup', goString),
    f('Links', STRING_LIST),
    f('OomScoreAdj', goInt),
    f('PidMode', goString),
    f('Privileged', goBool),
    f('PublishAllPorts', goBool),
    f('ReadonlyRootfs', goBool),
    f('SecurityOpt', STRING_LIST),
    fo('StorageOpt', STRING_MAP),
    fo('Tmpfs', STRING_MAP),
    f('UTSMode', goString),
    f('UsernsMode', goString),
    f('ShmSize', goInt64),
    fo('Sysctls', STRING_MAP),
    fo('Runtime', goString),
    // Applicable to Windows
    f('Isolation', goString),
    // Contains container's resources (cgroups, ulimits)
    embedded('Resources', RESOURCES),
    // Mounts specs used by the container
    fo('Mounts', goSlice(MOUNT)),
    f('MaskedPaths', STRING_LIST),
    f('ReadonlyPaths', STRING_LIST),
    fo('Init', goPtr(goBool)),
  ],
  'container.HostConfig',
);

// ---------------------------------------------------------------------------------------------
// network.NetworkingConfig
// ---------------------------------------------------------------------------------------------

/** network.EndpointIPAMConfig (api/types/network/endpoint.go): static addresses on one network. */
export const ENDPOINT_IPAM_CONFIG: GoType = goStruct(
  [fo('IPv4Address', goString), fo('IPv6Address', goString), fo('LinkLocalIPs', STRING_LIST)],
  'network.EndpointIPAMConfig',
);

/**
 * network.EndpointSettings (api/types/network/endpoint.go), v20.10 ∪ current: GwPriority (API 1.48,
 * moby v28), DNSNames (1.44). The operational fields (NetworkID … GlobalIPv6PrefixLen) are decoded
 * too; in moby v29 the address fields are netip.Addr / HardwareAddr (JSON strings, validated).
 * DriverOpts can carry per-endpoint sysctls (key com.docker.network.endpoint.sysctls, API 1.46;
 * the engine migrates `net.*.eth0.*` HostConfig.Sysctls there, see handleSysctlBC).
 */
export const ENDPOINT_SETTINGS: GoType = goStruct(
  [
    f('IPAMConfig', goPtr(ENDPOINT_IPAM_CONFIG)),
    f('Links', STRING_LIST),
    f('Aliases', STRING_LIST),
    f('DriverOpts', STRING_MAP),
    f('GwPriority', goInt),
    f('NetworkID', goString),
    f('EndpointID', goString),
    f('Gateway', goString),
    f('IPAddress', goString),
    f('IPPrefixLen', goInt),
    f('IPv6Gateway', goString),
    f('GlobalIPv6Address', goString),
    f('GlobalIPv6PrefixLen', goInt),
    f('MacAddress', goString),
    f('DNSNames', STRING_LIST),
  ],
  'network.EndpointSettings',
);

/** network.NetworkingConfig (api/types/network/network.go): endpoint settings per network name. */
export const NETWORKING_CONFIG: GoType = goStruct(
  [f('EndpointsConfig', goMap(goPtr(ENDPOINT_SETTINGS)))],
  'network.NetworkingConfig',
);

// ---------------------------------------------------------------------------------------------
// The request body
// ---------------------------------------------------------------------------------------------

/**
 * runconfig.ContainerConfigWrapper, exactly as moby v20.10 declares it (runconfig/config_unix.go,
 * API ≤ 1.41; unchanged in shape until mid-2024):
 *
 *     type ContainerConfigWrapper struct {
 *         *container.Config
 *         InnerHostConfig       *container.HostConfig          `json:"HostConfig,omitempty"`
 *         Cpuset                string                         `json:",omitempty"` // Deprecated.
 *         NetworkingConfig      *networktypes.NetworkingConfig `json:"NetworkingConfig,omitempty"`
 *         *container.HostConfig // Deprecated. Exported to read attributes from json that are not in the inner host config structure.
 *     }
 *
 * So the top level of the body binds every Config field AND every (legacy) HostConfig field
 * (including the promoted Resources fields): `{"Image":"x","Privileged":true}` decodes with a
 * non-nil top-level HostConfig. What the engine then uses is decided by getHostConfig(), reproduced
 * by effectiveHostConfig() below. Current moby decodes container.CreateRequest instead
 * (CONTAINER_CREATE_REQUEST_CURRENT), which binds a subset of these keys, so this description is the
 * superset for decoding purposes.
 */
export const CONTAINER_CREATE_BODY: GoType = goStruct(
  [
    embedded('Config', goPtr(CONFIG)),
    fj('InnerHostConfig', 'HostConfig', goPtr(HOST_CONFIG), true),
    fo('Cpuset', goString),
    fj('NetworkingConfig', 'NetworkingConfig', goPtr(NETWORKING_CONFIG), true),
    embedded('HostConfig', goPtr(HOST_CONFIG)),
  ],
  'runconfig.ContainerConfigWrapper',
);

/**
 * container.CreateRequest (api/types/container/create_request.go), the body current moby decodes
 * (runconfig.ContainerConfigWrapper became an alias of it, moby PR #48007, 2024):
 * `{ *Config; HostConfig *HostConfig "HostConfig,omitempty"; NetworkingConfig *NetworkingConfig
 * "NetworkingConfig,omitempty" }`. Top-level HostConfig fields and Cpuset are unknown keys here.
 */
export const CONTAINER_CREATE_REQUEST_CURRENT: GoType = goStruct(
  [
    embedded('Config', goPtr(CONFIG)),
    fj('HostConfig', 'HostConfig', goPtr(HOST_CONFIG), true),
    fj('NetworkingConfig', 'NetworkingConfig', goPtr(NETWORKING_CONFIG), true),
  ],
  'container.CreateRequest',
);

// ---------------------------------------------------------------------------------------------
// getHostConfig()
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function structOf(t: GoType): (GoType & { kind: 'struct' }) | null {
  let u = t;
  while (u.kind === 'ptr') u = u.elem;
  return u.kind === 'struct' ? u : null;
}

/** The JSON names a struct binds at its top level, with promoted fields of embedded structs, and their types. */
function promotedFields(t: GoType): Map<string, GoType> {
  const out = new Map<string, GoType>();
  const s = structOf(t);
  if (s === null) return out;
  for (const fld of s.fields) {
    if (fld.json === '-') continue;
    const inner = fld.embedded === true && fld.json === undefined ? structOf(fld.type) : null;
    if (inner !== null) {
      for (const [k, v] of promotedFields(inner)) if (!out.has(k)) out.set(k, v);
    } else {
      out.set(fld.json !== undefined && fld.json !== '' ? fld.json : fld.name, fld.type);
    }
  }
  return out;
}

/**
 * Whether a decoded value is Go's zero value of its type. A decoded view may spell "nothing" as an
 * absent key, undefined, null, 0, 0n, '', false, an empty list/map, or a struct of zeros.
 */
function isZero(v: unknown, t: GoType): boolean {
  if (v === undefined || v === null) return true;
  switch (t.kind) {
    case 'bool':
      return v === false;
    case 'string':
      return v === '';
    case 'int':
    case 'float':
      return v === 0 || v === 0n;
    case 'ptr':
      return false; // a non-nil pointer, even to a zero value, is not zero
    case 'slice':
    case 'map':
    case 'custom':
    case 'any':
    case 'rawMessage':
      if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
      if (isObj(v)) return Object.keys(v).length === 0;
      return false;
    case 'array':
      return Array.isArray(v) && v.every((x) => isZero(x, t.elem));
    case 'struct': {
      if (!isObj(v)) return false;
      const fields = promotedFields(t);
      return Object.entries(v).every(([k, x]) => {
        const ft = fields.get(k);
        return ft === undefined || isZero(x, ft);
      });
    }
  }
}

/** JSON names of the HostConfig fields the top level of a v20.10 create body binds (Resources included). */
export const LEGACY_TOP_LEVEL_HOST_CONFIG_KEYS: readonly string[] = [...promotedFields(HOST_CONFIG).keys()];

/**
 * The only top-level (legacy) HostConfig fields that v20.10's getHostConfig() copies into a body's
 * `HostConfig` object, each only when the top-level value is non-zero and the inner one is zero.
 */
export const LEGACY_MERGED_FIELDS: readonly string[] = ['Memory', 'MemorySwap', 'CpuShares', 'CpusetCpus', 'VolumeDriver'];

const HOST_CONFIG_FIELDS = promotedFields(HOST_CONFIG);

function zeroField(hc: Obj, key: string): boolean {
  const t = HOST_CONFIG_FIELDS.get(key);
  return t === undefined ? hc[key] === undefined || hc[key] === null : isZero(hc[key], t);
}

/**
 * The HostConfig moby v20.10 (API ≤ 1.41) acts on for a create body — runconfig
 * (*ContainerConfigWrapper).getHostConfig() in runconfig/config_unix.go, then
 * SetDefaultNetModeIfBlank (runconfig/hostconfig_unix.go):
 *
 *  1. `hc := w.HostConfig` — the embedded top-level one. Go allocates it as soon as the body has
 *     any top-level key that names a HostConfig or Resources field (even with a null value).
 *  2. No top-level fields, `HostConfig` object given → that object is used as is.
 *  3. Top-level fields, no `HostConfig` object (absent or null) → the top-level fields are used
 *     WHOLESALE: `{"Image":"x","Privileged":true,"Binds":["/:/host"]}` is a privileged container
 *     with the host root mounted, on v20.10.
 *  4. Both → the `HostConfig` object wins; only Memory, MemorySwap, CpuShares, CpusetCpus and
 *     VolumeDriver are copied from the top level, each when non-zero there and zero inside. Every
 *     other top-level field (Privileged, Binds, CapAdd, …) is ignored.
 *  5. Then, if there is a HostConfig, a non-empty top-level `Cpuset` fills an empty CpusetCpus,
 *     and an empty NetworkMode becomes "default".
 *  6. Neither → null (nil): the daemon then uses an empty HostConfig.
 *
 * Newer moby differs: moby PR #48007 ("runconfig: remove code for API < v1.18, deprecate
 * SetDefaultNetModeIfBlank, ContainerConfigWrapper", June 2024) turned ContainerConfigWrapper into
 * an alias of container.CreateRequest, which has no embedded HostConfig and no Cpuset; current
 * moby (daemon/internal/runconfig/config.go decodeCreateRequest) uses only the `HostConfig` object
 * (an empty one when absent, NetworkMode "default" when empty) and ignores top-level HostConfig
 * fields entirely, whatever the API version. See effectiveHostConfigCurrent(). A proxy that must be
 * right for both engines has to consider the v20.10 result (the more permissive one).
 *
 * `view` is the decoded body keyed by the engine's exact JSON names (promoted fields at the top
 * level, the inner object under "HostConfig"); a key that is absent, or holds Go's zero value, is
 * treated as not given (an allocated-but-all-zero top-level HostConfig yields the same container
 * as a nil one). The input is not modified; the result is a fresh object or null.
 */
export function effectiveHostConfig(view: unknown): Obj | null {
  const top = isObj(view) ? view : {};
  const topGiven = LEGACY_TOP_LEVEL_HOST_CONFIG_KEYS.some((k) => !zeroField(top, k));
  const innerRaw = top['HostConfig'];
  const inner = isObj(innerRaw) ? innerRaw : null;

  let hc: Obj | null;
  if (inner === null) {
    if (!topGiven) return null;
    hc = {};
    for (const k of LEGACY_TOP_LEVEL_HOST_CONFIG_KEYS) if (Object.prototype.hasOwnProperty.call(top, k)) hc[k] = top[k];
  } else {
    hc = { ...inner };
    if (topGiven) {
      for (const k of LEGACY_MERGED_FIELDS) if (!zeroField(top, k) && zeroField(hc, k)) hc[k] = top[k];
    }
  }

  const cpuset = top['Cpuset'];
  if (typeof cpuset === 'string' && cpuset !== '' && zeroField(hc, 'CpusetCpus')) hc['CpusetCpus'] = cpuset;
  if (zeroField(hc, 'NetworkMode')) hc['NetworkMode'] = 'default';
  return hc;
}

/**
 * The HostConfig current moby acts on (daemon/internal/runconfig/config.go decodeCreateRequest):
 * the `HostConfig` object only (empty when absent or null), NetworkMode "default" when empty (on
 * Linux); top-level HostConfig fields and Cpuset are ignored.
 */
export function effectiveHostConfigCurrent(view: unknown): Obj {
  const top = isObj(view) ? view : {};
  const innerRaw = top['HostConfig'];
  const hc: Obj = isObj(innerRaw) ? { ...innerRaw } : {};
  if (zeroField(hc, 'NetworkMode')) hc['NetworkMode'] = 'default';
  return hc;
}
