import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openAuditLog } from '../../src/audit/audit-log.js';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { policyFromYaml, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { request } from '../helpers/raw-http.js';
import { spawnSockgate } from '../helpers/daemon.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const POLICY_TEXT = `version: 1
name: audit-test
default: deny
rules:
  - id: allow-basics
    effect: allow
    endpoints: [system.ping, system.version, containers.list, containers.create]
  - id: deny-etc-binds
    effect: deny
    description: no binds of /etc
    endpoints: [containers.create]
    body:
      - path: HostConfig.Binds
        any:
          - path: ''
            glob: '/etc:/**'
  - id: deny-docker-socket
    effect: deny
    endpoints: [containers.create]
    body:
      - path: $facts.hostPaths
        any:
          - path: ''
            pathPrefix: [/var/run/docker.sock]
`;
const POLICY = policyFromYaml(POLICY_TEXT);

type Rec = Record<string, unknown>;

let daemon: FakeDaemon;
let proxy: RunningProxy;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  proxy = await startProxy(POLICY, daemon.socketPath);
});
afterEach(async () => {
  await proxy.close();
  await daemon.close();
});

const create = (body: unknown) =>
  request(proxy.socketPath, 'POST', '/v1.41/containers/create', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

const decisions = (): Rec[] => proxy.log.audit().filter((r) => typeof r['effect'] === 'string' && typeof r['method'] === 'string');
const completions = (): Rec[] => proxy.log.audit().filter((r) => r['msg'] === 'request completed');
const completionOf = async (reqId: unknown): Promise<Rec> => {
  await waitUntil(() => completions().some((r) => r['reqId'] === reqId), 3000, 'completion record');
  return completions().find((r) => r['reqId'] === reqId)!;
};

describe('audit records', () => {
  it('name the bind that made a deny rule match: bodyPointer /HostConfig/Binds/0', async () => {
    const res = await create({ Image: 'busybox', Cmd: ['true'], HostConfig: { Binds: ['/etc:/host-etc:ro', '/srv:/srv'] } });
    expect(res.status).toBe(403);
    const rec = decisions().find((r) => r['effect'] === 'deny')!;
    expect(rec).toMatchObject({ rule: 'deny-etc-binds', bodyPointer: '/HostConfig/Binds/0', policyHash: POLICY.hash });
    expect(rec['bodyPointers']).toBeUndefined();
  });

  it('name the body field a host-path fact came from (a bind mount of the engine socket)', async () => {
    const res = await create({ Image: 'busybox', Cmd: ['true'], HostConfig: { Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/s' }] } });
    expect(res.status).toBe(403);
    expect(decisions().find((r) => r['effect'] === 'deny')).toMatchObject({ rule: 'deny-docker-socket', bodyPointer: '/HostConfig/Mounts/0/Source' });
  });

  it('name where a malformed body was refused', async () => {
    const res = await create({ Image: 'busybox', HostConfig: { Binds: ['/srv:/srv', 7] } });
    expect(res.status).toBe(400);
    expect(decisions().find((r) => r['effect'] === 'deny')).toMatchObject({ code: 'SOCKGATE_DENY_BODY', bodyPointer: '/HostConfig/Binds/1' });
  });

  it('give every request the listener, the profile and its connection number: equal on one keep-alive connection, different across connections', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string, withAgent: Agent | false) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ socketPath: proxy.socketPath, path, headers: { Host: 'docker' }, agent: withAgent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    expect(await get('/_ping', agent)).toBe(200);
    expect(await get('/version', agent)).toBe(200);
    agent.destroy();
    expect(await get('/containers/json', false)).toBe(200);
    const byPath = (p: string): Rec => decisions().find((r) => r['path'] === p)!;
    const [ping, version, list] = [byPath('/_ping'), byPath('/version'), byPath('/containers/json')];
    expect(ping['client']).toEqual({ listener: 'test', profile: 'audit-test', conn: expect.any(Number) as number });
    expect((ping['client'] as Rec)['conn']).toBe((version['client'] as Rec)['conn']);
    expect((list['client'] as Rec)['conn']).not.toBe((ping['client'] as Rec)['conn']);
  });

  it("record the client's User-Agent only as a claim, never as identity", async () => {
    await request(proxy.socketPath, 'GET', '/_ping', { headers: { 'User-Agent': 'Docker-Client/28.0.0 (linux)' } });
    const rec = decisions()[0]!;
    expect(rec['userAgent']).toBe('Docker-Client/28.0.0 (linux)');
    expect(JSON.stringify(rec['client'])).not.toContain('Docker-Client');
  });

  it('complete with the status the client got, what the engine answered, and the decision, each record meaningful on its own', async () => {
    daemon.handler = (_req, res) => {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"message":"page not found"}');
    };
    const ok = await request(proxy.socketPath, 'GET', '/v1.41/containers/json');
    expect(ok.status).toBe(404);
    const allowed = decisions().find((r) => r['path'] === '/containers/json')!;
    expect(await completionOf(allowed['reqId'])).toMatchObject({
      status: 404,
      engineStatus: 404,
      endpoint: 'containers.list',
      effect: 'allow',
      policyHash: POLICY.hash,
      client: allowed['client'],
    });

    const denied = await request(proxy.socketPath, 'DELETE', '/v1.41/containers/x');
    expect(denied.status).toBe(403);
    const rec = decisions().find((r) => r['method'] === 'DELETE')!;
    expect(await completionOf(rec['reqId'])).toMatchObject({ status: 403, engineStatus: null, endpoint: 'containers.delete', effect: 'deny' });
  });

  it('record engineStatus null when the engine cannot be reached', async () => {
    await daemon.close();
    const res = await request(proxy.socketPath, 'GET', '/_ping');
    expect(res.status).toBe(502);
    const rec = decisions().find((r) => r['path'] === '/_ping')!;
    expect(await completionOf(rec['reqId'])).toMatchObject({ status: 502, engineStatus: null, effect: 'allow' });
    daemon = await startFakeDaemon();
  });
});

describe('audit file', () => {
  it('rotates under load without splitting records, keeping at most N rotated files', async () => {
    const tmp = tempDir('sg-audit-');
    try {
      const path = join(tmp.dir, 'audit.jsonl');
      const operational: Rec[] = [];
      const opLogger = pino({ level: 'debug' }, { write: (s: string) => void operational.push(JSON.parse(s) as Rec) });
      const audit = openAuditLog({ path, maxBytes: 4096, keep: 2 }, opLogger);
      const p = await startProxy(POLICY, daemon.socketPath, { auditLogger: audit.logger });
      let closed = false;
      try {
        const N = 120;
        const results = await Promise.all(Array.from({ length: N }, (_, i) => request(p.socketPath, 'GET', `/_ping?i=${i}`)));
        expect(results.every((r) => r.status === 200)).toBe(true);
        // Closing the server ends every response, so every completion record has been written.
        await p.close();
        closed = true;
        await new Promise((r) => setImmediate(r));
        expect(readdirSync(tmp.dir).sort()).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2']);
        for (const f of [path, `${path}.1`, `${path}.2`]) {
          expect(statSync(f).size).toBeLessThanOrEqual(4096);
          const lines = readFileSync(f, 'utf8').split('\n');
          expect(lines.pop()).toBe('');
          for (const l of lines) expect((JSON.parse(l) as Rec)['kind']).toBe('audit');
        }
        expect(statSync(path).mode & 0o777).toBe(0o600);
        // The newest file ends with the last records written: 4096 bytes hold several of them.
        const newest = readFileSync(path, 'utf8').trim().split('\n');
        expect(newest.length).toBeGreaterThan(2);
        // Audit records went to the file only, not to the operational log.
        expect(p.log.audit()).toHaveLength(0);
        expect(operational.filter((r) => r['level'] === 50)).toHaveLength(0);
      } finally {
        if (!closed) await p.close();
        audit.close();
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('--audit-file sends audit records to the file and not to stdout, where operational logs stay', async () => {
    const tmp = tempDir('sg-auditcli-');
    const sock = join(tmp.dir, 's.sock');
    const auditFile = join(tmp.dir, 'audit.jsonl');
    const policyFile = join(tmp.dir, 'p.yaml');
    writeFileSync(policyFile, POLICY_TEXT);
    const gate = spawnSockgate(['--listen', sock, '--upstream', daemon.socketPath, '--policy', policyFile, '--audit-file', auditFile]);
    try {
      await waitUntil(() => gate.stderr().includes('listening on') || gate.exit() !== undefined, 10_000, 'listening');
      expect((await request(sock, 'GET', '/_ping')).status).toBe(200);
      expect((await request(sock, 'POST', '/containers/create', { headers: { 'Content-Type': 'application/json' }, body: '{"Image":"busybox","HostConfig":{"Binds":["/etc:/e"]}}' })).status).toBe(403);
      await waitUntil(() => existsSync(auditFile) && (readFileSync(auditFile, 'utf8').match(/request completed/g) ?? []).length === 2, 5000, 'audit records');
      const records = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
      expect(records.map((r) => r['msg'])).toEqual(['request allowed', 'request completed', 'request denied', 'request completed']);
      expect(records[2]).toMatchObject({ bodyPointer: '/HostConfig/Binds/0', client: { profile: 'audit-test', conn: 2 } });
      expect(statSync(auditFile).mode & 0o777).toBe(0o600);
      const out = gate.stdout().trim().split('\n').map((l) => JSON.parse(l) as Rec);
      expect(out.some((r) => r['msg'] === 'sockgate listening')).toBe(true);
      expect(out.some((r) => r['kind'] === 'audit')).toBe(false);
    } finally {
      await gate.stop();
      tmp.cleanup();
    }
  });

  it('--log-format pretty prints one human line per record on stdout', async () => {
    const tmp = tempDir('sg-pretty-');
    const sock = join(tmp.dir, 's.sock');
    const gate = spawnSockgate(['--listen', sock, '--upstream', daemon.socketPath, '--log-format', 'pretty']);
    try {
      await waitUntil(() => gate.stderr().includes('listening on') || gate.exit() !== undefined, 10_000, 'listening');
      expect((await request(sock, 'DELETE', '/containers/x')).status).toBe(403);
      await waitUntil(() => gate.stdout().includes('DONE'), 5000, 'completion line');
      const deny = gate.stdout().split('\n').find((l) => / DENY /.test(l))!;
      expect(deny).toMatch(/^\d\d:\d\d:\d\d DENY {3}read-only {2}DELETE \/containers\/x {2}containers\.delete {2}rule=/);
      expect(gate.stdout()).not.toContain('{"level"');
      expect(gate.stdout()).not.toContain('\x1b[');
    } finally {
      await gate.stop();
      tmp.cleanup();
    }
  });
});

describe('a stream a reload closes', () => {
  it('is recorded in the audit log (the audit file, with --audit-file), not in the operational log', async () => {
    const audit: Rec[] = [];
    const auditLogger = pino({ level: 'info' }, { write: (s: string) => void audit.push(JSON.parse(s) as Rec) });
    daemon.handler = (req, res) => {
      if ((req.url ?? '').includes('/events')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"status":"start"}\n');
        return;
      }
      res.end('{}');
    };
    const events = policyFromYaml('version: 1\nname: events\nrules:\n  - { id: allow-events, effect: allow, endpoints: [system.events] }\n');
    const p = await startProxy(events, daemon.socketPath, { auditLogger });
    try {
      const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        const req = httpRequest({ socketPath: p.socketPath, path: '/events', headers: { host: 'd' } }, resolve);
        req.on('error', reject);
        req.end();
      });
      const closed = new Promise<void>((r) => stream.once('close', () => r()));
      stream.resume();
      const denyAll = policyFromYaml('version: 1\nname: deny-all\ndefault: deny\nrules: []\n');
      expect(stream.statusCode).toBe(200);
      expect(await p.app.reloadProfile({ name: events.name, policy: denyAll })).toMatchObject({ streamsClosed: 1 });
      await closed;
      expect(audit.find((r) => r['msg'] === 'stream closed: the reloaded policy does not allow it')).toMatchObject({ kind: 'audit', endpoint: 'system.events', policyHash: denyAll.hash });
      expect(p.log.records.some((r) => r['msg'] === 'stream closed: the reloaded policy does not allow it')).toBe(false);
    } finally {
      await p.close();
    }
  });
});
