/** `sockgate health`: GET /healthz of a running daemon's metrics listener (for container health checks). */

import type { AdminAddress } from '../admin/address.js';
import { checkHealth } from '../admin/server.js';
import type { CommandIO } from './io.js';

/** The answer's body goes to stdout, why there is none to stderr; exit code 0 only on a 200. */
export async function runHealth(address: AdminAddress, io: CommandIO): Promise<number> {
  const result = await checkHealth(address);
  (result.answered ? io.stdout : io.stderr).write(result.output);
  return result.exitCode;
}
