/**
 * mount.Mount and its option structs: HostConfig.Mounts of a container create (API ≥ 1.25) and
 * ContainerSpec.Mounts of a swarm service. One description, shared, because Go uses one type.
 *
 * Mirrors moby api/types/mount/mount.go: v20.10 (API 1.41) and current moby (docker v28,
 * github.com/moby/moby/api v1.5x), i.e. the union of both; later additions carry their API version.
 */

import type { GoType } from '../go-types.js';
import { goBool, goInt64, goPtr, goSlice, goString } from '../go-types.js';
import { EMPTY_STRUCT, FILE_MODE, STRING_LIST, STRING_MAP, fj, fo, goStruct } from './fields.js';

/**
 * mount.IDMapping (api/types/mount/mount.go). NOT in any release I could confirm: it appears only in
 * a stored moby source that says "Requires API v1.56". Kept so that a body using it is decoded and
 * visible to rules rather than passed through unseen; drop it if it never ships.
 */
export const MOUNT_ID_MAPPING: GoType = goStruct([fj('Source', 'Source', goString), fj('User', 'User', goString)], 'mount.IDMapping');

/**
 * mount.BindOptions (api/types/mount/mount.go). Propagation (API 1.25), NonRecursive (1.40),
 * CreateMountpoint (1.42, moby v23), ReadOnlyNonRecursive and ReadOnlyForceRecursive (1.44, v25),
 * IDMapping (unconfirmed, see MOUNT_ID_MAPPING).
 */
export const MOUNT_BIND_OPTIONS: GoType = goStruct(
  [
    fo('Propagation', goString),
    fo('NonRecursive', goBool),
    fo('CreateMountpoint', goBool),
    fo('ReadOnlyNonRecursive', goBool),
    fo('ReadOnlyForceRecursive', goBool),
    fj('IDMapping', 'IDMapping', goPtr(MOUNT_ID_MAPPING)),
  ],
  'mount.BindOptions',
);

/**
 * mount.Driver (api/types/mount/mount.go): the volume driver and its options for a volume mount.
 * With the `local` driver, Options {type, device, o} are handed to mount(8): `o: bind` mounts any
 * host path (`device`) — the reason VolumeOptions.DriverConfig.Options is a dangerous field.
 */
export const MOUNT_DRIVER: GoType = goStruct([fo('Name', goString), fo('Options', STRING_MAP)], 'mount.Driver');

/**
 * mount.VolumeOptions (api/types/mount/mount.go): NoCopy, Labels, DriverConfig (API 1.25),
 * Subpath (1.45, moby v26).
 */
export const MOUNT_VOLUME_OPTIONS: GoType = goStruct(
  [fo('NoCopy', goBool), fo('Labels', STRING_MAP), fo('Subpath', goString), fo('DriverConfig', goPtr(MOUNT_DRIVER))],
  'mount.VolumeOptions',
);

/** mount.ImageOptions (api/types/mount/mount.go): for mounts of Type "image", API 1.48 (moby v28). */
export const MOUNT_IMAGE_OPTIONS: GoType = goStruct([fo('Subpath', goString)], 'mount.ImageOptions');

/**
 * mount.TmpfsOptions (api/types/mount/mount.go): SizeBytes, Mode (os.FileMode, API 1.25),
 * Options ([][]string of flags / key-value pairs, API 1.46, moby v27).
 */
export const MOUNT_TMPFS_OPTIONS: GoType = goStruct(
  [fo('SizeBytes', goInt64), fo('Mode', FILE_MODE), fo('Options', goSlice(STRING_LIST))],
  'mount.TmpfsOptions',
);

/** mount.ClusterOptions (api/types/mount/mount.go): intentionally empty, API 1.42 (swarm CSI volumes). */
export const MOUNT_CLUSTER_OPTIONS: GoType = EMPTY_STRUCT;

/**
 * mount.Mount (api/types/mount/mount.go), moby v20.10 (API 1.41) ∪ current.
 * Type is one of bind | volume | tmpfs | npipe | cluster (1.42) | image (1.48); Source is a host
 * path for bind/npipe and a volume name for volume. ImageOptions is API 1.48.
 */
export const MOUNT: GoType = goStruct(
  [
    fo('Type', goString),
    fo('Source', goString),
    fo('Target', goString),
    fo('ReadOnly', goBool),
    fo('Consistency', goString),
    fo('BindOptions', goPtr(MOUNT_BIND_OPTIONS)),
    fo('VolumeOptions', goPtr(MOUNT_VOLUME_OPTIONS)),
    fo('ImageOptions', goPtr(MOUNT_IMAGE_OPTIONS)),
    fo('TmpfsOptions', goPtr(MOUNT_TMPFS_OPTIONS)),
    fo('ClusterOptions', goPtr(MOUNT_CLUSTER_OPTIONS)),
  ],
  'mount.Mount',
);
