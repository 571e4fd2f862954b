/**
 * The body of POST /volumes/create.
 *
 * Sources (moby/moby): v20.10 api/types/volume/volume_create_body.go (volume.VolumeCreateBody),
 * read by api/server/router/volume/volume_routes.go postVolumesCreate; current
 * api/types/volume/create_options.go (volume.CreateOptions) and cluster_volume.go, read by
 * daemon/server/router/volume/volume_routes.go.
 */

import type { GoType } from '../go-types.js';
import { goInt64, goPtr, goSlice, goString } from '../go-types.js';
import { EMPTY_STRUCT, STRING_LIST, STRING_MAP, f, fj, fo, goStruct } from './fields.js';

/** volume.TypeMount (api/types/volume/cluster_volume.go): FsType, MountFlags. */
export const CLUSTER_VOLUME_TYPE_MOUNT: GoType = goStruct([fo('FsType', goString), fo('MountFlags', STRING_LIST)], 'volume.TypeMount');

/** volume.AccessMode (api/types/volume/cluster_volume.go): Scope, Sharing, MountVolume, BlockVolume (struct{}). */
export const CLUSTER_VOLUME_ACCESS_MODE: GoType = goStruct(
  [
    fo('Scope', goString),
    fo('Sharing', goString),
    fo('MountVolume', goPtr(CLUSTER_VOLUME_TYPE_MOUNT)),
    fo('BlockVolume', goPtr(EMPTY_STRUCT)),
  ],
  'volume.AccessMode',
);

/** volume.Topology (api/types/volume/cluster_volume.go): Segments. */
export const CLUSTER_VOLUME_TOPOLOGY: GoType = goStruct([fo('Segments', STRING_MAP)], 'volume.Topology');

/** volume.TopologyRequirement (api/types/volume/cluster_volume.go): Requisite, Preferred. */
export const CLUSTER_VOLUME_TOPOLOGY_REQUIREMENT: GoType = goStruct(
  [fo('Requisite', goSlice(CLUSTER_VOLUME_TOPOLOGY)), fo('Preferred', goSlice(CLUSTER_VOLUME_TOPOLOGY))],
  'volume.TopologyRequirement',
);

/** volume.CapacityRange (api/types/volume/cluster_volume.go): RequiredBytes, LimitBytes. */
export const CLUSTER_VOLUME_CAPACITY_RANGE: GoType = goStruct(
  [f('RequiredBytes', goInt64), f('LimitBytes', goInt64)],
  'volume.CapacityRange',
);

/** volume.Secret (api/types/volume/cluster_volume.go): a swarm secret handed to the CSI plugin. */
export const CLUSTER_VOLUME_SECRET: GoType = goStruct([f('Key', goString), f('Secret', goString)], 'volume.Secret');

/**
 * volume.ClusterVolumeSpec (api/types/volume/cluster_volume.go), API 1.42 (moby v23): a swarm CSI
 * cluster volume; the handler only honours it for API ≥ 1.42 (otherwise a local volume is made).
 */
export const CLUSTER_VOLUME_SPEC: GoType = goStruct(
  [
    fo('Group', goString),
    fo('AccessMode', goPtr(CLUSTER_VOLUME_ACCESS_MODE)),
    fo('AccessibilityRequirements', goPtr(CLUSTER_VOLUME_TOPOLOGY_REQUIREMENT)),
    fo('CapacityRange', goPtr(CLUSTER_VOLUME_CAPACITY_RANGE)),
    fo('Secrets', goSlice(CLUSTER_VOLUME_SECRET)),
    fo('Availability', goString),
  ],
  'volume.ClusterVolumeSpec',
);

/**
 * volume.VolumeCreateBody (api/types/volume/volume_create_body.go, moby v20.10, API 1.41) ∪
 * volume.CreateOptions (api/types/volume/create_options.go, current): Name, Driver, DriverOpts,
 * Labels, ClusterVolumeSpec (API 1.42). With the `local` driver, DriverOpts {type, device, o} go to
 * mount(8): `{"type":"none","o":"bind","device":"/"}` makes a volume of any host path.
 */
export const VOLUME_CREATE_BODY: GoType = goStruct(
  [
    fj('ClusterVolumeSpec', 'ClusterVolumeSpec', goPtr(CLUSTER_VOLUME_SPEC), true),
    fj('Driver', 'Driver', goString, true),
    fj('DriverOpts', 'DriverOpts', STRING_MAP, true),
    fj('Labels', 'Labels', STRING_MAP, true),
    fj('Name', 'Name', goString, true),
  ],
  'volume.CreateOptions',
);
