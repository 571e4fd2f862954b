/**
 * The policy examples in examples/policies/ against the real engine: each lets its ordinary work
 * through and keeps the host-giving variant of that work from the engine, whichever client
 * (docker CLI, or a raw request with an odd spelling) asks for it. What the engine did is read
 * from the engine itself (inspect) or from its debug log (which requests reached a handler).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsSince, logMark } from '../helpers/engine-log.js';
import { docker, engineSocket, REPO_ROOT, startSockgate, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';
import { request } from '../helpers/raw-http.js';

const example = (name: string): string => join(REPO_ROOT, 'examples/policies', name);
const tag = `${process.pid}`;
let engine: string;
const containers: string[] = [];

beforeAll(() => {
  engine = engineSocket();
});
afterAll(async () => {
  for (const c of containers) await docker(engine, ['rm', '-f', c]);
});

/** A container made directly on the engine, for a client to act on. */
async function engineContainer(name: string, cmd: string[] = ['sleep', '300']): Promise<string> {
  const r = await docker(engine, ['run', '-d', '--name', name, TEST_IMAGE, ...cmd]);
  expect(r.code, r.stderr).toBe(0);
  containers.push(name);
  return name;
}

const inspect = async (name: string, format: string): Promise<string> => (await docker(engine, ['inspect', '--format', format, name])).stdout.trim();

