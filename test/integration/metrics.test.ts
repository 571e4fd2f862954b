import { execFile, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { createSockgateMetrics, type SockgateMetrics } from '../../src/metrics/sockgate-metrics.js';
import { REPO_ROOT } from '../helpers/engine.js';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { policyFromYaml, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { rawExchange, request } from '../helpers/raw-http.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const POLICY = policyFromYaml(`version: 1
name: metered
rules:
  - id: allow-reads
    effect: allow
    methods: [GET]
    endpoints: [system.info, system.events, system.ping]
  - id: allow-exec-start
    effect: allow
    methods: [POST]
    endpoints: [exec.start]
  - id: deny-create
    effect: deny
    endpoints: [containers.create]
`);

let daemon: FakeDaemon;
let metrics: SockgateMetrics;
let proxy: RunningProxy;
let admin: AdminServer;
let tmp: { dir: string; cleanup: () => void };

beforeEach(async () => {
  tmp = tempDir('sg-metrics-');
  daemon = await startFakeDaemon();
  metrics = createSockgateMetrics({ version: '0.0.0-test', now: () => Date.now(), processFigures: () => ({ residentBytes: 1, uptimeSeconds: 1 }) });
  proxy = await startProxy(POLICY, daemon.socketPath, { observer: metrics.observer('test') });
  metrics.setProfiles([{ listener: 'test', profile: POLICY.name, hash: POLICY.hash }]);
  admin = await startAdminServer({ address: { kind: 'unix', path: join(tmp.dir, 'admin.sock') }, metrics, upstreamSocket: daemon.socketPath });
});
afterEach(async () => {
  await admin.close();
  await proxy.close();
  await daemon.close();
  tmp.cleanup();
});

const adminSocket = (): string => join(tmp.dir, 'admin.sock');

/** The value of one sample of the exposition text, or undefined when absent. */
async function sample(selector: string): Promise<number | undefined> {
  const r = await request(adminSocket(), 'GET', '/metrics');
  const line = r.body.split('\n').find((l) => l.startsWith(selector + ' '));
  return line === undefined ? undefined : Number(line.slice(selector.length + 1));
}

async function waitForSample(selector: string, value: number, what: string): Promise<void> {
  let last: number | undefined;
  const deadline = Date.now() + 3000;
  while ((last = await sample(selector)) !== value) {
    if (Date.now() > deadline) throw new Error(`${what}: ${selector} is ${last}, not ${value}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the metrics of proxied requests', () => {
  it('counts an allowed request with its endpoint, effect and rule, and its duration and bytes', async () => {
    const r = await request(proxy.socketPath, 'GET', '/v1.41/info');
    expect(r.status).toBe(200);
    expect(await sample('sockgate_requests_total{listener="test",profile="metered",endpoint="system.info",effect="allow",rule="allow-reads",code=""}')).toBe(1);
    await request(proxy.socketPath, 'GET', '/v1.41/info');
    expect(await sample('sockgate_requests_total{listener="test",profile="metered",endpoint="system.info",effect="allow",rule="allow-reads",code=""}')).toBe(2);
    expect(await sample('sockgate_request_duration_seconds_count{listener="test",endpoint="system.info"}')).toBe(2);
    // Bytes of open connections are counted at each scrape, of closed ones when they close.
    const bytesIn = await sample('sockgate_bytes_total{listener="test",direction="in"}');
    const bytesOut = await sample('sockgate_bytes_total{listener="test",direction="out"}');
    // The request heads ("GET /v1.41/info HTTP/1.1 ...") and the answers (status line, headers, body).
    expect(bytesIn).toBeGreaterThanOrEqual(2 * 'GET /v1.41/info HTTP/1.1\r\n'.length);
    expect(bytesOut).toBeGreaterThanOrEqual(2 * (r.body.length + 'HTTP/1.1 200 OK\r\n'.length));
  });

  it('counts a denial with effect "deny", the deny rule and the sockgate code, and an unknown endpoint as "unknown"', async () => {
    const denied = await request(proxy.socketPath, 'POST', '/v1.41/containers/create', { headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(denied.status).toBe(403);
    expect(await sample('sockgate_requests_total{listener="test",profile="metered",endpoint="containers.create",effect="deny",rule="deny-create",code="SOCKGATE_DENY_POLICY"}')).toBe(1);
    const unknown = await request(proxy.socketPath, 'GET', '/v1.41/no/such/endpoint');
    expect(unknown.status).toBe(403);
    const text = (await request(adminSocket(), 'GET', '/metrics')).body;
    const line = text.split('\n').find((l) => l.startsWith('sockgate_requests_total{') && l.includes('endpoint="unknown"'));
    expect(line).toMatch(/effect="deny",rule="",code="SOCKGATE_DENY_POLICY"\} 1$/);
    // The client's path never becomes a label value.
    expect(text).not.toContain('no/such/endpoint');
  });

  it('shows a streamed answer in open_streams while it is open, and 0 once the client goes', async () => {
    daemon.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"start"}\n');
      // ... and never ends, like /events
    };
    const selector = 'sockgate_open_streams{listener="test",kind="stream"}';
    expect(await sample(selector)).toBe(0);
    const req = httpRequest({ socketPath: proxy.socketPath, path: '/v1.41/events', headers: { host: 'docker' }, agent: false });
    const got = new Promise<void>((resolve) => req.on('response', (res) => res.once('data', () => resolve())));
    req.on('error', () => {});
    req.end();
    await got;
    expect(await sample(selector)).toBe(1);
    req.destroy();
    await waitForSample(selector, 0, 'after the client left');
  });

  it('shows a hijacked connection in open_streams while it is open, and 0 after it closes', async () => {
    daemon.upgradeHandler = (_req, socket) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.on('data', (c: Buffer) => socket.write(c.toString().toUpperCase()));
      socket.on('end', () => socket.end());
    };
    const selector = 'sockgate_open_streams{listener="test",kind="hijack"}';
    const c = connect({ path: proxy.socketPath, allowHalfOpen: true });
    let out = '';
    c.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((r) => c.once('connect', () => r()));
    c.write('POST /v1.41/exec/abc/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    await waitUntil(() => out.includes('101 UPGRADED'), 3000, '101');
    c.write('ping');
    await waitUntil(() => out.includes('PING'), 3000, 'echo');
    expect(await sample(selector)).toBe(1);
    expect(await sample('sockgate_requests_total{listener="test",profile="metered",endpoint="exec.start",effect="allow",rule="allow-exec-start",code=""}')).toBe(1);
    c.end();
    await waitForSample(selector, 0, 'after the hijacked connection closed');
  });

  it('counts upstream errors when the engine is gone', async () => {
    await daemon.close();
    const r = await request(proxy.socketPath, 'GET', '/v1.41/info');
    expect(r.status).toBe(502);
    const raw = await rawExchange(proxy.socketPath, 'POST /exec/abc/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}');
    expect(raw).toContain('502');
    expect(await sample('sockgate_upstream_errors_total{listener="test"}')).toBe(2);
    daemon = await startFakeDaemon();
  });
});

