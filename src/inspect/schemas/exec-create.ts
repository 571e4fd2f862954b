/**
 * The body of POST /containers/{id}/exec.
 *
 * Sources (moby/moby): v20.10 api/types/configs.go (types.ExecConfig), read by
 * api/server/router/container/exec.go postContainerExecCreate; current api/types/container/exec.go
 * (container.ExecOptions), read by daemon/server/router/container/exec.go.
 */

import type { GoType } from '../go-types.js';
import { goArray, goBool, goPtr, goString, goUint } from '../go-types.js';
import { STRING_LIST, f, fo, goStruct } from './fields.js';

/**
 * types.ExecConfig (api/types/configs.go, moby v20.10, API 1.41) ∪ container.ExecOptions
 * (api/types/container/exec.go, current). ConsoleSize (*[2]uint, API 1.42, moby v23) is the only
 * addition; the engine ignores it below 1.42. Privileged runs the process with all capabilities and
 * User can be "0"/"root" whatever the container's user: both are security-relevant. Cmd is a plain
 * []string (not a StrSlice: a JSON string is a type error). Detach is deprecated (unused).
 */
export const EXEC_CONFIG: GoType = goStruct(
  [
    f('User', goString),
    f('Privileged', goBool),
    f('Tty', goBool),
    fo('ConsoleSize', goPtr(goArray(goUint, 2))),
    f('AttachStdin', goBool),
    f('AttachStderr', goBool),
    f('AttachStdout', goBool),
    f('Detach', goBool),
    f('DetachKeys', goString),
    f('Env', STRING_LIST),
    f('WorkingDir', goString),
    f('Cmd', STRING_LIST),
  ],
  'types.ExecConfig',
);
