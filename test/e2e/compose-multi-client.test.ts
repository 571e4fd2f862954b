/**
 * examples/multi-client.compose.yaml, run as written with docker-compose on the e2e engine: one
 * sockgate container (--config examples/multi-client/sockgate.yaml) and three client containers,
 * each with only its own socket. Each client must get exactly its profile.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineSocket, REPO_ROOT, TEST_IMAGE, type CommandResult } from '../helpers/engine.js';
import { BUILD_TIMEOUT_MS, buildCliImage, buildSockgateImage, CLI_IMAGE, SOCKGATE_IMAGE } from '../helpers/image.js';

const COMPOSE_FILE = join(REPO_ROOT, 'examples/multi-client.compose.yaml');
const PROJECT = `sgcompose${process.pid}`;

let engine: string;

function compose(args: readonly string[], timeoutMs = 120_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      'docker-compose',
      ['--ansi', 'never', '-p', PROJECT, '-f', COMPOSE_FILE, ...args],
      {
        env: {
          ...process.env,
          DOCKER_HOST: `unix://${engine}`,
          DOCKER_SOCKET: engine,
          DOCKER_GID: String(statSync(engine).gid),
          SOCKGATE_IMAGE,
          CLIENT_IMAGE: CLI_IMAGE,
        },
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if ((err as { code?: unknown } | null)?.code === 'ENOENT') {
          resolve({ code: 127, stdout, stderr: 'docker-compose is not installed: apt-get install docker-compose (.ci/run installs it)' });
          return;
        }
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The docker CLI inside a client service's container. */
function asClient(service: string, args: readonly string[]): Promise<CommandResult> {
  return compose(['exec', '-T', service, 'docker', ...args]);
}

async function gateRecords(): Promise<Record<string, unknown>[]> {
  const id = await compose(['ps', '-q', 'sockgate']);
  const logs = await docker(engine, ['logs', id.stdout.trim()]);
  return logs.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  engine = engineSocket();
  await Promise.all([buildSockgateImage(), buildCliImage()]);
  const up = await compose(['up', '-d'], 180_000);
  if (up.code !== 0) {
    const logs = await compose(['logs', '--no-color', '--tail', '30']);
    throw new Error(`docker-compose up failed (${up.code}): ${up.stderr}\n${logs.stdout}`);
  }
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (engine === undefined) return;
  const down = await compose(['down', '-v', '--remove-orphans', '--timeout', '5']);
  if (down.code !== 0) throw new Error(`docker-compose down failed: ${down.stderr}`);
});

describe('examples/multi-client.compose.yaml: three clients, three sockets, three profiles', () => {
  it('starts sockgate healthy and the clients after it', async () => {
    const ps = await compose(['ps']);
    expect(ps.code, ps.stderr).toBe(0);
    for (const service of ['sockgate', 'dashboard', 'monitor', 'ci']) expect(ps.stdout).toMatch(new RegExp(`${PROJECT}_${service}_1 .* Up`));
    expect(ps.stdout).toMatch(/_sockgate_1 .*\(healthy\)/);
  });

  it('gives each client its own socket and no other', async () => {
    for (const service of ['dashboard', 'monitor', 'ci']) {
      const ls = await compose(['exec', '-T', service, 'ls', '-A', '/run/sockgate']);
      expect(ls.code, ls.stderr).toBe(0);
      expect(ls.stdout.trim()).toBe('docker.sock');
    }
  });

  it('dashboard (read-only.yaml): lists images, may not create a container', async () => {
    const images = await asClient('dashboard', ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.code, images.stderr).toBe(0);
    expect(images.stdout).toContain(TEST_IMAGE);
    const run = await asClient('dashboard', ['run', '--rm', '--network', 'none', TEST_IMAGE, 'echo', 'ran']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/sockgate: denied by rule deny-writes/);
  });

  it('monitor (inline rules): lists containers, may not list images', async () => {
    const ps = await asClient('monitor', ['ps', '--format', '{{.Names}}']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toContain(`${PROJECT}_sockgate_1`);
    const images = await asClient('monitor', ['images']);
    expect(images.code).not.toBe(0);
    expect(images.stderr).toMatch(/sockgate: no rule matched GET \/images\/json .*policy "monitor" defaults to deny/);
  });

  it('ci (ci-runner.yaml): runs an ordinary container, may not run a privileged one', async () => {
    const run = await asClient('ci', ['run', '--rm', '--network', 'none', TEST_IMAGE, 'echo', 'ran-through-sockgate']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('ran-through-sockgate');
    const privileged = await asClient('ci', ['run', '--rm', '--privileged', '--network', 'none', TEST_IMAGE, 'echo', 'ran']);
    expect(privileged.code).not.toBe(0);
    expect(privileged.stderr).toMatch(/sockgate: denied by rule deny-privileged/);
  });

  it('audits every request under the profile of the socket it came in on', async () => {
    const records = (await gateRecords()).filter((r) => r['msg'] === 'request denied' || r['msg'] === 'request allowed');
    const byEndpoint = (profile: string, endpoint: string, effect: string) =>
      records.some((r) => r['profile'] === profile && r['endpoint'] === endpoint && r['effect'] === effect && r['listener'] === `/run/sockgate/${profile}/docker.sock`);
    expect(byEndpoint('dashboard', 'containers.create', 'deny')).toBe(true);
    expect(byEndpoint('monitor', 'images.list', 'deny')).toBe(true);
    expect(byEndpoint('ci', 'containers.create', 'deny')).toBe(true);
    expect(byEndpoint('ci', 'containers.start', 'allow')).toBe(true);
  });
});
