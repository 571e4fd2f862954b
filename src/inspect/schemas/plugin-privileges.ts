/**
 * The body of POST /plugins/pull and POST /plugins/{name}/upgrade: the privileges the client
 * grants the plugin (the engine compares them with what the plugin's config requests and refuses
 * the install/upgrade on a mismatch).
 *
 * Sources (moby/moby): v20.10 api/types/plugin_responses.go (types.PluginPrivilege,
 * types.PluginPrivileges), read by api/server/router/plugin/plugin_routes.go pullPlugin and
 * upgradePlugin; current api/types/plugin (plugin.Privilege, plugin.Privileges), read by
 * daemon/server/router/plugin/plugin_routes.go.
 */

import type { GoType } from '../go-types.js';
import { goSlice, goString } from '../go-types.js';
import { STRING_LIST, f, goStruct } from './fields.js';

/**
 * types.PluginPrivilege (api/types/plugin_responses.go), API 1.25+, unchanged through current
 * moby: Name ("network", "mount", "device", "allow-all-devices", "capabilities",
 * "host pid namespace", "host ipc namespace"), Description, Value (e.g. host paths, CAP_SYS_ADMIN).
 */
export const PLUGIN_PRIVILEGE: GoType = goStruct(
  [f('Name', goString), f('Description', goString), f('Value', STRING_LIST)],
  'types.PluginPrivilege',
);

/** types.PluginPrivileges (api/types/plugin_responses.go): `[]PluginPrivilege`, the whole body. */
export const PLUGIN_PRIVILEGES: GoType = goSlice(PLUGIN_PRIVILEGE);
