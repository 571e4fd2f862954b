import { execFile, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { BIN, spawnSockgate } from '../helpers/daemon.js';
import { REPO_ROOT } from '../helpers/engine.js';
import { request } from '../helpers/raw-http.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/policies');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const startDaemon = spawnSockgate;

let daemon: FakeDaemon;
let tmp: { dir: string; cleanup: () => void };
beforeEach(async () => {
  daemon = await startFakeDaemon();
  tmp = tempDir('sg-cli-');
});
afterEach(async () => {
  await daemon.close();
  tmp.cleanup();
});

describe('sockgate check', () => {
  it('exits 0 and says ok for valid policies', async () => {
    const r = await cli(['check', join(REPO_ROOT, 'policies/read-only.yaml'), join(FIXTURES, 'valid/everything.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('read-only.yaml: ok');
  });

  it('exits 1 and prints every problem with file:line:col', async () => {
    const bad = join(FIXTURES, 'invalid/wrong-types.yaml');
    const r = await cli(['check', join(REPO_ROOT, 'policies/read-only.yaml'), bad]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith(bad));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.every((l) => /:\d+:\d+: /.test(l))).toBe(true);
  });

  it('exits 1 for a file that does not exist', async () => {
    const r = await cli(['check', join(tmp.dir, 'nope.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('SOCKGATE_ERR_POLICY_READ');
  });
});

describe('sockgate explain', () => {
  it('prints the decision and the deciding rule without sending anything', async () => {
    const r = await cli(['explain', 'POST', '/v1.41/containers/create']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ effect: 'deny', rule: 'deny-writes', endpoint: 'containers.create', path: '/containers/create', apiVersion: '1.41' });
    const ok = await cli(['explain', 'GET', '/containers/json']);
    expect(ok.code).toBe(0);
    expect(daemon.received).toHaveLength(0);
  });

  it("takes a config file and a listener, and says for every rule why it did or did not match", async () => {
    const config = join(tmp.dir, 'sockgate.yaml');
    writeFileSync(
      config,
      `version: 1
listeners:
  - socket: ${join(tmp.dir, 'ci.sock')}
    profile:
      name: ci
      ownership: true
      rules:
        - { id: allow-create, effect: allow, endpoints: [containers.create] }
        - id: deny-privileged
          effect: deny
          endpoints: [containers.create]
          body: [{ path: HostConfig.Privileged, equals: true }]
        - { id: reads, effect: allow, methods: [GET], paths: ["/info"] }
`,
    );
    const body = join(tmp.dir, 'body.json');
    writeFileSync(body, '{"Image":"x","HostConfig":{"Privileged":true}}');
    const r = await cli(['explain', '--config', config, '--listener', 'ci', '--body', body, 'POST', '/v1.41/containers/create']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { profile: string; rule: string; bodyPointer: string; rules: unknown[] };
    expect(out).toMatchObject({ profile: 'ci', rule: 'deny-privileged', bodyPointer: '/HostConfig/Privileged' });
    expect(out.rules).toEqual([
      { id: 'allow-create', effect: 'allow', matched: true, why: 'endpoint/path all match' },
      { id: 'deny-privileged', effect: 'deny', matched: true, why: 'endpoint/path, body all match' },
      { id: 'reads', effect: 'allow', matched: false, why: 'method POST is not one of GET' },
    ]);
    writeFileSync(body, '{"Image":"x","HostConfig":{"VolumesFrom":["other"]}}');
    const refs = JSON.parse((await cli(['explain', '--config', config, '--listener', join(tmp.dir, 'ci.sock'), '--body', body, 'POST', '/containers/create'])).stdout) as Record<string, unknown>;
    expect(refs['objectsToCheck']).toEqual([{ kind: 'container', ref: 'other', pointer: '/HostConfig/VolumesFrom/0' }]);
    expect((refs['rules'] as { id: string; why: string }[])[1]).toMatchObject({ id: 'deny-privileged', why: 'its body conditions do not all hold' });
    const missing = await cli(['explain', '--config', config, '--listener', 'nope', 'GET', '/info']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('has no listener "nope"');
  });
});

describe('sockgate daemon start-up', () => {
  it('refuses to start with an invalid policy and lists every problem', async () => {
    const r = await cli(['--listen', join(tmp.dir, 's.sock'), '--upstream', daemon.socketPath, '--policy', join(FIXTURES, 'invalid/bad-glob.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SOCKGATE_ERR_POLICY_INVALID');
    expect(r.stderr.match(/bad-glob\.yaml:\d+:\d+/g)?.length).toBe(3);
  });

  it('refuses to start when the upstream socket does not exist', async () => {
    const r = await cli(['--listen', join(tmp.dir, 's.sock'), '--upstream', join(tmp.dir, 'missing.sock')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not exist');
  });

  it('creates the socket with mode 0660 by default, serves, and removes it on SIGTERM', async () => {
    const sock = join(tmp.dir, 's.sock');
    const d = startDaemon(['--listen', sock, '--upstream', daemon.socketPath]);
    await waitUntil(() => d.stderr().includes('listening on'), 10_000, 'listening');
    expect(statSync(sock).mode & 0o777).toBe(0o660);
    const res = await request(sock, 'GET', '/_ping');
    expect(res.status).toBe(200);
    expect(await d.stop()).toBe(0);
    expect(() => statSync(sock)).toThrow();
  });

  it('on SIGTERM ends open streams at once, lets an in-flight request finish, and exits 0', async () => {
    daemon.handler = (req, res) => {
      if ((req.url ?? '').includes('/events')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        return;
      }
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('[]');
      }, 1_000);
    };
    const sock = join(tmp.dir, 's.sock');
    const d = startDaemon(['--listen', sock, '--upstream', daemon.socketPath]);
    await waitUntil(() => d.stderr().includes('listening on'), 10_000, 'listening');
    const events = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      httpRequest({ socketPath: sock, path: '/v1.41/events', headers: { host: 'docker' } }, resolve).once('error', reject).end();
    });
    let eventsEndedAt = 0;
    events.on('data', () => undefined);
    events.once('close', () => (eventsEndedAt = Date.now()));
    const slow = request(sock, 'GET', '/v1.41/containers/json');
    await new Promise((r) => setTimeout(r, 200));
    const signalledAt = Date.now();
    d.child.kill('SIGTERM');
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('[]');
    expect(eventsEndedAt).toBeGreaterThan(0);
    expect(eventsEndedAt - signalledAt).toBeLessThan(500);
    await waitUntil(() => d.exit() !== undefined, 5_000, 'exit after the drain');
    expect(d.exit()).toBe(0);
  });

  it('applies --listen-mode and --listen-group', async () => {
    const sock = join(tmp.dir, 's.sock');
    const d = startDaemon(['--listen', sock, '--upstream', daemon.socketPath, '--listen-mode', '0600', '--listen-group', '0']);
    await waitUntil(() => d.stderr().includes('listening on'), 10_000, 'listening');
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    expect(statSync(sock).gid).toBe(0);
    await d.stop();
  });

  it('replaces a stale socket left by a dead process', async () => {
    const sock = join(tmp.dir, 's.sock');
    // A process that dies by SIGKILL leaves its socket file behind.
    const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((r) => holder.stdout.once('data', () => r()));
    holder.kill('SIGKILL');
    await new Promise<void>((r) => holder.once('exit', () => r()));
    expect(statSync(sock).isSocket()).toBe(true);
    const d = startDaemon(['--listen', sock, '--upstream', daemon.socketPath]);
    await waitUntil(() => d.stderr().includes('listening on') || d.exit() !== undefined, 10_000, 'start');
    expect(d.stderr()).toContain('listening on');
    expect((await request(sock, 'GET', '/_ping')).status).toBe(200);
    await d.stop();
  });

  it('refuses a socket path that a live process serves', async () => {
    const sock = join(tmp.dir, 's.sock');
    const srv = createServer((c) => c.end());
    await new Promise<void>((r) => srv.listen(sock, r));
    const r = await cli(['--listen', sock, '--upstream', daemon.socketPath]);
    srv.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SOCKGATE_ERR_LISTEN_IN_USE');
  });

  it('refuses to replace a file that is not a socket', async () => {
    const path = join(tmp.dir, 'not-a-socket');
    writeFileSync(path, 'keep me');
    const r = await cli(['--listen', path, '--upstream', daemon.socketPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SOCKGATE_ERR_LISTEN_NOT_SOCKET');
  });

  it('documents every flag and its environment variable in --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--listen', '--listen-mode', '--listen-group', '--upstream', '--policy', 'SOCKGATE_LISTEN', 'SOCKGATE_POLICY']) expect(r.stdout).toContain(flag);
  });
});

describe('sockgate --config: several listeners, each with its own profile', () => {
  const config = (a: string, b: string, policyFile: string): string => `version: 1
upstream: ${daemon.socketPath}
listeners:
  - socket: ${a}
    mode: "0600"
    owner: 0
    group: 0
    profile:
      name: reader
      policy: ${policyFile}
  - socket: ${b}
    profile:
      name: pinger
      rules:
        - id: allow-ping
          effect: allow
          endpoints: [system.ping, system.pingHead]
`;

  it('serves every listener under its own profile, names both in each audit record, and removes the sockets on SIGTERM', async () => {
    const a = join(tmp.dir, 'a.sock');
    const b = join(tmp.dir, 'b.sock');
    const file = join(tmp.dir, 'sockgate.yaml');
    // the policy file is found relative to the config file
    writeFileSync(join(tmp.dir, 'reader.yaml'), 'version: 1\nrules:\n  - { id: allow-list, effect: allow, endpoints: [containers.list] }\n');
    writeFileSync(file, config(a, b, 'reader.yaml'));
    expect((await cli(['check', file])).code).toBe(0);
    const d = startDaemon(['--config', file]);
    await waitUntil(() => (d.stderr().match(/listening on/g) ?? []).length === 2 || d.exit() !== undefined, 10_000, 'listening');
    expect(statSync(a).mode & 0o777).toBe(0o600);
    expect([statSync(a).uid, statSync(a).gid]).toEqual([0, 0]);
    expect(statSync(b).mode & 0o777).toBe(0o660);

    expect((await request(a, 'GET', '/v1.41/containers/json')).status).toBe(200);
    expect((await request(a, 'GET', '/_ping')).status).toBe(403);
    expect((await request(b, 'GET', '/_ping')).status).toBe(200);
    const denied = await request(b, 'GET', '/v1.41/containers/json');
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('policy \\"pinger\\" defaults to deny');

    expect(await d.stop()).toBe(0);
    expect(() => statSync(a)).toThrow();
    expect(() => statSync(b)).toThrow();
    const decisions = d
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"kind":"audit"') && l.includes('"method"'))
      .map((l) => JSON.parse(l) as { listener: string; profile: string; effect: string });
    expect(decisions.map((r) => [r.listener, r.profile, r.effect])).toEqual([
      [a, 'reader', 'allow'],
      [a, 'reader', 'deny'],
      [b, 'pinger', 'allow'],
      [b, 'pinger', 'deny'],
    ]);
  });

  it('refuses to start with an invalid config, listing every problem with file:line:col', async () => {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(file, 'version: 1\nlisteners:\n  - socket: relative.sock\n    profile: { name: x, rules: [] }\n');
    const r = await cli(['--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SOCKGATE_ERR_CONFIG_INVALID');
    expect(r.stderr).toContain(`${file}:3:13: "relative.sock" must be an absolute path`);
  });

  it('refuses --config together with --listen or --policy', async () => {
    const r = await cli(['--config', join(tmp.dir, 'x.yaml'), '--policy', 'p.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('drop --policy');
  });
});
