/**
 * buildServer(options) → a fastify instance serving one listener's profile. It never listens by
 * itself (the daemon, src/commands/daemon.ts, does), so tests drive it on temp sockets.
 *
 * This file wires the request path's stages (src/pipeline/): the node:http server runs the gate
 * on the raw request line before fastify's router sees anything (http-server.ts), the short path
 * forwards what needs no rewriting on the client connection's own engine connection
 * (short-path.ts), and the single fastify route reads a body a decision needs, decides, and
 * forwards the checked target with @fastify/reply-from over an undici pool bound to the engine
 * socket (handle.ts, forward.ts). Upgrade requests take the same gate (upgrade.ts).
 */

import type { Server } from 'node:http';
import replyFrom from '@fastify/reply-from';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createConnectionCounter } from './audit/client.js';
import { createAuditor } from './audit/record.js';
import { clientMessage } from './errors.js';
import type { ServerObserver } from './observe.js';
import { bindOwner } from './policy/ownership.js';
import { EnginePool, engineRawHeaders } from './proxy/engine-pool.js';
import { createImageLabelCache } from './proxy/image-labels.js';
import { createTargetCache } from './proxy/target-cache.js';
import { learnEngineVersion, TARGET_LOOKUP_TIMEOUT_MS, type Gateway, type Profile } from './pipeline/gateway.js';
import { sendMessage } from './pipeline/forward.js';
import { handle, parseBody } from './pipeline/handle.js';
import { clientErrorHandler, httpServerFactory } from './pipeline/http-server.js';
import { closeStreams, reloadProfile } from './pipeline/streams.js';
import {
  DEFAULT_CLIENT_BODY_IDLE_TIMEOUT_MS,
  DEFAULT_CLIENT_HEADERS_TIMEOUT_MS,
  DEFAULT_CLIENT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS,
  DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS,
} from './defaults.js';

export type { Profile } from './pipeline/gateway.js';

export interface ServerOptions {
  /** names the listener in audit records (its socket path by default) */
  readonly listener: string;
  readonly profile: Profile;
  readonly upstream: {
    readonly socketPath: string;
    readonly connectTimeoutMs?: number;
    /** time for the engine to send response headers; 0 disables. Bodies never time out. */
    readonly headersTimeoutMs?: number;
  };
  readonly logger: Logger;
  /** where audit records go (the audit file's logger); `logger` when not given */
  readonly auditLogger?: Logger;
  /**
   * writes what the audit records' destination holds (audit/coalesce.ts): called after each
   * decision record, so it is written before the request is forwarded; absent: nothing is held
   */
  readonly flushAudit?: () => void;
  /** time a client has to send its request headers (slow clients are cut off) */
  readonly clientHeadersTimeoutMs?: number;
  /** time a client may pause while sending a request body before the connection is closed; 0 disables */
  readonly clientBodyIdleTimeoutMs?: number;
  /** time an idle keep-alive client connection is kept; 0: until the client closes it */
  readonly clientIdleTimeoutMs?: number;
  readonly maxHeaderBytes?: number;
  /** largest request body read to inspect it (413 past it) */
  readonly maxBodyBytes?: number;
  /** told of decisions, completions, streams, upstream errors and connections (metrics) */
  readonly observer?: ServerObserver;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** switch the listener to a new profile (hot reload); see buildServer */
    reloadProfile(profile: Profile): Promise<{ streamsChecked: number; streamsClosed: number }>;
    /** end open streams and hijacked connections (shutdown); other requests are left to finish */
    closeStreams(): void;
    /** ask the engine its API version now (the daemon does at start; answers keep it current) */
    probeEngine(): Promise<void>;
  }
}

/** Time allowed for the engine to answer the start-up GET /_ping that tells its API version. */
const ENGINE_PROBE_TIMEOUT_MS = 5_000;

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'];

