/** `docker exec C true` round trip through the docker CLI (exec create, start hijacked, inspect). */

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { BASE_IMAGE, docker } from './lib.js';

export function startExecTarget(engine: string): string {
  const name = `sockgate-bench-exec-${process.pid}`;
  docker(engine, ['run', '-d', '--name', name, BASE_IMAGE, 'sleep', '3600']);
  return name;
}

export function removeExecTarget(engine: string, name: string): void {
  spawnSync('docker', ['rm', '-f', name], { env: { ...process.env, DOCKER_HOST: `unix://${engine}` }, stdio: 'ignore' });
}

/** Wall time of one `docker exec NAME true` through `socket`, in ms. */
export function execOnce(socket: string, name: string): number {
  const t0 = performance.now();
  const r = spawnSync('docker', ['exec', name, 'true'], { env: { ...process.env, DOCKER_HOST: `unix://${socket}` }, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`docker exec failed: ${r.stderr}`);
  return ms;
}
