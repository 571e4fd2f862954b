/**
 * Container images for the tests that run sockgate as a container: the sockgate image itself
 * (scripts/build-image.sh: a base assembled from this host, then the Dockerfile) and a client
 * image with the docker CLI. Built on the e2e engine; tags are fixed so repeated runs reuse the
 * layer cache, and each build removes the image its tag pointed at before.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, engineSocket, REPO_ROOT, TEST_IMAGE } from './engine.js';
import { tempDir } from './temp.js';

export const SOCKGATE_IMAGE = 'sockgate-e2e:latest';
export const CLI_IMAGE = 'sockgate-test:docker-cli';
/** The uid/gid the Dockerfile runs sockgate as. */
export const SOCKGATE_UID = 10001;
/** Builds take minutes on a small machine: npm ci, tsc, the unit tests. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

function run(cmd: string, args: readonly string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: BUILD_TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

/** Build the sockgate image with scripts/build-image.sh on the e2e engine; returns its id. */
export async function buildSockgateImage(): Promise<string> {
  const r = await run('bash', ['scripts/build-image.sh', SOCKGATE_IMAGE], { DOCKER_HOST: `unix://${engineSocket()}` });
  if (r.code !== 0) throw new Error(`scripts/build-image.sh failed (${r.code}):\n${r.output.slice(-6000)}`);
  return imageId(SOCKGATE_IMAGE);
}

/** A client image: the busybox test image plus the host's (static) docker CLI. */
export async function buildCliImage(): Promise<string> {
  const engine = engineSocket();
  const { dir, cleanup } = tempDir('sg-cli-img-');
  try {
    copyFileSync('/usr/local/bin/docker', join(dir, 'docker'));
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY docker /usr/local/bin/docker\n`);
    const previous = await docker(engine, ['image', 'inspect', '-f', '{{.Id}}', CLI_IMAGE]);
    const r = await docker(engine, ['build', '--force-rm', '-q', '-t', CLI_IMAGE, dir], { timeoutMs: BUILD_TIMEOUT_MS });
    if (r.code !== 0) throw new Error(`building ${CLI_IMAGE} failed: ${r.stderr}`);
    const id = await imageId(CLI_IMAGE);
    if (previous.code === 0 && previous.stdout.trim() !== id) await docker(engine, ['rmi', previous.stdout.trim()]);
    return id;
  } finally {
    cleanup();
  }
}

async function imageId(ref: string): Promise<string> {
  const r = await docker(engineSocket(), ['image', 'inspect', '-f', '{{.Id}}', ref]);
  if (r.code !== 0) throw new Error(`image ${ref} is missing after its build: ${r.stderr}`);
  return r.stdout.trim();
}

/** Poll `docker inspect` of a container until its health status is `want` (or time out). */
export async function waitForHealth(container: string, want: 'healthy', timeoutMs: number): Promise<void> {
  const engine = engineSocket();
  const start = Date.now();
  let last = '';
  while (Date.now() - start < timeoutMs) {
    const r = await docker(engine, ['inspect', '-f', '{{if .State.Health}}{{.State.Health.Status}}{{end}} {{.State.Status}}', container]);
    last = r.stdout.trim() || r.stderr.trim();
    if (last.startsWith(`${want} `)) return;
    if (/ (exited|dead)$/.test(last)) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  const logs = await docker(engine, ['logs', '--tail', '30', container]);
  const health = await docker(engine, ['inspect', '-f', '{{json .State.Health}}', container]);
  throw new Error(`container ${container} is not ${want} (last: ${last})\nhealth: ${health.stdout}\nlogs:\n${logs.stdout}${logs.stderr}`);
}