/** What the stages share: the engine pool and lookup caches, and the listener's policy and audit. */
function createGateway(options: ServerOptions): Gateway {
  const upstream = {
    socketPath: options.upstream.socketPath,
    connectTimeoutMs: options.upstream.connectTimeoutMs ?? DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: options.upstream.headersTimeoutMs ?? DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS,
  };
  const pool = new EnginePool('http://localhost', {
    socketPath: upstream.socketPath,
    connect: { timeout: upstream.connectTimeoutMs },
    headersTimeout: upstream.headersTimeoutMs,
    // Event, log and stats streams may be silent for hours: never time out a response body.
    bodyTimeout: 0,
    keepAliveTimeout: 4_000,
  });
  return {
    listener: options.listener,
    profileName: options.profile.name,
    logger: options.logger,
    auditor: createAuditor(options.auditLogger ?? options.logger, options.flushAudit),
    observer: options.observer,
    connections: createConnectionCounter(),
    // The policy as this listener's profile applies it (in ownership mode, bound to the profile's
    // name). A reload replaces it; each request keeps the one that admitted it (ctx.policy).
    policy: bindOwner(options.profile.policy, options.profile.name),
    engineApiVersion: null,
    upstream,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    pool,
    // Container lookups of path targets, kept true by the engine's event stream (proxy/target-cache.ts).
    targetCache: createTargetCache(pool, (err) => options.logger.debug({ err: { message: err.message } }, 'target cache: event stream unavailable; lookups go to the engine')),
    imageLabels: createImageLabelCache(pool, TARGET_LOOKUP_TIMEOUT_MS),
    contexts: new WeakMap(),
    streams: new Set(),
    hijacked: new Set(),
  };
}

/** Ask the engine its API version now (GET /_ping); a failure is only logged (answers keep it current). */
function probeEngine(g: Gateway): Promise<void> {
  return g.pool
    .request({ origin: 'http://localhost', path: '/_ping', method: 'GET', headers: { host: 'docker' }, headersTimeout: ENGINE_PROBE_TIMEOUT_MS })
    .then(async (res) => {
      learnEngineVersion(g, engineRawHeaders(res.body) ?? []);
      await res.body.dump();
    })
    .catch((err: Error) => g.logger.debug({ err: { message: err.message } }, 'engine version not known yet: GET /_ping failed'));
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const g = createGateway(options);
  const headersTimeoutMs = options.clientHeadersTimeoutMs ?? DEFAULT_CLIENT_HEADERS_TIMEOUT_MS;
  const app: FastifyInstance = Fastify<Server>({
    loggerInstance: options.logger,
    // sockgate writes its own audit records; fastify's per-request lines would only repeat them.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    exposeHeadRoutes: false,
    serverFactory: httpServerFactory(g, {
      headersTimeoutMs,
      bodyIdleTimeoutMs: options.clientBodyIdleTimeoutMs ?? DEFAULT_CLIENT_BODY_IDLE_TIMEOUT_MS,
      keepAliveTimeoutMs: options.clientIdleTimeoutMs ?? DEFAULT_CLIENT_IDLE_TIMEOUT_MS,
      maxHeaderBytes: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
    }),
    forceCloseConnections: 'idle',
    clientErrorHandler: (err, socket) => clientErrorHandler(g, err, socket),
  });
  await app.register(replyFrom, { base: 'http://localhost', undici: g.pool as never, disableRequestLogging: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (req, payload, done) => done(null, parseBody(g, req.raw, payload)));

  app.decorate('reloadProfile', (profile: Profile) => reloadProfile(g, profile));
  app.decorate('probeEngine', () => probeEngine(g));
  app.decorate('closeStreams', () => closeStreams(g));
  app.addHook('preClose', (done) => {
    // Before the pool closes (closing waits for open requests, and the event stream never ends).
    g.targetCache.close();
    for (const s of g.hijacked) s.destroy();
    done();
  });

  const route = (request: Parameters<typeof handle>[1], reply: Parameters<typeof handle>[2]) => handle(g, request, reply);
  app.route({ method: ALL_METHODS, url: '/', handler: route });
  app.setNotFoundHandler(route);
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    options.logger.error({ err: error }, 'request failed');
    // A client error fastify raised (a 4xx) has no sockgate code; anything else is internal.
    sendMessage(reply, status, status >= 500 ? clientMessage('SOCKGATE_ERR_INTERNAL', error.message) : `sockgate: ${error.message}`, false);
  });
  return app;
}
