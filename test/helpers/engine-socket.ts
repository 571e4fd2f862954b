/**
 * The real Docker engine of an end-to-end run. SOCKGATE_E2E_DOCKER_HOST (unix://...) names it;
 * .ci/run starts one private dockerd per engine version and vitest.config.ts runs the e2e files
 * once per engine (SOCKGATE_E2E_ENGINE names it). Without a reachable engine the e2e suite FAILS
 * (it is never skipped): start one with `scripts/engine.sh start /tmp/e2e`.
 */
import { existsSync } from 'node:fs';

export function engineSocket(): string {
  const host = process.env['SOCKGATE_E2E_DOCKER_HOST'];
  if (!host || !host.startsWith('unix://')) {
    throw new Error(
      'SOCKGATE_E2E_DOCKER_HOST is not set to unix://PATH of a Docker engine. The end-to-end suite needs a real engine: ' +
        'run `bash scripts/engine.sh start /tmp/e2e` and export SOCKGATE_E2E_DOCKER_HOST=unix:///tmp/e2e/docker.sock (or run .ci/run).',
    );
  }
  const path = host.slice('unix://'.length);
  if (!existsSync(path)) throw new Error(`SOCKGATE_E2E_DOCKER_HOST points at ${path}, which does not exist`);
  return path;
}
