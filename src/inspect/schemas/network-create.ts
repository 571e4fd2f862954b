/**
 * The body of POST /networks/create.
 *
 * Sources (moby/moby): v20.10 api/types/types.go (types.NetworkCreateRequest embedding
 * types.NetworkCreate) and api/types/network/network.go (IPAM, IPAMConfig, ConfigReference), read
 * by api/server/router/network/network_routes.go postNetworkCreate; current
 * api/types/network/network.go (network.CreateRequest embedding network.CreateOptions) and ipam.go,
 * read by daemon/server/router/network/network_routes.go.
 */

import type { GoType } from '../go-types.js';
import { goBool, goPtr, goSlice, goString } from '../go-types.js';
import { STRING_MAP, embedded, f, fj, fo, goStruct } from './fields.js';

/** network.IPAMConfig (api/types/network/network.go; ipam.go now): one subnet; AuxAddress is `json:"AuxiliaryAddresses"`. */
export const IPAM_CONFIG: GoType = goStruct(
  [fo('Subnet', goString), fo('IPRange', goString), fo('Gateway', goString), fj('AuxAddress', 'AuxiliaryAddresses', STRING_MAP, true)],
  'network.IPAMConfig',
);

/** network.IPAM (api/types/network/network.go; ipam.go now): Driver, Options, Config. */
export const IPAM: GoType = goStruct([f('Driver', goString), f('Options', STRING_MAP), f('Config', goSlice(IPAM_CONFIG))], 'network.IPAM');

/** network.ConfigReference (api/types/network/network.go): the config-only network to take configuration from. */
export const NETWORK_CONFIG_REFERENCE: GoType = goStruct([f('Network', goString)], 'network.ConfigReference');

/**
 * types.NetworkCreate (api/types/types.go, moby v20.10, API 1.41) ∪ network.CreateOptions
 * (api/types/network/network.go, current). CheckDuplicate lives here in v20.10 (bool) and on the
 * request in current moby (*bool, deprecated since API 1.44); it is kept here, which binds the same
 * JSON key. EnableIPv4 (*bool) is API 1.47 (moby v27.1); EnableIPv6 was a bool in v20.10 and is a
 * *bool now (both accept true/false/null). Options are driver options (e.g. the bridge driver's
 * com.docker.network.bridge.name, macvlan/ipvlan `parent` = a host interface).
 */
export const NETWORK_CREATE: GoType = goStruct(
  [
    f('CheckDuplicate', goBool),
    f('Driver', goString),
    f('Scope', goString),
    fo('EnableIPv4', goPtr(goBool)),
    fo('EnableIPv6', goPtr(goBool)),
    f('IPAM', goPtr(IPAM)),
    f('Internal', goBool),
    f('Attachable', goBool),
    f('Ingress', goBool),
    f('ConfigOnly', goBool),
    f('ConfigFrom', goPtr(NETWORK_CONFIG_REFERENCE)),
    f('Options', STRING_MAP),
    f('Labels', STRING_MAP),
  ],
  'types.NetworkCreate',
);

/**
 * types.NetworkCreateRequest (api/types/types.go, moby v20.10, API 1.41) ∪ network.CreateRequest
 * (api/types/network/network.go, current): `{ NetworkCreate (embedded); Name string }`.
 */
export const NETWORK_CREATE_REQUEST: GoType = goStruct(
  [embedded('NetworkCreate', NETWORK_CREATE), f('Name', goString)],
  'types.NetworkCreateRequest',
);
