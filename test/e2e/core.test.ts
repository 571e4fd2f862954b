import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineSocket, REPO_ROOT, startSockgate, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';
import { waitUntil } from '../helpers/wait.js';

const READ_ONLY = join(REPO_ROOT, 'policies/read-only.yaml');

let engine: string;
let gate: SockgateProcess;
let containerId: string;

beforeAll(async () => {
  engine = engineSocket();
  const v = await docker(engine, ['version', '--format', '{{.Server.APIVersion}}']);
  if (v.code !== 0) throw new Error(`the e2e engine at ${engine} does not answer: ${v.stderr}`);
  const created = await docker(engine, ['create', '--label', 'sockgate.e2e=core', TEST_IMAGE, 'sleep', '30']);
  expect(created.code, created.stderr).toBe(0);
  containerId = created.stdout.trim();
  gate = await startSockgate(['--policy', READ_ONLY]);
});

afterAll(async () => {
  await gate?.stop();
  if (containerId) await docker(engine, ['rm', '-f', containerId]);
});

describe('read-only policy through the real docker CLI and engine', () => {
  it('prints how to point a client at the socket when it starts', () => {
    expect(gate.stderr()).toContain(`DOCKER_HOST=unix://${gate.socketPath} docker ps`);
  });

  it('serves docker version with the engine\'s own answer', async () => {
    const via = await docker(gate.socketPath, ['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}']);
    const direct = await docker(engine, ['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}']);
    expect(via.code, via.stderr).toBe(0);
    expect(via.stdout).toBe(direct.stdout);
  });

  it('serves docker ps -a and lists the same containers as the engine', async () => {
    const via = await docker(gate.socketPath, ['ps', '-a', '--no-trunc', '--format', '{{.ID}}']);
    const direct = await docker(engine, ['ps', '-a', '--no-trunc', '--format', '{{.ID}}']);
    expect(via.code, via.stderr).toBe(0);
    expect(via.stdout).toBe(direct.stdout);
    expect(via.stdout).toContain(containerId);
  });

  it('serves docker images', async () => {
    const via = await docker(gate.socketPath, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(via.code, via.stderr).toBe(0);
    expect(via.stdout).toContain(TEST_IMAGE);
  });

  it('serves docker inspect of a container and an image', async () => {
    const c = await docker(gate.socketPath, ['inspect', '--format', '{{.Id}} {{index .Config.Labels "sockgate.e2e"}}', containerId.slice(0, 12)]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout.trim()).toBe(`${containerId} core`);
    const i = await docker(gate.socketPath, ['image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE]);
    expect(i.code, i.stderr).toBe(0);
  });

  it('refuses docker run with the rule id in the CLI output, creates nothing, and audits the denial', async () => {
    const before = await docker(engine, ['ps', '-aq', '--no-trunc']);
    const run = await docker(gate.socketPath, ['run', '--rm', TEST_IMAGE, 'echo', 'should-not-run']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Error response from daemon: sockgate: denied by rule deny-writes/);
    expect(run.stdout).not.toContain('should-not-run');
    const after = await docker(engine, ['ps', '-aq', '--no-trunc']);
    expect(after.stdout).toBe(before.stdout);
    await waitUntil(() => gate.records.some((r) => r['msg'] === 'request denied' && r['endpoint'] === 'containers.create'), 5000, 'audit record');
    const rec = gate.records.find((r) => r['msg'] === 'request denied' && r['endpoint'] === 'containers.create')!;
    expect(rec).toMatchObject({ kind: 'audit', level: 40, effect: 'deny', rule: 'deny-writes', method: 'POST', path: '/containers/create', listener: gate.socketPath, code: 'SOCKGATE_DENY_POLICY' });
    expect(rec['apiVersion']).toMatch(/^1\.\d+$/);
  });

  it('refuses reads that expose files: docker logs, docker export', async () => {
    const logs = await docker(gate.socketPath, ['logs', containerId]);
    expect(logs.code).not.toBe(0);
    expect(logs.stderr).toContain('sockgate: ');
    const exp = await docker(gate.socketPath, ['export', containerId]);
    expect(exp.code).not.toBe(0);
    expect(exp.stderr).toContain('sockgate: ');
  });

  it('streams docker events live: a create made directly on the engine arrives within a second', async () => {
    const ev = spawn('docker', ['events', '--format', '{{.Type}} {{.Action}} {{.Actor.ID}}', '--filter', 'type=container'], {
      env: { ...process.env, DOCKER_HOST: `unix://${gate.socketPath}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    ev.stdout.on('data', (d: Buffer) => (out += d.toString()));
    ev.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await waitUntil(() => gate.records.some((r) => r['endpoint'] === 'system.events' && r['effect'] === 'allow'), 10_000, 'events request');
      await new Promise((r) => setTimeout(r, 300)); // let the engine register the subscription
      const created = await docker(engine, ['create', '--label', 'sockgate.e2e=events', TEST_IMAGE, 'true']);
      expect(created.code, created.stderr).toBe(0);
      const id = created.stdout.trim();
      const t0 = Date.now();
      await waitUntil(() => out.includes(`container create ${id}`), 1000, `event for ${id} (stderr: ${err})`);
      expect(Date.now() - t0).toBeLessThan(1000);
      await docker(engine, ['rm', '-f', id]);
    } finally {
      ev.kill('SIGTERM');
    }
  });

  it('removes its socket file on SIGTERM and exits 0', async () => {
    const extra = await startSockgate([]);
    expect(existsSync(extra.socketPath)).toBe(true);
    expect(await extra.stop()).toEqual({ code: 0, socketLeft: false });
  });
});
