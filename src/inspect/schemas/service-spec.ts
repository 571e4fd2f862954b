/**
 * The body of POST /services/create and POST /services/{id}/update: a swarm.ServiceSpec.
 *
 * Sources (moby/moby api/types/swarm/): service.go (ServiceSpec, ServiceMode, UpdateConfig),
 * task.go (TaskSpec, ResourceRequirements, Limit, Resources, GenericResource, Placement,
 * RestartPolicy), container.go (ContainerSpec, Privileges, SELinuxContext, CredentialSpec,
 * SeccompOpts, AppArmorOpts, DNSConfig), network.go (EndpointSpec, PortConfig,
 * NetworkAttachmentConfig), common.go (Annotations, Driver), secret.go, config.go, runtime.go,
 * runtime/plugin.pb.go (PluginSpec). v20.10 (API 1.41) ∪ current (docker v28.3 / moby v29), read by
 * api/server/router/swarm/cluster_routes.go createService/updateService (v20.10) and
 * daemon/server/router/swarm/cluster_routes.go (current).
 */

import type { GoType } from '../go-types.js';
import { goBool, goBytes, goFloat32, goInt64, goPtr, goSlice, goString, goUint32, goUint64 } from '../go-types.js';
import { HEALTH_CONFIG, ULIMIT } from './container-create.js';
import { DURATION, EMPTY_STRUCT, FILE_MODE, STRING_LIST, STRING_MAP, embedded, f, fj, fo, goStruct } from './fields.js';
import { MOUNT } from './mount.js';

/** swarm.Annotations (common.go): Name (omitempty), Labels (`json:"Labels"`). Embedded in ServiceSpec. */
export const SWARM_ANNOTATIONS: GoType = goStruct([fo('Name', goString), fj('Labels', 'Labels', STRING_MAP)], 'swarm.Annotations');

/** swarm.Driver (common.go): a driver name and options (log driver, network driver, secret templating). */
export const SWARM_DRIVER: GoType = goStruct([fo('Name', goString), fo('Options', STRING_MAP)], 'swarm.Driver');

// ---- ContainerSpec -------------------------------------------------------------------------

/** swarm.CredentialSpec (container.go, Windows gMSA): Config (API 1.40), File, Registry. */
export const SWARM_CREDENTIAL_SPEC: GoType = goStruct(
  [f('Config', goString), f('File', goString), f('Registry', goString)],
  'swarm.CredentialSpec',
);

/** swarm.SELinuxContext (container.go): Disable turns SELinux labelling off for the task's container. */
export const SWARM_SELINUX_CONTEXT: GoType = goStruct(
  [f('Disable', goBool), f('User', goString), f('Role', goString), f('Type', goString), f('Level', goString)],
  'swarm.SELinuxContext',
);

/**
 * swarm.SeccompOpts (container.go), API 1.46 (moby v27): Mode "default" | "unconfined" | "custom";
 * Profile is a []byte (a base64 JSON string, or an array of byte values) holding a custom profile.
 */
export const SWARM_SECCOMP_OPTS: GoType = goStruct([fo('Mode', goString), fo('Profile', goBytes)], 'swarm.SeccompOpts');

/** swarm.AppArmorOpts (container.go), API 1.46: Mode "default" | "disabled". */
export const SWARM_APPARMOR_OPTS: GoType = goStruct([fo('Mode', goString)], 'swarm.AppArmorOpts');

/**
 * swarm.Privileges (container.go): CredentialSpec, SELinuxContext (API ≤ 1.41), Seccomp, AppArmor,
 * NoNewPrivileges (API 1.46, moby v27).
 */
export const SWARM_PRIVILEGES: GoType = goStruct(
  [
    f('CredentialSpec', goPtr(SWARM_CREDENTIAL_SPEC)),
    f('SELinuxContext', goPtr(SWARM_SELINUX_CONTEXT)),
    fo('Seccomp', goPtr(SWARM_SECCOMP_OPTS)),
    fo('AppArmor', goPtr(SWARM_APPARMOR_OPTS)),
    f('NoNewPrivileges', goBool),
  ],
  'swarm.Privileges',
);

/** swarm.DNSConfig (container.go): Nameservers, Search, Options. */
export const SWARM_DNS_CONFIG: GoType = goStruct(
  [fo('Nameservers', STRING_LIST), fo('Search', STRING_LIST), fo('Options', STRING_LIST)],
  'swarm.DNSConfig',
);