describe('the admin listener', () => {
  it('serves /metrics as Prometheus text 0.0.4 with HELP and TYPE lines', async () => {
    const r = await request(adminSocket(), 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.body).toContain('# TYPE sockgate_requests_total counter\n');
    expect(r.body).toContain('# TYPE sockgate_request_duration_seconds histogram\n');
    expect(r.body).toContain(`sockgate_policy_info{listener="test",profile="metered",hash="${POLICY.hash}"} 1\n`);
    expect(r.body).toContain('sockgate_build_info{version="0.0.0-test"} 1\n');
  });

  it('answers anything else 404 and other methods 405', async () => {
    expect((await request(adminSocket(), 'GET', '/')).status).toBe(404);
    expect((await request(adminSocket(), 'GET', '/v1.41/containers/json')).status).toBe(404);
    expect((await request(adminSocket(), 'POST', '/metrics')).status).toBe(405);
  });

  it('answers /healthz 200 with the engine up and a policy loaded', async () => {
    const r = await request(adminSocket(), 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', live: true, upstream: { reachable: true }, policy: { loaded: true, lastReload: null } });
    expect(daemon.received.some((q) => q.url === '/_ping')).toBe(true);
  });

  it('answers /healthz 503 naming the upstream when the engine socket is gone', async () => {
    await daemon.close();
    const r = await request(adminSocket(), 'GET', '/healthz');
    expect(r.status).toBe(503);
    expect(r.json()).toMatchObject({ status: 'unhealthy', live: true, upstream: { reachable: false, error: expect.stringContaining('cannot reach the engine') as unknown }, policy: { loaded: true } });
    daemon = await startFakeDaemon();
  });

  it('answers /healthz 503 when the engine does not answer /_ping in time', async () => {
    await admin.close();
    admin = await startAdminServer({ address: { kind: 'unix', path: adminSocket() }, metrics, upstreamSocket: daemon.socketPath, pingTimeoutMs: 200 });
    daemon.handler = () => {
      /* never answers */
    };
    const r = await request(adminSocket(), 'GET', '/healthz');
    expect(r.status).toBe(503);
    expect(r.json()).toMatchObject({ upstream: { reachable: false, error: 'the engine did not answer /_ping within 200 ms' } });
  });

  it('stays 200 after a failed reload but shows it, since the previous policy is still enforced', async () => {
    metrics.reloadFailed(['p.yaml:2:1: unknown key "rulez"']);
    const r = await request(adminSocket(), 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', policy: { loaded: true, lastReload: { ok: false, problems: ['p.yaml:2:1: unknown key "rulez"'] } } });
    expect(await sample('sockgate_last_reload_success')).toBe(0);
  });

  it('answers /healthz 503 while no policy is loaded', async () => {
    const bare = createSockgateMetrics({ version: 'x', now: () => 0, processFigures: () => ({ residentBytes: 0, uptimeSeconds: 0 }) });
    const path = join(tmp.dir, 'bare.sock');
    const other = await startAdminServer({ address: { kind: 'unix', path }, metrics: bare, upstreamSocket: daemon.socketPath });
    try {
      const r = await request(path, 'GET', '/healthz');
      expect(r.status).toBe(503);
      expect(r.json()).toMatchObject({ upstream: { reachable: true }, policy: { loaded: false } });
    } finally {
      await other.close();
    }
  });

  it('creates its Unix socket with mode 0660 and removes it on close', async () => {
    expect(statSync(adminSocket()).mode & 0o777).toBe(0o660);
    await admin.close();
    expect(existsSync(adminSocket())).toBe(false);
    admin = await startAdminServer({ address: { kind: 'unix', path: adminSocket() }, metrics, upstreamSocket: daemon.socketPath });
  });

  it('refuses a socket path another process serves', async () => {
    await expect(startAdminServer({ address: { kind: 'unix', path: adminSocket() }, metrics, upstreamSocket: daemon.socketPath })).rejects.toMatchObject({ code: 'SOCKGATE_ERR_LISTEN_IN_USE' });
  });

  it('serves on a loopback port', async () => {
    const tcp = await startAdminServer({ address: { kind: 'tcp', host: '127.0.0.1', port: 0 }, metrics, upstreamSocket: daemon.socketPath });
    try {
      expect(tcp.where).toMatch(/^127\.0\.0\.1:\d+$/);
      const port = Number(tcp.where.split(':')[1]);
      const body = await new Promise<string>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve(b));
        })
          .on('error', reject)
          .end();
      });
      expect(body).toContain('sockgate_requests_total');
    } finally {
      await tcp.close();
    }
  });
});

