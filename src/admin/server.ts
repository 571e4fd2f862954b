/**
 * The admin listener: GET /metrics (Prometheus text 0.0.4) and GET /healthz, on a loopback port
 * or a Unix socket of its own (never a proxied socket). Plain node:http: two fixed routes, no
 * body parsing, nothing a client sends reaches the engine.
 *
 * /healthz answers 200 when sockgate is live, the engine answers GET /_ping within
 * HEALTH_PING_TIMEOUT_MS, and a policy is in force; 503 otherwise, naming the failing part. A
 * failed reload does not make sockgate unhealthy (the previous policies stay in force and are
 * enforced), but it shows: `policy.lastReload` is `{ok: false, problems: [...]}` until a reload
 * succeeds, and sockgate_last_reload_success is 0.
 */

import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SockgateError, sockgateError } from '../errors.js';
import { prepareSocket, type PreparedSocket } from '../listen.js';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/registry.js';
import type { PolicyState, SockgateMetrics } from '../metrics/sockgate-metrics.js';
import { formatAdminAddress, type AdminAddress } from './address.js';

/** Time the engine has to answer /_ping before sockgate calls it unreachable. */
export const HEALTH_PING_TIMEOUT_MS = 2000;

/** Mode of an admin Unix socket: like the proxy sockets' default, never wider. */
export const ADMIN_SOCKET_MODE = 0o660;

export interface UpstreamHealth {
  readonly reachable: boolean;
  /** why not, when unreachable */
  readonly error?: string;
}

export interface HealthReport {
  readonly status: 'ok' | 'unhealthy';
  readonly live: true;
  readonly upstream: UpstreamHealth;
  readonly policy: {
    readonly loaded: boolean;
    readonly loadedAt: string | null;
    readonly lastReload: { readonly ok: boolean; readonly at: string; readonly problems?: readonly string[] } | null;
  };
}

/** GET /_ping on the engine socket; reachable only on a 200 within the timeout. */
export function pingEngine(socketPath: string, timeoutMs = HEALTH_PING_TIMEOUT_MS): Promise<UpstreamHealth> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (h: UpstreamHealth): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(h);
    };
    const req = httpRequest({ socketPath, method: 'GET', path: '/_ping', headers: { host: 'docker' }, agent: false }, (res) => {
      res.resume();
      settle(res.statusCode === 200 ? { reachable: true } : { reachable: false, error: `the engine answered /_ping with ${res.statusCode}` });
    });
    const timer = setTimeout(() => settle({ reachable: false, error: `the engine did not answer /_ping within ${timeoutMs} ms` }), timeoutMs);
    req.on('error', (err) => settle({ reachable: false, error: `cannot reach the engine at ${socketPath}: ${err.message}` }));
    req.end();
  });
}

export function healthReport(upstream: UpstreamHealth, policy: PolicyState): HealthReport {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const last = policy.lastReload;
  return {
    status: upstream.reachable && policy.loaded ? 'ok' : 'unhealthy',
    live: true,
    upstream,
    policy: {
      loaded: policy.loaded,
      loadedAt: policy.loadedAt === null ? null : iso(policy.loadedAt),
      lastReload: last === null ? null : { ok: last.ok, at: iso(last.at), ...(last.ok ? {} : { problems: last.problems }) },
    },
  };
}

export interface AdminServerOptions {
  readonly address: AdminAddress;
  readonly metrics: SockgateMetrics;
  /** the engine socket /healthz pings */
  readonly upstreamSocket: string;
  readonly pingTimeoutMs?: number;
}

export interface AdminServer {
  readonly server: Server;
  /** where it listens, as written on the command line (with the actual port for port 0) */
  readonly where: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** Serve /metrics and /healthz on `address`; resolves once listening. */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0];
    const method = req.method ?? '';
    if (path !== '/metrics' && path !== '/healthz') return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /healthz\n');
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    if (path === '/metrics') return send(res, 200, EXPOSITION_CONTENT_TYPE, options.metrics.render());
    void pingEngine(options.upstreamSocket, options.pingTimeoutMs).then((upstream) => {
      const report = healthReport(upstream, options.metrics.policyState());
      send(res, report.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(report) + '\n');
    });
  };
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000, keepAliveTimeout: 5_000 }, handle);
  server.on('clientError', (_err, socket) => socket.destroy());

  const { address } = options;
  let socket: PreparedSocket | null = null;
  const listen = (how: { path: string } | { host: string; port: number }): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(how, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    if (address.kind === 'unix') {
      socket = await prepareSocket(address.path, ADMIN_SOCKET_MODE, null);
      await listen({ path: socket.bindPath });
      socket.publish();
    } else {
      await listen({ host: address.host, port: address.port });
      const bound = server.address() as AddressInfo;
      // "localhost" resolves through the system's resolver: make sure it meant loopback.
      if (!isLoopback(bound.address)) {
        throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'metrics-not-loopback', address: formatAdminAddress(address), bound: bound.address }, ['use 127.0.0.1:PORT or [::1]:PORT']);
      }
    }
  } catch (err) {
    server.close();
    socket?.cleanup();
    if (err instanceof SockgateError) throw err;
    throw sockgateError('SOCKGATE_ERR_LISTEN_FAILED', { step: 'serve-metrics', path: formatAdminAddress(address), cause: err });
  }
  const bound = server.address();
  const where = address.kind === 'unix' ? address.path : formatAdminAddress({ ...address, port: (bound as AddressInfo).port });
  return {
    server,
    where,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      socket?.cleanup();
    },
  };
}

export interface HealthCheckResult {
  /** 0 when /healthz answered 200, else 1 */
  readonly exitCode: number;
  /** the body, or why there is none */
  readonly output: string;
  /** true when output is the answer's body (for stdout), false when it says why there is none (stderr) */
  readonly answered: boolean;
}

/** GET /healthz on an admin address (the `sockgate health` command). */
export function checkHealth(address: AdminAddress, timeoutMs = HEALTH_PING_TIMEOUT_MS + 3000): Promise<HealthCheckResult> {
  return new Promise((resolve) => {
    const where = formatAdminAddress(address);
    const target = address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
    let settled = false;
    const settle = (r: HealthCheckResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = httpRequest({ ...target, method: 'GET', path: '/healthz', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => settle({ exitCode: res.statusCode === 200 ? 0 : 1, output: Buffer.concat(chunks).toString('utf8'), answered: true }));
      res.on('error', (err) => settle({ exitCode: 1, output: `sockgate health: the answer from ${where} broke off: ${err.message}\n`, answered: false }));
    });
    const timer = setTimeout(() => settle({ exitCode: 1, output: `sockgate health: no answer from ${where} within ${timeoutMs} ms\n`, answered: false }), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const nothing = err.code === 'ECONNREFUSED' || err.code === 'ENOENT';
      settle({ exitCode: 1, output: `sockgate health: ${nothing ? `nothing listens on ${where}` : `cannot reach ${where}`} (${err.code ?? err.message}); is sockgate running with --metrics-listen ${where}?\n`, answered: false });
    });
    req.end();
  });
}