/** swarm.SecretReferenceFileTarget (secret.go): Name, UID, GID, Mode (os.FileMode). */
export const SWARM_SECRET_FILE_TARGET: GoType = goStruct(
  [f('Name', goString), f('UID', goString), f('GID', goString), f('Mode', FILE_MODE)],
  'swarm.SecretReferenceFileTarget',
);

/** swarm.SecretReference (secret.go): File, SecretID, SecretName. */
export const SWARM_SECRET_REFERENCE: GoType = goStruct(
  [f('File', goPtr(SWARM_SECRET_FILE_TARGET)), f('SecretID', goString), f('SecretName', goString)],
  'swarm.SecretReference',
);

/** swarm.ConfigReferenceFileTarget (config.go): Name, UID, GID, Mode. */
export const SWARM_CONFIG_FILE_TARGET: GoType = goStruct(
  [f('Name', goString), f('UID', goString), f('GID', goString), f('Mode', FILE_MODE)],
  'swarm.ConfigReferenceFileTarget',
);

/** swarm.ConfigReference (config.go): File, Runtime (struct{}, API 1.40), ConfigID, ConfigName. */
export const SWARM_CONFIG_REFERENCE: GoType = goStruct(
  [
    fo('File', goPtr(SWARM_CONFIG_FILE_TARGET)),
    fo('Runtime', goPtr(EMPTY_STRUCT)),
    f('ConfigID', goString),
    f('ConfigName', goString),
  ],
  'swarm.ConfigReference',
);

/**
 * swarm.ContainerSpec (container.go), v20.10 (API 1.41) ∪ current. All fields `json:",omitempty"`.
 * Security-relevant: Privileges, User, Groups, Mounts (mount.Mount, same as HostConfig.Mounts),
 * CapabilityAdd / CapabilityDrop (API 1.41), Sysctls (1.40), Init, Isolation, Ulimits (1.41),
 * OomScoreAdj (1.46). Command and Args are plain []string. There is no Privileged flag, no
 * Devices and no NetworkMode/PidMode for swarm containers.
 */
export const CONTAINER_SPEC: GoType = goStruct(
  [
    fo('Image', goString),
    fo('Labels', STRING_MAP),
    fo('Command', STRING_LIST),
    fo('Args', STRING_LIST),
    fo('Hostname', goString),
    fo('Env', STRING_LIST),
    fo('Dir', goString),
    fo('User', goString),
    fo('Groups', STRING_LIST),
    fo('Privileges', goPtr(SWARM_PRIVILEGES)),
    fo('Init', goPtr(goBool)),
    fo('StopSignal', goString),
    fo('TTY', goBool),
    fo('OpenStdin', goBool),
    fo('ReadOnly', goBool),
    fo('Mounts', goSlice(MOUNT)),
    fo('StopGracePeriod', goPtr(DURATION)),
    fo('Healthcheck', goPtr(HEALTH_CONFIG)),
    fo('Hosts', STRING_LIST),
    fo('DNSConfig', goPtr(SWARM_DNS_CONFIG)),
    fo('Secrets', goSlice(goPtr(SWARM_SECRET_REFERENCE))),
    fo('Configs', goSlice(goPtr(SWARM_CONFIG_REFERENCE))),
    fo('Isolation', goString),
    fo('Sysctls', STRING_MAP),
    fo('CapabilityAdd', STRING_LIST),
    fo('CapabilityDrop', STRING_LIST),
    fo('Ulimits', goSlice(goPtr(ULIMIT))),
    fo('OomScoreAdj', goInt64),
  ],
  'swarm.ContainerSpec',
);

// ---- PluginSpec / NetworkAttachmentSpec ------------------------------------------------------

/** runtime.PluginPrivilege (swarm/runtime/plugin.pb.go): lower-case protobuf JSON names. */
export const SWARM_PLUGIN_PRIVILEGE: GoType = goStruct(
  [fj('Name', 'name', goString, true), fj('Description', 'description', goString, true), fj('Value', 'value', STRING_LIST, true)],
  'runtime.PluginPrivilege',
);

/**
 * runtime.PluginSpec (swarm/runtime/plugin.pb.go): a plugin installed on every node by a service
 * with TaskTemplate.Runtime "plugin" — Privileges are granted without a prompt. JSON names are the
 * protobuf ones: name, remote, privileges, disabled, env.
 */
export const SWARM_PLUGIN_SPEC: GoType = goStruct(
  [
    fj('Name', 'name', goString, true),
    fj('Remote', 'remote', goString, true),
    fj('Privileges', 'privileges', goSlice(goPtr(SWARM_PLUGIN_PRIVILEGE)), true),
    fj('Disabled', 'disabled', goBool, true),
    fj('Env', 'env', STRING_LIST, true),
  ],
  'runtime.PluginSpec',
);