describe('sockgate --metrics-listen and sockgate health', () => {
  const BIN = join(REPO_ROOT, 'bin/sockgate.js');
  const cli = (args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  it('serves health on the configured socket: exit 0 with the body while up, 1 once the engine is gone, 1 when nothing listens', async () => {
    const listen = join(tmp.dir, 'proxy.sock');
    const metricsSock = join(tmp.dir, 'daemon-admin.sock');
    const child = spawn(process.execPath, [BIN, '--listen', listen, '--upstream', daemon.socketPath, '--metrics-listen', metricsSock], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let exit: number | null | undefined;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    child.on('exit', (c) => (exit = c));
    try {
      await waitUntil(() => stderr.includes(`metrics on ${metricsSock}`) || exit !== undefined, 15_000, 'daemon start');
      expect(exit).toBeUndefined();
      const up = await cli(['health', '--metrics-listen', metricsSock]);
      expect(up.code).toBe(0);
      expect(JSON.parse(up.stdout)).toMatchObject({ status: 'ok', upstream: { reachable: true }, policy: { loaded: true } });
      // The variable works as the flag does (the Dockerfile HEALTHCHECK sets it once for both).
      expect((await cli(['health'], { SOCKGATE_METRICS_LISTEN: metricsSock })).code).toBe(0);

      await daemon.close();
      const down = await cli(['health', '--metrics-listen', metricsSock]);
      expect(down.code).toBe(1);
      expect(JSON.parse(down.stdout)).toMatchObject({ status: 'unhealthy', upstream: { reachable: false } });
      daemon = await startFakeDaemon();
    } finally {
      if (exit === undefined) child.kill('SIGTERM');
      await waitUntil(() => exit !== undefined, 15_000, 'daemon exit');
    }
    expect(exit).toBe(0);
    expect(existsSync(metricsSock)).toBe(false);
    const none = await cli(['health', '--metrics-listen', metricsSock]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`nothing listens on ${metricsSock}`);
  });

  it('refuses to start on a non-loopback address, or on the proxied socket itself', async () => {
    const listen = join(tmp.dir, 'proxy.sock');
    const wide = await cli(['--listen', listen, '--upstream', daemon.socketPath, '--metrics-listen', '0.0.0.0:9323']);
    expect(wide.code).toBe(1);
    expect(wide.stderr).toContain('SOCKGATE_ERR_CONFIG_INVALID');
    expect(wide.stderr).toContain('host 0.0.0.0 is not loopback');
    const same = await cli(['--listen', listen, '--upstream', daemon.socketPath, '--metrics-listen', listen]);
    expect(same.code).toBe(1);
    expect(same.stderr).toContain('SOCKGATE_ERR_CONFIG_INVALID');
    expect(same.stderr).toContain('is also a proxied socket');
    expect(existsSync(listen)).toBe(false);
  });

  it('exits 1 with a clear message when health is given no address', async () => {
    const r = await cli(['health'], { SOCKGATE_METRICS_LISTEN: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pass --metrics-listen ADDR or set SOCKGATE_METRICS_LISTEN');
  });
});
