/**
 * The bodies of POST /networks/{id}/connect and /disconnect.
 *
 * Sources (moby/moby): v20.10 api/types/types.go (types.NetworkConnect, types.NetworkDisconnect),
 * read by api/server/router/network/network_routes.go postNetworkConnect / postNetworkDisconnect;
 * current api/types/network/network.go (network.ConnectOptions, network.DisconnectOptions), read
 * by daemon/server/router/network/network_routes.go. `Container` names the container by name or
 * id prefix, as the path of a container endpoint does.
 */

import type { GoType } from '../go-types.js';
import { goBool, goPtr, goString } from '../go-types.js';
import { ENDPOINT_SETTINGS } from './container-create.js';
import { f, fo, goStruct } from './fields.js';

/** types.NetworkConnect / network.ConnectOptions: Container, EndpointConfig (omitempty). */
export const NETWORK_CONNECT: GoType = goStruct([f('Container', goString), fo('EndpointConfig', goPtr(ENDPOINT_SETTINGS))], 'network.ConnectOptions');

/** types.NetworkDisconnect / network.DisconnectOptions: Container, Force. */
export const NETWORK_DISCONNECT: GoType = goStruct([f('Container', goString), f('Force', goBool)], 'network.DisconnectOptions');