/** swarm.NetworkAttachmentSpec (runtime.go): ContainerID, for Runtime "attachment". */
export const SWARM_NETWORK_ATTACHMENT_SPEC: GoType = goStruct([f('ContainerID', goString)], 'swarm.NetworkAttachmentSpec');

// ---- Resources, placement, restart ------------------------------------------------------------

/** swarm.NamedGenericResource (task.go): Kind, Value (string). */
export const SWARM_NAMED_GENERIC_RESOURCE: GoType = goStruct([fo('Kind', goString), fo('Value', goString)], 'swarm.NamedGenericResource');

/** swarm.DiscreteGenericResource (task.go): Kind, Value (int64). */
export const SWARM_DISCRETE_GENERIC_RESOURCE: GoType = goStruct([fo('Kind', goString), fo('Value', goInt64)], 'swarm.DiscreteGenericResource');

/** swarm.GenericResource (task.go): NamedResourceSpec or DiscreteResourceSpec (e.g. GPUs). */
export const SWARM_GENERIC_RESOURCE: GoType = goStruct(
  [fo('NamedResourceSpec', goPtr(SWARM_NAMED_GENERIC_RESOURCE)), fo('DiscreteResourceSpec', goPtr(SWARM_DISCRETE_GENERIC_RESOURCE))],
  'swarm.GenericResource',
);

/** swarm.Limit (task.go), API 1.41: NanoCPUs, MemoryBytes, Pids. */
export const SWARM_LIMIT: GoType = goStruct([fo('NanoCPUs', goInt64), fo('MemoryBytes', goInt64), fo('Pids', goInt64)], 'swarm.Limit');

/** swarm.Resources (task.go): NanoCPUs, MemoryBytes, GenericResources. */
export const SWARM_RESOURCES: GoType = goStruct(
  [fo('NanoCPUs', goInt64), fo('MemoryBytes', goInt64), fo('GenericResources', goSlice(SWARM_GENERIC_RESOURCE))],
  'swarm.Resources',
);

/** swarm.ResourceRequirements (task.go): Limits (*Limit), Reservations (*Resources). */
export const SWARM_RESOURCE_REQUIREMENTS: GoType = goStruct(
  [fo('Limits', goPtr(SWARM_LIMIT)), fo('Reservations', goPtr(SWARM_RESOURCES))],
  'swarm.ResourceRequirements',
);

/** swarm.SpreadOver (task.go): SpreadDescriptor. */
export const SWARM_SPREAD_OVER: GoType = goStruct([f('SpreadDescriptor', goString)], 'swarm.SpreadOver');

/** swarm.PlacementPreference (task.go): Spread. */
export const SWARM_PLACEMENT_PREFERENCE: GoType = goStruct([f('Spread', goPtr(SWARM_SPREAD_OVER))], 'swarm.PlacementPreference');

/** swarm.Platform (node.go): Architecture, OS. */
export const SWARM_PLATFORM: GoType = goStruct([fo('Architecture', goString), fo('OS', goString)], 'swarm.Platform');

/** swarm.Placement (task.go): Constraints, Preferences, MaxReplicas (API 1.40), Platforms. */
export const SWARM_PLACEMENT: GoType = goStruct(
  [
    fo('Constraints', STRING_LIST),
    fo('Preferences', goSlice(SWARM_PLACEMENT_PREFERENCE)),
    fo('MaxReplicas', goUint64),
    fo('Platforms', goSlice(SWARM_PLATFORM)),
  ],
  'swarm.Placement',
);

/** swarm.RestartPolicy (task.go): Condition, Delay, MaxAttempts, Window. */
export const SWARM_RESTART_POLICY: GoType = goStruct(
  [fo('Condition', goString), fo('Delay', goPtr(DURATION)), fo('MaxAttempts', goPtr(goUint64)), fo('Window', goPtr(DURATION))],
  'swarm.RestartPolicy',
);

/** swarm.NetworkAttachmentConfig (network.go): Target, Aliases, DriverOpts. */
export const SWARM_NETWORK_ATTACHMENT_CONFIG: GoType = goStruct(
  [fo('Target', goString), fo('Aliases', STRING_LIST), fo('DriverOpts', STRING_MAP)],
  'swarm.NetworkAttachmentConfig',
);

/**
 * swarm.TaskSpec (task.go), v20.10 ∪ current: ContainerSpec, PluginSpec, NetworkAttachmentSpec
 * (mutually exclusive, chosen by Runtime: "container" | "plugin" | "attachment"), Resources,
 * RestartPolicy, Placement, Networks, LogDriver, ForceUpdate, Runtime.
 */
