/**
 * The engine's own record of which requests reached an endpoint. .ci/run (and scripts/engine.sh)
 * start dockerd with --debug, whose router middleware logs `Calling METHOD URI` for every request
 * that matched a route, before the handler runs. SOCKGATE_E2E_ENGINE_LOG names that log.
 */
import { readFileSync } from 'node:fs';

export interface EngineCall {
  readonly method: string;
  readonly uri: string;
}

export function engineLogPath(): string {
  const path = process.env['SOCKGATE_E2E_ENGINE_LOG'];
  if (!path) {
    throw new Error('SOCKGATE_E2E_ENGINE_LOG is not set: it must name the --debug log of the e2e dockerd (scripts/engine.sh writes DIR/dockerd.log).');
  }
  return path;
}

/** A position in the log; calls after it are what the test caused (e2e files run one at a time). */
export function logMark(): number {
  return readFileSync(engineLogPath()).length;
}

export function callsSince(mark: number): EngineCall[] {
  const text = readFileSync(engineLogPath()).subarray(mark).toString('utf8');
  return [...text.matchAll(/msg="Calling ([A-Z]+) ([^"]*)"/g)].map((m) => ({ method: m[1]!, uri: m[2]! }));
}
