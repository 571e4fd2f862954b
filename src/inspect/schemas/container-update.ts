/**
 * The body of POST /containers/{id}/update.
 *
 * Source (moby/moby): api/types/container/host_config.go (v20.10, API 1.41) / hostconfig.go
 * (current): container.UpdateConfig, read by postContainerUpdate in
 * api/server/router/container/container_routes.go (v20.10) and
 * daemon/server/router/container/container_routes.go (current), which copies Resources and
 * RestartPolicy into a HostConfig for the update.
 */

import type { GoType } from '../go-types.js';
import { RESOURCES, RESTART_POLICY } from './container-create.js';
import { embedded, f, goStruct } from './fields.js';

/**
 * container.UpdateConfig (api/types/container/host_config.go), v20.10 ∪ current:
 * `{ Resources (embedded: CpuShares, Memory, Devices, DeviceCgroupRules, DeviceRequests, Ulimits, …);
 * RestartPolicy RestartPolicy }`. The engine refuses some fields on update (e.g. a changed
 * KernelMemory on a running container) but decodes them all. PidsLimit is ignored below API 1.40;
 * KernelMemory is ignored from API 1.42.
 */
export const UPDATE_CONFIG: GoType = goStruct(
  [embedded('Resources', RESOURCES), f('RestartPolicy', RESTART_POLICY)],
  'container.UpdateConfig',
);