export const TASK_SPEC: GoType = goStruct(
  [
    fo('ContainerSpec', goPtr(CONTAINER_SPEC)),
    fo('PluginSpec', goPtr(SWARM_PLUGIN_SPEC)),
    fo('NetworkAttachmentSpec', goPtr(SWARM_NETWORK_ATTACHMENT_SPEC)),
    fo('Resources', goPtr(SWARM_RESOURCE_REQUIREMENTS)),
    fo('RestartPolicy', goPtr(SWARM_RESTART_POLICY)),
    fo('Placement', goPtr(SWARM_PLACEMENT)),
    fo('Networks', goSlice(SWARM_NETWORK_ATTACHMENT_CONFIG)),
    fo('LogDriver', goPtr(SWARM_DRIVER)),
    f('ForceUpdate', goUint64),
    fo('Runtime', goString),
  ],
  'swarm.TaskSpec',
);

// ---- Mode, update/rollback, endpoint -----------------------------------------------------------

/** swarm.ReplicatedService (service.go): Replicas. */
export const SWARM_REPLICATED_SERVICE: GoType = goStruct([fo('Replicas', goPtr(goUint64))], 'swarm.ReplicatedService');

/** swarm.ReplicatedJob (service.go), API 1.41: MaxConcurrent, TotalCompletions. */
export const SWARM_REPLICATED_JOB: GoType = goStruct(
  [fo('MaxConcurrent', goPtr(goUint64)), fo('TotalCompletions', goPtr(goUint64))],
  'swarm.ReplicatedJob',
);

/** swarm.ServiceMode (service.go): Replicated, Global (struct{}), ReplicatedJob, GlobalJob (struct{}, API 1.41). */
export const SWARM_SERVICE_MODE: GoType = goStruct(
  [
    fo('Replicated', goPtr(SWARM_REPLICATED_SERVICE)),
    fo('Global', goPtr(EMPTY_STRUCT)),
    fo('ReplicatedJob', goPtr(SWARM_REPLICATED_JOB)),
    fo('GlobalJob', goPtr(EMPTY_STRUCT)),
  ],
  'swarm.ServiceMode',
);

/** swarm.UpdateConfig (service.go): used for UpdateConfig and RollbackConfig. */
export const SWARM_UPDATE_CONFIG: GoType = goStruct(
  [
    f('Parallelism', goUint64),
    fo('Delay', DURATION),
    fo('FailureAction', goString),
    fo('Monitor', DURATION),
    f('MaxFailureRatio', goFloat32),
    f('Order', goString),
  ],
  'swarm.UpdateConfig',
);

/** swarm.PortConfig (network.go): Name, Protocol, TargetPort, PublishedPort, PublishMode ("ingress" | "host"). */
export const SWARM_PORT_CONFIG: GoType = goStruct(
  [fo('Name', goString), fo('Protocol', goString), fo('TargetPort', goUint32), fo('PublishedPort', goUint32), fo('PublishMode', goString)],
  'swarm.PortConfig',
);

/** swarm.EndpointSpec (network.go): Mode ("vip" | "dnsrr"), Ports. */
export const SWARM_ENDPOINT_SPEC: GoType = goStruct([fo('Mode', goString), fo('Ports', goSlice(SWARM_PORT_CONFIG))], 'swarm.EndpointSpec');

/**
 * swarm.ServiceSpec (api/types/swarm/service.go), moby v20.10 (API 1.41) ∪ current:
 * Annotations (embedded: Name, Labels), TaskTemplate, Mode, UpdateConfig, RollbackConfig,
 * Networks (deprecated since API 1.44 in favour of TaskTemplate.Networks, still decoded),
 * EndpointSpec. The whole body of POST /services/create and /services/{id}/update.
 */
export const SERVICE_SPEC: GoType = goStruct(
  [
    embedded('Annotations', SWARM_ANNOTATIONS),
    fo('TaskTemplate', TASK_SPEC),
    fo('Mode', SWARM_SERVICE_MODE),
    fo('UpdateConfig', goPtr(SWARM_UPDATE_CONFIG)),
    fo('RollbackConfig', goPtr(SWARM_UPDATE_CONFIG)),
    fo('Networks', goSlice(SWARM_NETWORK_ATTACHMENT_CONFIG)),
    fo('EndpointSpec', goPtr(SWARM_ENDPOINT_SPEC)),
  ],
  'swarm.ServiceSpec',
);
