/**
 * The container image, hardened as the README says to run it: sockgate in one container (non-root,
 * read-only root filesystem, no capabilities, no-new-privileges, the engine socket reached
 * through its group), a docker CLI in another container that sees only sockgate's socket.
 */
import { chownSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineSocket, REPO_ROOT, TEST_IMAGE } from '../helpers/engine.js';
import { BUILD_TIMEOUT_MS, buildCliImage, buildSockgateImage, CLI_IMAGE, SOCKGATE_IMAGE, SOCKGATE_UID, waitForHealth } from '../helpers/image.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const GATE = `sg-image-gate-${process.pid}`;
const DENY_ALL_GATE = `sg-image-denyall-${process.pid}`;
const CLIENT = `sg-image-client-${process.pid}`;

let engine: string;
let engineGid: number;
const dirs: (() => void)[] = [];
let sockDir: string;

/** A host directory for sockgate's socket, writable by the image's user. */
function socketDir(): string {
  const { dir, cleanup } = tempDir('sg-img-');
  dirs.push(cleanup);
  chownSync(dir, SOCKGATE_UID, SOCKGATE_UID);
  return dir;
}

/** `docker run -d` the image the way the README documents it. */
async function startGate(name: string, dir: string, extra: readonly string[] = []): Promise<void> {
  const r = await docker(engine, [
    'run', '-d', '--name', name, '--network', 'none',
    '--read-only', '--user', String(SOCKGATE_UID), '--group-add', String(engineGid),
    '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    '--health-interval', '1s', '--health-start-period', '1s',
    '-v', `${engine}:/var/run/docker.sock`, '-v', `${dir}:/run/sockgate`,
    ...extra, SOCKGATE_IMAGE,
  ]);
  expect(r.code, r.stderr).toBe(0);
  await waitUntil(() => existsSync(join(dir, 'docker.sock')), 30_000, `${name}'s socket`);
}

/** Run the docker CLI in a container that has only sockgate's socket, as /var/run/docker.sock. */
function client(dir: string, args: readonly string[]) {
  return docker(engine, ['run', '--rm', '--name', CLIENT, '--network', 'none', '-v', `${join(dir, 'docker.sock')}:/var/run/docker.sock`, CLI_IMAGE, 'docker', ...args], { timeoutMs: 60_000 });
}

/** Run node inside the sockgate container (as its user) and return what it prints. */
async function inGate(script: string): Promise<string> {
  const r = await docker(engine, ['exec', GATE, 'node', '-e', script]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  engine = engineSocket();
  engineGid = statSync(engine).gid;
  await Promise.all([buildSockgateImage(), buildCliImage()]);
  sockDir = socketDir();
  await startGate(GATE, sockDir);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  for (const name of [CLIENT, GATE, DENY_ALL_GATE]) await docker(engine, ['rm', '-f', name]);
  for (const cleanup of dirs) cleanup();
});

describe('the sockgate image, run hardened, serving a client in another container', () => {
  it('lets the client list containers: docker ps shows the sockgate container', async () => {
    const ps = await client(sockDir, ['ps', '--format', '{{.Names}}']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout.split('\n')).toContain(GATE);
  });

  it('refuses docker run under the default read-only policy, with sockgate\'s denial in the CLI output, and creates nothing', async () => {
    const run = await client(sockDir, ['run', '--rm', '--network', 'none', TEST_IMAGE, 'echo', 'should-not-run']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Error response from daemon: sockgate: denied by rule deny-writes/);
    expect(run.stdout).not.toContain('should-not-run');
    const all = await docker(engine, ['ps', '-a', '--no-trunc', '--format', '{{.Command}}']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).not.toContain('should-not-run');
  });

  it('refuses docker rm -f of the sockgate container, which keeps running', async () => {
    const rm = await client(sockDir, ['rm', '-f', GATE]);
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toMatch(/sockgate: denied by rule deny-writes/);
    const state = await docker(engine, ['inspect', '-f', '{{.State.Running}}', GATE]);
    expect(state.stdout.trim()).toBe('true');
  });

  it('writes an audit record of each denial to the container log', async () => {
    const logs = await docker(engine, ['logs', GATE]);
    const records = logs.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toContainEqual(expect.objectContaining({ msg: 'request denied', endpoint: 'containers.create', rule: 'deny-writes', profile: 'read-only' }));
    expect(records).toContainEqual(expect.objectContaining({ msg: 'request denied', endpoint: 'containers.delete', rule: 'deny-writes' }));
  });

  it('runs sockgate as uid/gid 10001 with the engine socket\'s group, no capabilities and no-new-privileges', async () => {
    const status = await inGate("process.stdout.write(require('fs').readFileSync('/proc/1/status', 'utf8'))");
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    expect(field('Uid')).toEqual(['10001', '10001', '10001', '10001']);
    expect(field('Gid')).toEqual(['10001', '10001', '10001', '10001']);
    expect(field('Groups')).toContain(String(engineGid));
    expect(field('CapEff')).toEqual(['0000000000000000']);
    expect(field('NoNewPrivs')).toEqual(['1']);
    const cmdline = await inGate("process.stdout.write(require('fs').readFileSync('/proc/1/cmdline', 'utf8').split('\\0').join(' '))");
    expect(cmdline).toContain('/app/bin/sockgate.js --listen /run/sockgate/docker.sock');
    const sock = statSync(join(sockDir, 'docker.sock'));
    expect([sock.uid, sock.gid, sock.mode & 0o777]).toEqual([SOCKGATE_UID, SOCKGATE_UID, 0o660]);
  });

  it('has a read-only root filesystem: writing to /app or /tmp fails with EROFS', async () => {
    const ro = await docker(engine, ['inspect', '-f', '{{.HostConfig.ReadonlyRootfs}}', GATE]);
    expect(ro.stdout.trim()).toBe('true');
    const codes = await inGate(
      "const fs = require('fs'); for (const p of ['/app/probe', '/tmp/probe', '/etc/probe']) { try { fs.writeFileSync(p, 'x'); console.log(p, 'written'); } catch (e) { console.log(p, e.code); } }",
    );
    // EACCES would also stop the write, but only EROFS shows the filesystem itself is read-only
    expect(codes.trim().split('\n')).toEqual(['/app/probe EROFS', '/tmp/probe EROFS', '/etc/probe EROFS']);
  });

  it('becomes healthy through its HEALTHCHECK (sockgate health)', async () => {
    const hc = await docker(engine, ['image', 'inspect', '-f', '{{json .Config.Healthcheck.Test}}', SOCKGATE_IMAGE]);
    expect(hc.stdout).toContain('["CMD","node","/app/bin/sockgate.js","health"]');
    await waitForHealth(GATE, 'healthy', 60_000);
  });

  it('enforces a policy mounted over the built-in one (SOCKGATE_POLICY)', async () => {
    const dir = socketDir();
    const policy = join(REPO_ROOT, 'policies/deny-all.yaml');
    await startGate(DENY_ALL_GATE, dir, ['-v', `${policy}:/etc/sockgate/policy.yaml:ro`, '-e', 'SOCKGATE_POLICY=/etc/sockgate/policy.yaml']);
    const ps = await client(dir, ['ps']);
    expect(ps.code).not.toBe(0);
    expect(ps.stderr).toMatch(/sockgate: denied by rule deny-everything/);
  });
});