describe('examples/policies/container-update.yaml', () => {
  let gate: SockgateProcess;
  const name = `sg-ex-upd-${tag}`;
  beforeAll(async () => {
    gate = await startSockgate(['--policy', example('container-update.yaml')]);
    await engineContainer(name);
  });
  afterAll(async () => void (await gate?.stop()));

  it('docker update of the restart policy and a bounded memory limit works', async () => {
    const r = await docker(gate.socketPath, ['update', '--restart', 'on-failure:3', '--memory', '256m', '--memory-swap', '512m', name]);
    expect(r.code, r.stderr).toBe(0);
    expect(await inspect(name, '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.HostConfig.Memory}}')).toBe('on-failure:3 268435456');
  });

  it.each([
    ['a memory limit over the bound', ['--memory', '4g', '--memory-swap', '8g'], 'no rule matched'],
    ['unlimited swap', ['--memory', '256m', '--memory-swap', '-1'], 'deny-unlimited-swap'],
    ['no pids limit', ['--pids-limit', '-1'], 'deny-unlimited-pids'],
  ])('docker update with %s is denied and the engine keeps the old settings', async (_what, flags, reason) => {
    const before = await inspect(name, '{{json .HostConfig}}');
    const r = await docker(gate.socketPath, ['update', ...flags, name]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('[SOCKGATE_DENY_POLICY]');
    expect(r.stderr).toContain(reason);
    expect(await inspect(name, '{{json .HostConfig}}')).toBe(before);
  });

  it.each([
    ['a key not spelled like the field', '{"memory": 8589934592}'],
    ['a repeated key', '{"Memory": 1048576, "Memory": 8589934592}'],
    ['devices, which the engine ignores on update today', '{"Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "rwm"}]}'],
  ])('a raw update with %s is refused before the engine', async (_what, body) => {
    const mark = logMark();
    const res = await request(gate.socketPath, 'POST', `/v1.41/containers/${name}/update`, { headers: { 'Content-Type': 'application/json' }, body });
    expect(res.status, res.body).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(callsSince(mark).filter((c) => c.uri.includes('/update'))).toEqual([]);
  });
});

describe('examples/policies/image-pull.yaml', () => {
  let gate: SockgateProcess;
  beforeAll(async () => {
    gate = await startSockgate(['--policy', example('image-pull.yaml')]);
  });
  afterAll(async () => void (await gate?.stop()));

  // Nothing can be pulled here (no registry is reachable): an allowed pull shows up as the
  // engine's own error, and in its log; a denied one never reaches it.
  it.each(['localhost:5000/team/app:1', 'busybox:1.36', 'docker.io/library/busybox'])('docker pull %s reaches the engine', async (ref) => {
    const mark = logMark();
    const r = await docker(gate.socketPath, ['pull', ref], { timeoutMs: 60_000 });
    expect(r.stderr).not.toContain('sockgate');
    expect(callsSince(mark).some((c) => c.method === 'POST' && c.uri.includes('/images/create?'))).toBe(true);
  });

  it.each([
    ['another registry', 'evil.example.com/x:1'],
    ['another port of the allowed host', 'localhost:5001/team/app:1'],
    ['a Docker Hub user namespace', 'someone/app:1'],
    ['the allowed registry in another case', 'LOCALHOST:5000/team/app:1'],
  ])('docker pull from %s is denied and never reaches the engine', async (_what, ref) => {
    const mark = logMark();
    const r = await docker(gate.socketPath, ['pull', ref]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('sockgate: no rule matched POST /images/create');
    expect(callsSince(mark).filter((c) => c.uri.includes('/images/create'))).toEqual([]);
  });

  it('an import from a URL (fromSrc) is denied, and a repeated fromImage must match in every copy', async () => {
    const mark = logMark();
    const imp = await request(gate.socketPath, 'POST', '/v1.41/images/create?fromSrc=http%3A%2F%2F127.0.0.1%3A9%2Frootfs.tar&repo=x');
    expect(imp.status).toBe(403);
    expect(imp.body).toContain('deny-import');
    const twice = await request(gate.socketPath, 'POST', '/v1.41/images/create?fromImage=evil.example.com%2Fx&fromImage=busybox&tag=1');
    expect(twice.status).toBe(403);
    expect(callsSince(mark).filter((c) => c.uri.includes('/images/create'))).toEqual([]);
  });
});

describe('examples/policies/plugins.yaml', () => {
  let gate: SockgateProcess;
  beforeAll(async () => {
    gate = await startSockgate(['--policy', example('plugins.yaml')]);
  });
  afterAll(async () => void (await gate?.stop()));

  const pull = (body: string): ReturnType<typeof request> =>
    request(gate.socketPath, 'POST', '/v1.41/plugins/pull?remote=localhost%3A5000%2Fsg-plugin%3A1&name=sg-plugin', {
      headers: { 'Content-Type': 'application/json' },
      body,
    });
  const pulls = (mark: number): unknown[] => callsSince(mark).filter((c) => c.uri.includes('/plugins/pull'));

  it('an install that grants no privileges reaches the engine', async () => {
    const mark = logMark();
    const res = await pull('[]');
    expect(res.body).not.toContain('sockgate');
    expect(pulls(mark)).toHaveLength(1);
  });

  it.each([
    ['a host mount', '[{"Name":"mount","Description":"","Value":["/"]}]'],
    ['the host network', '[{"Name":"network","Description":"","Value":["host"]}]'],
    ['every device', '[{"Name":"allow-all-devices","Description":"","Value":["true"]}]'],
    ['CAP_SYS_ADMIN', '[{"Name":"capabilities","Description":"","Value":["CAP_SYS_ADMIN"]}]'],
  ])('an install granting %s is denied and never reaches the engine', async (_what, body) => {
    const mark = logMark();
    const res = await pull(body);
    expect(res.status).toBe(403);
    expect(res.body).toContain('no rule matched');
    expect(pulls(mark)).toEqual([]);
  });

  it.each([
    ['lower-case keys', '[{"name":"mount","value":["/"]}]'],
    ['an object instead of the list', '{"Name":"mount","Value":["/"]}'],
    ['a second list after the first', '[] [{"Name":"mount","Value":["/"]}]'],
  ])('an install whose privileges are spelled with %s is refused before the engine', async (_what, body) => {
    const mark = logMark();
    const res = await pull(body);
    expect(res.status, res.body).toBe(400);
    expect(pulls(mark)).toEqual([]);
  });

  it('docker plugin create and set are not allowed: their configs and mounts are not checked by the engine', async () => {
    const mark = logMark();
    const set = await request(gate.socketPath, 'POST', '/v1.41/plugins/sg-plugin/set', { headers: { 'Content-Type': 'application/json' }, body: '["data.source=/"]' });
    expect(set.status).toBe(403);
    const create = await request(gate.socketPath, 'POST', '/v1.41/plugins/create?name=sg-plugin', { headers: { 'Content-Type': 'application/x-tar' }, body: Buffer.alloc(1024) });
    expect(create.status).toBe(403);
    expect(callsSince(mark).filter((c) => c.uri.includes('/plugins/'))).toEqual([]);
  });
});

describe('examples/policies/copy-into.yaml', () => {
  let gate: SockgateProcess;
  const name = `sg-ex-cp-${tag}`;
  let src: string;
  beforeAll(async () => {
    gate = await startSockgate(['--policy', example('copy-into.yaml')]);
    await engineContainer(name);
    expect((await docker(engine, ['exec', name, 'mkdir', '-p', '/workspace'])).code).toBe(0);
    src = join(mkdtempSync(join(tmpdir(), 'sg-ex-cp-')), 'input.txt');
    writeFileSync(src, 'from the client\n');
  });
  afterAll(async () => void (await gate?.stop()));

  it('docker cp into and out of /workspace works', async () => {
    const into = await docker(gate.socketPath, ['cp', src, `${name}:/workspace/input.txt`]);
    expect(into.code, into.stderr).toBe(0);
    expect((await docker(engine, ['exec', name, 'cat', '/workspace/input.txt'])).stdout).toBe('from the client\n');
    const out = await docker(gate.socketPath, ['cp', `${name}:/workspace/input.txt`, '-']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('from the client');
  });

  // The CLI first stats the destination (HEAD archive), which is denied; it reports that as it
  // likes ("no such directory" for "/"), and never sends the PUT.
  it.each(['/etc/passwd', '/workspace/../etc/passwd', '/'])('docker cp into %s fails and the file is unchanged', async (dest) => {
    const before = (await docker(engine, ['exec', name, 'cat', '/etc/passwd'])).stdout;
    const mark = logMark();
    const r = await docker(gate.socketPath, ['cp', src, `${name}:${dest}`]);
    expect(r.code).not.toBe(0);
    expect(callsSince(mark).filter((c) => c.uri.includes('/archive'))).toEqual([]);
    expect((await docker(engine, ['exec', name, 'cat', '/etc/passwd'])).stdout).toBe(before);
  });

  it('a raw archive PUT whose path leaves /workspace once cleaned is denied before the engine', async () => {
    const mark = logMark();
    for (const path of ['/workspace/../etc', 'workspace/../../etc', '/workspace/..', '/workspace%2F..%2Fetc']) {
      const res = await request(gate.socketPath, 'PUT', `/v1.41/containers/${name}/archive?path=${encodeURIComponent(path)}`, {
        headers: { 'Content-Type': 'application/x-tar' },
        body: Buffer.alloc(1024),
      });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
    }
    expect(callsSince(mark).filter((c) => c.method === 'PUT')).toEqual([]);
  });
});
