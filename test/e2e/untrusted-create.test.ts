/**
 * policies/untrusted-create.yaml against the real engine: ordinary CI work (run, exec, cp, build,
 * volumes) goes through, and no container, exec or volume with a host-giving setting is ever
 * created, whichever docker CLI flag asks for it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsSince, logMark } from '../helpers/engine-log.js';
import { request } from '../helpers/raw-http.js';
import { docker, engineSocket, REPO_ROOT, startSockgate, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';

const PRESET = join(REPO_ROOT, 'policies/untrusted-create.yaml');
const tag = `${process.pid}`;
let engine: string;
let gate: SockgateProcess;
const created: string[] = [];

beforeAll(async () => {
  engine = engineSocket();
  gate = await startSockgate(['--policy', PRESET]);
});
afterAll(async () => {
  await gate?.stop();
  const left = await docker(engine, ['ps', '-aq', '--filter', `name=sg-uc-`]);
  for (const id of [...left.stdout.split('\n').filter(Boolean), ...created]) await docker(engine, ['rm', '-f', id]);
  await docker(engine, ['volume', 'rm', '-f', `sg-uc-vol-${tag}`, `sg-uc-bindvol-${tag}`, `sg-uc-mountvol-${tag}`]);
  await docker(engine, ['rmi', '-f', `sg-uc-built:${tag}`]);
  await docker(engine, ['network', 'rm', `sg-uc-net-${tag}`, `sg-uc-badnet-${tag}`]);
});

const exists = async (name: string): Promise<boolean> => (await docker(engine, ['inspect', name])).code === 0;

describe('ordinary workloads work through untrusted-create', () => {
  it('docker run --rm prints the output', async () => {
    const r = await docker(gate.socketPath, ['run', '--rm', TEST_IMAGE, 'echo', 'hello-from-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('hello-from-run');
  });

  it('docker run -d, exec with and without stdin, cp in and out, rm', async () => {
    const name = `sg-uc-work-${tag}`;
    const run = await docker(gate.socketPath, ['run', '-d', '--name', name, '-v', `sg-uc-vol-${tag}:/data`, '--tmpfs', '/scratch:size=16m', TEST_IMAGE, 'sleep', '60']);
    expect(run.code, run.stderr).toBe(0);
    created.push(name);
    const ex = await docker(gate.socketPath, ['exec', name, 'echo', 'in-exec']);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout.trim()).toBe('in-exec');
    const stdin = await docker(gate.socketPath, ['exec', '-i', name, 'cat'], { input: 'piped-stdin\n' });
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(stdin.stdout).toBe('piped-stdin\n');
    const dir = mkdtempSync(join(tmpdir(), 'sg-uc-cp-'));
    writeFileSync(join(dir, 'in.txt'), 'copied-in');
    const cpIn = await docker(gate.socketPath, ['cp', join(dir, 'in.txt'), `${name}:/data/in.txt`]);
    expect(cpIn.code, cpIn.stderr).toBe(0);
    const cpOut = await docker(gate.socketPath, ['cp', `${name}:/data/in.txt`, join(dir, 'out.txt')]);
    expect(cpOut.code, cpOut.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('copied-in');
    const rm = await docker(gate.socketPath, ['rm', '-f', name]);
    expect(rm.code, rm.stderr).toBe(0);
  });

  it('docker build from a context (classic builder)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-uc-build-'));
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt\n`);
    writeFileSync(join(dir, 'hello.txt'), 'built\n');
    const r = await docker(gate.socketPath, ['build', '-t', `sg-uc-built:${tag}`, dir]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(await exists(`sg-uc-built:${tag}`)).toBe(true);
  }, 120_000);
});

// Each docker CLI flag that gives away the host, with the rule that must refuse it.
const HOST_GIVING: [string, string[], string][] = [
  ['--privileged', ['--privileged'], 'deny-privileged'],
  ['a host bind (-v)', ['-v', '/:/host'], 'deny-host-paths'],
  ['a bind mount (--mount type=bind)', ['--mount', 'type=bind,source=/etc,target=/host-etc'], 'deny-host-paths'],
  ['a volume mount with driver options that bind', ['--mount', `type=volume,source=sg-uc-mountvol-${tag},target=/x,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/`], 'deny-host-paths'],
  ['a host device', ['--device', '/dev/null:/dev/host-null'], 'deny-host-paths'],
  ['a GPU request', ['--gpus', 'all'], 'deny-device-requests'],
  ['a device cgroup rule', ['--device-cgroup-rule', 'c 1:3 mr'], 'deny-device-cgroup-rules'],
  ['an added capability', ['--cap-add', 'SYS_ADMIN'], 'deny-cap-add'],
  ['seccomp unconfined', ['--security-opt', 'seccomp=unconfined'], 'deny-security-opt'],
  ['unmasked system paths', ['--security-opt', 'systempaths=unconfined'], 'deny-'],
  ['the host network', ['--network', 'host'], 'deny-network-mode'],
  ['the host PID namespace', ['--pid', 'host'], 'deny-pid-mode'],
  ['the host IPC namespace', ['--ipc', 'host'], 'deny-ipc-mode'],
  ['the host UTS namespace', ['--uts', 'host'], 'deny-uts-mode'],
  ['the host user namespace', ['--userns', 'host'], 'deny-userns-mode'],
  ['the host cgroup namespace', ['--cgroupns', 'host'], 'deny-cgroupns-mode'],
  ['a cgroup parent', ['--cgroup-parent', '/'], 'deny-cgroup-parent'],
  ['a sysctl', ['--sysctl', 'net.ipv4.ip_forward=1'], 'deny-sysctls'],
  ['another runtime', ['--runtime', 'runc'], 'deny-runtime'],
];

describe('host-giving settings are refused and never reach the engine', () => {
  it.each(HOST_GIVING)('docker create with %s: the engine accepts it directly, sockgate refuses it', async (_what, flags, rule) => {
    const name = `sg-uc-bad-${tag}-${flags.join('').replace(/[^a-z0-9]/gi, '').slice(0, 40)}`;
    // The flag is real: on the engine's own socket the same command creates the container.
    const direct = await docker(engine, ['create', '--name', `${name}-direct`, ...flags, TEST_IMAGE, 'true']);
    expect(direct.code, direct.stderr).toBe(0);
    await docker(engine, ['rm', '-f', `${name}-direct`]);
    const r = await docker(gate.socketPath, ['create', '--name', name, ...flags, TEST_IMAGE, 'true']);
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stderr).toContain('Error response from daemon: sockgate: denied by rule');
    expect(r.stderr).toContain(rule);
    expect(await exists(name)).toBe(false);
  });

  it('docker create --volumes-from', async () => {
    const src = await docker(engine, ['create', '--name', `sg-uc-src-${tag}`, TEST_IMAGE, 'true']);
    created.push(src.stdout.trim());
    const r = await docker(gate.socketPath, ['create', '--name', `sg-uc-vf-${tag}`, '--volumes-from', `sg-uc-src-${tag}`, TEST_IMAGE, 'true']);
    expect(r.stderr).toContain('deny-volumes-from');
    expect(await exists(`sg-uc-vf-${tag}`)).toBe(false);
  });

  it('docker exec --privileged', async () => {
    const name = `sg-uc-exec-${tag}`;
    const run = await docker(gate.socketPath, ['run', '-d', '--name', name, TEST_IMAGE, 'sleep', '30']);
    expect(run.code, run.stderr).toBe(0);
    created.push(name);
    const r = await docker(gate.socketPath, ['exec', '--privileged', name, 'id']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('deny-exec-privileged');
    const execs = await docker(engine, ['inspect', '--format', '{{len .ExecIDs}}', name]);
    expect(execs.stdout.trim()).toBe('0');
  });

  it('docker volume create with bind options', async () => {
    const r = await docker(gate.socketPath, ['volume', 'create', '--opt', 'type=none', '--opt', 'o=bind', '--opt', 'device=/', `sg-uc-bindvol-${tag}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('deny-volume-options');
    expect((await docker(engine, ['volume', 'inspect', `sg-uc-bindvol-${tag}`])).code).not.toBe(0);
  });

  it('docker network create with the default bridge driver works; other drivers, options and config networks are refused', async () => {
    const ok = await docker(gate.socketPath, ['network', 'create', `sg-uc-net-${tag}`]);
    expect(ok.code, ok.stderr).toBe(0);
    const cases: [string[], string][] = [
      [['-d', 'macvlan'], 'no rule matched'],
      [['-d', 'ipvlan', '-o', 'parent=lo'], 'deny-network-options'],
      [['-o', 'com.docker.network.bridge.name=docker_gwbridge'], 'deny-network-options'],
      [['--ipam-driver', 'sg-ipam'], 'no rule matched'],
      [['--ipam-opt', 'x=y'], 'deny-network-ipam-options'],
      [['--config-only'], 'deny-network-config-only'],
      [['--config-from', `sg-uc-net-${tag}`], 'deny-network-config-from'],
    ];
    for (const [flags, reason] of cases) {
      const name = `sg-uc-badnet-${tag}`;
      const r = await docker(gate.socketPath, ['network', 'create', ...flags, name]);
      expect(r.code, flags.join(' ')).not.toBe(0);
      expect(r.stderr, flags.join(' ')).toContain(reason);
      expect((await docker(engine, ['network', 'inspect', name])).code, flags.join(' ')).not.toBe(0);
    }
    expect((await docker(gate.socketPath, ['network', 'rm', `sg-uc-net-${tag}`])).code).toBe(0);
  });

  it('image import from a URL, and builds from a remote context, are refused', async () => {
    const imp = await docker(gate.socketPath, ['import', 'http://127.0.0.1:9/rootfs.tar', `sg-uc-imported:${tag}`]);
    expect(imp.stderr).toContain('deny-image-import');
    // The CLI fetches remote contexts itself; `remote` is sent by API clients.
    const mark = logMark();
    const remote = await request(gate.socketPath, 'POST', '/v1.41/build?remote=http%3A%2F%2F127.0.0.1%3A9%2Fcontext.tar', {});
    expect(remote.status).toBe(403);
    expect(remote.body).toContain('deny-build-remote');
    expect(callsSince(mark).filter((c) => c.uri.includes('/build'))).toEqual([]);
  });

  it('docker build --network host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-uc-build-'));
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN true\n`);
    const r = await docker(gate.socketPath, ['build', '--network', 'host', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('deny-build-host-network');
  });
});
