/**
 * buildServer(options) → a fastify instance serving one listener's profile. It never listens by
 * itself (cli.ts does), so tests drive it on temp sockets.
 *
 * Request flow: Node's request listener runs the gate (normalise → endpoint → decide) on the raw
 * request line before fastify's router sees anything, records the decision, and replaces req.url
 * with "/" so no later layer re-reads the client's spelling. The single fastify route then either
 * answers the denial or forwards the checked target with @fastify/reply-from over an undici Pool
 * bound to the engine socket. Upgrade requests take the same gate in the 'upgrade' listener.
 */

import { performance } from 'node:perf_hooks';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pipeline, Transform, type Duplex, type Readable } from 'node:stream';
import replyFrom from '@fastify/reply-from';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { claimedUserAgent, createConnectionCounter, type ClientIdentity } from './audit/client.js';
import { createAuditor, decisionRecord, type Auditor } from './audit/record.js';
import type { Socket } from 'node:net';
import type { ServerObserver } from './observe.js';
import { ENGINE_ERROR_CONTENT_TYPE, engineErrorBody, ERRORS, type ErrorCode } from './errors.js';
import { admit, admitBody, admitRefs, admitCreateLookups, admitTarget, bodyTooLarge, denialMessage, isAllowed, refuseBuildContext, type Admission } from './gate.js';
import { BuildContextRefused, createBuildContextGuard } from './proxy/build-context-guard.js';
import { buildBaseImages, buildContextProblem, dockerfileCandidates, onBuildProblem } from './inspect/build-context.js';
import { resolveImage, resolveRef, resolveTarget, resolveVolume } from './proxy/resolve-target.js';
import { createTargetCache } from './proxy/target-cache.js';
import { createImageLabelCache } from './proxy/image-labels.js';
import { EngineLink } from './proxy/engine-link.js';
import { targetWithContainerId, targetWithParam } from './request/targets.js';
import { bindOwner, RESERVED_LABEL_PREFIX, withoutInheritedLabels } from './policy/ownership.js';
import type { TargetFacts } from './policy/evaluate.js';
import { filterNetworkList, filterVolumeList, withoutNetworkContainers } from './policy/scope.js';
import type { CompiledPolicy, CompiledTarget } from './policy/compile.js';
import { redactAnswer } from './policy/redact.js';
import { containerListEntry, eventVisible, filterContainerList } from './policy/scope.js';
import { forwardRequestHeaders, responseHead, type ResponseHead } from './proxy/headers.js';
import { capVersionAnswer } from './request/api-version.js';
import { isOpenEndedAnswer } from './request/open-ended.js';
import { AWAITS_WORK_ENDPOINTS as NO_HEADERS_TIMEOUT, STREAM_ENDPOINTS } from './request/endpoints.js';
import { EnginePool, engineRawHeaders } from './proxy/engine-pool.js';
import { relayStream, relayWhole, type RelayOptions } from './proxy/relay.js';
import { consumeBody } from './proxy/body.js';
import { spliceUpgrade, writeRawError } from './proxy/upgrade.js';
import { newRequestId } from './proxy/request-id.js';
import {
  DEFAULT_CLIENT_BODY_IDLE_TIMEOUT_MS,
  DEFAULT_CLIENT_HEADERS_TIMEOUT_MS,
  DEFAULT_CLIENT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS,
  DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS,
} from './defaults.js';

export interface Profile {
  readonly name: string;
  readonly policy: CompiledPolicy;
}

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

/** An open stream or hijacked connection, and how to end it. */
interface OpenStream {
  readonly ctx: RequestContext;
  readonly req: IncomingMessage;
  readonly upgrade: boolean;
  readonly close: () => void;
}

/** Uploads of at least this many bytes (Content-Length) take the short path, streamed to the engine by hand. */
const SHORT_PATH_UPLOAD_BYTES = 64 * 1024;

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

interface RequestContext {
  readonly reqId: string;
  readonly startedAt: number;
  admission: Admission;
  readonly rawTarget: string;
  completed: boolean;
  /** the policy that admitted the request (a reload does not change it) */
  readonly policy: CompiledPolicy;
  /** the connection's number on this listener (audit client.conn) */
  readonly conn: number;
  /** what the engine answered to the request itself; null until (unless) it does */
  engineStatus: number | null;
  /** set when a build's context was refused as it streamed (proxy/build-context-guard.ts) */
  buildRefusal?: BuildContextRefused;
}

/** Largest answer read whole to filter or redact it. */
const MAX_REWRITTEN_ANSWER_BYTES = 64 * 1024 * 1024;

/** Time allowed for the engine to answer the inspect that resolves a request's target. */
const TARGET_LOOKUP_TIMEOUT_MS = 30_000;

/** Time allowed for the engine to answer the start-up GET /_ping that tells its API version. */
const ENGINE_PROBE_TIMEOUT_MS = 5_000;

/** How much of a denied request's body is read and discarded so the denial arrives cleanly. */
const DENIED_BODY_DRAIN_BYTES = 1024 * 1024;

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'];

/** The client's claimed User-Agent, for audit records (a claim, never identity). */
function userAgentOf(req: IncomingMessage): string | null {
  return claimedUserAgent(req.headers['user-agent']);
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const auditor: Auditor = createAuditor(options.auditLogger ?? options.logger);
  const connections = createConnectionCounter();
  const clientOf = (ctx: RequestContext): ClientIdentity => ({ listener: options.listener, profile: options.profile.name, conn: ctx.conn });
  // The policy as this listener's profile applies it (in ownership mode, bound to the profile's
  // name). A reload replaces it; each request keeps the one that admitted it (ctx.policy).
  let policy = bindOwner(options.profile.policy, options.profile.name);
  const contexts = new WeakMap<IncomingMessage, RequestContext>();
  const upstreamHeadersTimeoutMs = options.upstream.headersTimeoutMs ?? DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS;
  const upstreamSocket = options.upstream.socketPath;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const record = (ctx: RequestContext, req: IncomingMessage, upgrade: boolean): void => {
    const { admission } = ctx;
    auditor.decision(
      decisionRecord(admission, {
        reqId: ctx.reqId,
        listener: options.listener,
        profile: options.profile.name,
        method: req.method ?? '',
        rawTarget: ctx.rawTarget,
        policy: ctx.policy,
        upgrade,
        client: clientOf(ctx),
        userAgent: userAgentOf(req),
      }),
    );
    options.observer?.onDecision({
      listener: options.listener,
      profile: options.profile.name,
      endpoint: admission.endpoint?.id ?? 'unknown',
      effect: admission.decision.effect,
      rule: admission.decision.ruleId,
      code: admission.code,
    });
  };

  /** Look up the container a pending admission acts on and the objects it names, and decide. */
  const resolveAndDecide = async (policy: CompiledPolicy, pending: Admission): Promise<Admission> => {
    let admission = pending;
    if (admission.needsBody || admission.code !== null) return admission;
    if (admission.volumeLookups !== undefined || admission.imageLookup !== undefined) {
      // A container create: what its image and named volumes stand for (gate.ts admitCreateLookups).
      const image = admission.imageLookup;
      const [volumes, resolvedImage] = await Promise.all([
        Promise.all((admission.volumeLookups ?? []).map((name) => resolveVolume(pool, name, TARGET_LOOKUP_TIMEOUT_MS))),
        image === undefined ? Promise.resolve(null) : resolveImage(pool, image, TARGET_LOOKUP_TIMEOUT_MS),
      ]);
      admission = admitCreateLookups(policy, admission, { volumes, image: resolvedImage });
      if (admission.code !== null) return admission;
    }
    if (admission.targetRef !== undefined && admission.target === undefined) {
      const ref = admission.targetRef;
      const resolved = await targetCache.lookup(ref, () => resolveTarget(pool, ref, TARGET_LOOKUP_TIMEOUT_MS));
      admission = admitTarget(policy, admission, await ownedView(policy, resolved));
    }
    if (admission.refs !== undefined) {
      const resolved = await Promise.all(admission.refs.map(async (ref) => ownedView(policy, await resolveRef(pool, ref, TARGET_LOOKUP_TIMEOUT_MS))));
      admission = admitRefs(policy, admission, resolved);
    }
    return admission;
  };

  /**
   * A looked-up container as an owning profile must see it: without the reserved labels it
   * inherited from its image (policy/ownership.ts withoutInheritedLabels). The image is asked
   * only for a container that carries a reserved label; a failed lookup fails the resolution.
   */
  const ownedFacts = async (policy: CompiledPolicy, facts: TargetFacts): Promise<TargetFacts> => {
    if (policy.owner === null || !Object.keys(facts.labels).some((k) => k.startsWith(RESERVED_LABEL_PREFIX))) return facts;
    const inherited = facts.imageId === undefined || facts.imageId === '' ? true : await imageLabels.carriesReserved(facts.imageId);
    return inherited ? { ...facts, labels: withoutInheritedLabels(facts.labels, true) } : facts;
  };
  const ownedView = async <R extends { readonly ok: boolean; readonly facts?: TargetFacts; readonly reason?: string }>(policy: CompiledPolicy, resolved: R): Promise<R> => {
    if (!resolved.ok || resolved.facts === undefined || ('kind' in resolved.facts && resolved.facts.kind !== 'container')) return resolved;
    try {
      return { ...resolved, facts: await ownedFacts(policy, resolved.facts) };
    } catch (err) {
      return { ...resolved, ok: false, facts: undefined, reason: (err as Error).message };
    }
  };

  /** Whether an admission waits for lookups through the engine before it is final. */
  const awaitsLookup = (a: Admission): boolean => a.code === null && ((a.targetRef !== undefined && a.target === undefined) || a.refs !== undefined || a.volumeLookups !== undefined || a.imageLookup !== undefined);

  /** What to send upstream: the checked target, naming a resolved container or network by its full id. */
  const forwardTarget = (admission: Admission): string => {
    const { normalized, endpoint, target, pathObjectId } = admission;
    if (normalized === null) return '';
    if (endpoint !== null && pathObjectId !== undefined) return targetWithParam(normalized, endpoint, 'id', pathObjectId);
    return target !== undefined && endpoint !== null ? targetWithContainerId(normalized, endpoint, target.id) : normalized.target;
  };

  const admitAndRecord = (req: IncomingMessage, upgrade: boolean): RequestContext => {
    const rawTarget = req.url ?? '';
    const admission = admit(policy, {
      method: req.method ?? '',
      target: rawTarget,
      headers: req.headers,
      upgrade,
    });
    const ctx: RequestContext = {
      reqId: newRequestId(),
      startedAt: performance.now(),
      admission,
      rawTarget,
      completed: false,
      policy,
      conn: connections.connOf(req.socket),
      engineStatus: null,
    };
    // A decision that waits for the body or a lookup is recorded once it is final.
    if (!admission.needsBody && !awaitsLookup(admission)) record(ctx, req, upgrade);
    return ctx;
  };

  const complete = (ctx: RequestContext, status: number, aborted: boolean): void => {
    if (ctx.completed) return;
    ctx.completed = true;
    const durationMs = Math.round((performance.now() - ctx.startedAt) * 1000) / 1000;
    auditor.completed({
      reqId: ctx.reqId,
      listener: options.listener,
      client: clientOf(ctx),
      endpoint: ctx.admission.endpoint?.id ?? 'unknown',
      effect: ctx.admission.decision.effect,
      policyHash: ctx.policy.hash,
      status,
      engineStatus: ctx.engineStatus,
      durationMs,
      aborted,
    });
    options.observer?.onCompleted({ listener: options.listener, endpoint: ctx.admission.endpoint?.id ?? 'unknown', status, durationMs, aborted });
  };

  // Hijacked connections leave the HTTP server's bookkeeping: track them to close them on shutdown.
  const hijacked = new Set<Duplex>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    hijacked.add(socket);
    socket.once('close', () => hijacked.delete(socket));
    if (options.observer) {
      const observer = options.observer;
      observer.onStreamOpen('hijack');
      socket.once('close', () => observer.onStreamClose('hijack'));
    }
    const ctx = admitAndRecord(req, true);
    socket.on('error', () => socket.destroy());
    if (awaitsLookup(ctx.admission)) {
      // The client's bytes stay buffered in the socket (no 'data' listener yet) meanwhile.
      void resolveAndDecide(ctx.policy, ctx.admission).then((admission) => {
        ctx.admission = admission;
        record(ctx, req, true);
        if (socket.destroyed) complete(ctx, 0, true);
        else splice(ctx, req, socket, head);
      });
      return;
    }
    splice(ctx, req, socket, head);
  };

  const splice = (ctx: RequestContext, req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { admission } = ctx;
    if (!isAllowed(admission) || admission.normalized === null) {
      writeRawError(socket, admission.status || 500, denialMessage(admission));
      complete(ctx, admission.status, false);
      return;
    }
    trackStream({ ctx, req, upgrade: true, close: () => socket.destroy() }, socket);
    spliceUpgrade(
      req,
      socket,
      head,
      forwardTarget(admission),
      { socketPath: upstreamSocket, headersTimeoutMs: upstreamHeadersTimeoutMs },
      (outcome) => {
        if (outcome.error) {
          options.logger.warn({ reqId: ctx.reqId, err: outcome.error }, 'upstream error');
          options.observer?.onUpstreamError();
        }
        if (outcome.error === undefined) ctx.engineStatus = outcome.status;
        complete(ctx, outcome.status, false);
      },
    );
  };

  /** Streams and hijacked connections still open: a reload re-checks each against the new policy. */
  const openStreams = new Set<OpenStream>();
  const trackStream = (stream: OpenStream, closes: { once(event: 'close', fn: () => void): unknown }): void => {
    openStreams.add(stream);
    closes.once('close', () => openStreams.delete(stream));
  };

  /** Decide an open stream's request again under `next`; close it when that policy would not allow it. */
  const recheck = async (stream: OpenStream, next: CompiledPolicy): Promise<boolean> => {
    const { ctx, req } = stream;
    let admission = admit(next, { method: req.method ?? '', target: ctx.rawTarget, headers: req.headers, upgrade: stream.upgrade });
    // A decision that needs the body cannot be made again (the body is gone): fail closed.
    if (!admission.needsBody) admission = await resolveAndDecide(next, admission);
    let keep = isAllowed(admission);
    // A scoped event stream is filtered by the scope it started with: a changed scope ends it.
    const endpointId = ctx.admission.endpoint?.id ?? '';
    if (keep && endpointId === 'system.events' && next.hash !== ctx.policy.hash && (next.scope !== null || ctx.policy.scope !== null)) keep = false;
    if (!keep && openStreams.has(stream)) {
      // An audit record: with --audit-file it goes to the audit file, like every other one.
      auditor.streamClosed({ reqId: ctx.reqId, listener: options.listener, profile: options.profile.name, endpoint: endpointId, policyHash: next.hash, reason: admission.decision.reason, code: admission.code ?? 'SOCKGATE_DENY_POLICY' });
      stream.close();
    }
    return keep;
  };

  /**
   * Switch this listener to a new profile (a reload). Requests admitted before keep the policy
   * that admitted them; open streams and hijacked connections are decided again and closed when
   * the new policy would not allow them. Resolves with how many were closed.
   */
  const reloadProfile = async (profile: Profile): Promise<{ streamsChecked: number; streamsClosed: number }> => {
    const next = bindOwner(profile.policy, profile.name);
    policy = next;
    const streams = [...openStreams];
    const kept = await Promise.all(streams.map((s) => recheck(s, next).catch(() => (s.close(), false))));
    return { streamsChecked: streams.length, streamsClosed: kept.filter((k) => !k).length };
  };

  const clientHeadersTimeoutMs = options.clientHeadersTimeoutMs ?? DEFAULT_CLIENT_HEADERS_TIMEOUT_MS;
  const clientBodyIdleTimeoutMs = options.clientBodyIdleTimeoutMs ?? DEFAULT_CLIENT_BODY_IDLE_TIMEOUT_MS;

  /** A client that stops sending its request body is cut off (slowloris on the body). */
  const watchBodyIdle = (req: IncomingMessage): void => {
    if (clientBodyIdleTimeoutMs <= 0) return;
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return;
    if (req.headers['content-length'] === '0') return;
    const socket = req.socket;
    const timer = setTimeout(() => {
      options.logger.warn({ listener: options.listener, idleMs: clientBodyIdleTimeoutMs }, 'request body stalled; closing connection');
      socket.destroy();
    }, clientBodyIdleTimeoutMs);
    // Watching the socket, not the request stream: a 'data' listener on the request would consume
    // the body before it is forwarded.
    const refresh = (): void => void timer.refresh();
    socket.on('data', refresh);
    const stop = (): void => {
      clearTimeout(timer);
      socket.off('data', refresh);
    };
    req.once('end', stop);
    req.once('close', stop);
  };

  /**
   * A client that ends its side of the connection (EOF) while an answer that streams until the
   * client leaves is open: end it, as the engine does (request/open-ended.ts). Other answers go on
   * to their end; httpAllowHalfOpen below then closes the connection.
   */
  const endOpenEndedOnClientEof = (ctx: RequestContext, req: IncomingMessage, res: ServerResponse): void => {
    const { normalized, endpoint } = ctx.admission;
    if (normalized === null || endpoint === null || !isOpenEndedAnswer(endpoint.id, normalized)) return;
    const onEnd = (): void => void res.destroy();
    req.socket.once('end', onEnd);
    res.once('close', () => req.socket.off('end', onEnd));
  };

  /** An engine that could not be reached, or did not answer in time: logged, counted, and the error the client gets. */
  const upstreamFailure = (ctx: RequestContext, err: Error, timedOut: boolean): [ErrorCode, string] => {
    options.logger.warn({ reqId: ctx.reqId, err }, 'upstream error');
    options.observer?.onUpstreamError();
    return timedOut
      ? ['SOCKGATE_ERR_UPSTREAM_TIMEOUT', `the engine did not send response headers within ${upstreamHeadersTimeoutMs} ms`]
      : ['SOCKGATE_ERR_UPSTREAM_UNAVAILABLE', `cannot reach the Docker engine at ${upstreamSocket}: ${err.message}`];
  };

  /** Each client connection's own connection to the engine, for the short path (proxy/engine-link.ts). */
  const links = new WeakMap<Duplex, EngineLink>();
  const linkOf = (socket: Duplex): EngineLink => {
    let link = links.get(socket);
    if (link === undefined) {
      const made = new EngineLink({ socketPath: upstreamSocket, connectTimeoutMs: options.upstream.connectTimeoutMs ?? DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS, headersTimeoutMs: upstreamHeadersTimeoutMs });
      socket.once('close', () => made.close());
      links.set(socket, (link = made));
    }
    return link;
  };

  /**
   * The short path: an admitted GET or HEAD without a body whose answer goes to the client as
   * the engine framed it (no rewriting, redaction, stream tracking or long wait) is written to the
   * engine by hand on the client connection's own engine connection, skipping fastify, reply-from
   * and undici. False when the request is not such a one, or the link is busy (then the usual path
   * forwards it).
   */
  const forwardDirectly = (ctx: RequestContext, req: IncomingMessage, res: ServerResponse): boolean => {
    const { admission } = ctx;
    const method = req.method ?? '';
    if (!isAllowed(admission) || admission.normalized === null || admission.needsBody || awaitsLookup(admission) || admission.dockerfileChecks !== undefined) return false;
    const te = req.headers['transfer-encoding'];
    const chunked = te !== undefined && te.toLowerCase() === 'chunked';
    if (te !== undefined && !chunked) return false;
    const length = Number(req.headers['content-length'] ?? '0');
    // GET and HEAD without a body; and uploads (image load, archive put, build context): a chunked
    // body (Go clients stream them so) or a large Content-Length one.
    const upload = (method === 'POST' || method === 'PUT') && (chunked || length >= SHORT_PATH_UPLOAD_BYTES);
    if (!upload && ((method !== 'GET' && method !== 'HEAD') || length !== 0 || chunked)) return false;
    const id = admission.endpoint?.id ?? '';
    if (STREAM_ENDPOINTS.has(id) || NO_HEADERS_TIMEOUT.has(id) || ctx.policy.redactions.has(id) || answerFilter(ctx.policy, id) !== null) return false;
    const headers = forwardRequestHeaders(req.headers);
    if (chunked) headers['transfer-encoding'] = 'chunked';
    const request = { method, target: forwardTarget(admission), headers, keepAlive: true, ...(upload ? { body: req, bodyLength: chunked ? null : length } : {}) };
    return linkOf(req.socket).forward(request, res, {
      onHead: (status, rawHeaders, head) => {
        ctx.engineStatus = status;
        learnEngineVersion(rawHeaders);
        const observer = options.observer;
        if (observer && head.framing !== 'length' && head.framing !== 'none') {
          observer.onStreamOpen('stream');
          res.once('close', () => observer.onStreamClose('stream'));
        }
      },
      onFailure: (err, timedOut) => {
        const [code, message] = upstreamFailure(ctx, err, timedOut);
        relayWhole(res, ERRORS[code].status, { headers: ['Content-Type', ENGINE_ERROR_CONTENT_TYPE], framing: 'length' }, engineErrorBody(`sockgate: ${message} [${code}]`), { keepAlive: true });
      },
    });
  };

  const serverFactory = (handler: (req: IncomingMessage, res: ServerResponse) => void): Server => {
    const onHttpRequest = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void => {
      const ctx = admitAndRecord(req, false);
      contexts.set(req, ctx);
      // completion, streams, metrics, the relay's pipeline and fastify each watch the response's
      // end: more than Node's default of 10 listeners, none of them a leak
      res.setMaxListeners(32);
      res.once('close', () => complete(ctx, res.statusCode, !res.writableFinished));
      endOpenEndedOnClientEof(ctx, req, res);
      // Only an admitted request is invited to send its body; a denied one is answered at once.
      if (expectsContinue && (isAllowed(ctx.admission) || ctx.admission.needsBody)) res.writeContinue();
      watchBodyIdle(req);
      if (!expectsContinue && forwardDirectly(ctx, req, res)) return;
      // Nothing after the gate may read the client's spelling of the target.
      req.url = '/';
      handler(req, res);
    };
    const server = createServer(
      {
        headersTimeout: clientHeadersTimeoutMs,
        // Uploads (build context, image load) and hijacked streams may take as long as they take.
        requestTimeout: 0,
        keepAliveTimeout: options.clientIdleTimeoutMs ?? DEFAULT_CLIENT_IDLE_TIMEOUT_MS,
        maxHeaderSize: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
        joinDuplicateHeaders: false,
        // How often Node enforces headersTimeout (its default, 30 s, would let a slow client
        // hold a connection for up to twice the configured limit).
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(clientHeadersTimeoutMs / 4))),
      },
      (req, res) => onHttpRequest(req, res, false),
    );
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => onHttpRequest(req, res, true));
    server.setTimeout(0);
    // A client that half-closes after its request (sends FIN, keeps reading) still gets the whole
    // answer, as from the engine (Go's server reads EOF and keeps writing). Node's default aborts
    // the request and ends the socket at once; with this flag it ends the socket after the answer
    // in flight (net.Server is already allowHalfOpen; _http_server.js socketOnEnd reads this).
    (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    server.on('upgrade', onUpgrade);
    server.on('connection', connections.onConnection);
    const observer = options.observer;
    if (observer) server.on('connection', (socket: Socket) => observer.onConnection(socket));
    return server;
  };

  const app: FastifyInstance = Fastify<Server>({
    loggerInstance: options.logger,
    // sockgate writes its own audit records; fastify's per-request lines would only repeat them.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    exposeHeadRoutes: false,
    serverFactory,
    forceCloseConnections: 'idle',
    clientErrorHandler(err: Error & { code?: string }, socket: Duplex) {
      // A client that hangs up (after its answer, or mid-request) is not a malformed request.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) {
        options.logger.debug({ listener: options.listener, err: { code: err.code, message: err.message } }, 'client connection closed');
        socket.destroy();
        return;
      }
      options.logger.warn({ listener: options.listener, code: 'SOCKGATE_DENY_REQUEST_MALFORMED', err: { code: err.code, message: err.message } }, 'malformed request');
      // Bytes that follow a request while its response is already streaming (stdin sent after an
      // older-form attach or exec start, or garbage): they are never forwarded. Do not write an
      // error into the stream being relayed: end the connection once that response is done.
      // (Before any response has started, the 400 below answers the request.)
      const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (inFlight && inFlight.headersSent && !inFlight.writableEnded) {
        inFlight.once('finish', () => socket.destroy());
        inFlight.once('close', () => socket.destroy());
        return;
      }
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      writeRawError(socket, status, `sockgate: malformed HTTP request (${err.code ?? err.message}) [SOCKGATE_DENY_REQUEST_MALFORMED]`);
    },
  });

  const pool = new EnginePool('http://localhost', {
    socketPath: upstreamSocket,
    connect: { timeout: options.upstream.connectTimeoutMs ?? DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS },
    headersTimeout: upstreamHeadersTimeoutMs,
    // Event, log and stats streams may be silent for hours: never time out a response body.
    bodyTimeout: 0,
    keepAliveTimeout: 4_000,
  });

  /**
   * The API version the engine advertises (its Api-Version header, on every answer): whether a
   * body key no known engine version has is ignored by this engine or may be applied (gate.ts
   * admitBody). Asked once at start and kept current from every answer; null until known.
   */
  let engineApiVersion: string | null = null;
  const learnEngineVersion = (rawHeaders: readonly string[]): void => {
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      if (rawHeaders[i]!.length === 11 && rawHeaders[i]!.toLowerCase() === 'api-version') engineApiVersion = rawHeaders[i + 1]!;
    }
  };
  const probeEngine = (): Promise<void> =>
    pool
      .request({ origin: 'http://localhost', path: '/_ping', method: 'GET', headers: { host: 'docker' }, headersTimeout: ENGINE_PROBE_TIMEOUT_MS })
      .then(async (res) => {
        learnEngineVersion(engineRawHeaders(res.body) ?? []);
        await res.body.dump();
      })
      .catch((err: Error) => options.logger.debug({ err: { message: err.message } }, 'engine version not known yet: GET /_ping failed'));

  await app.register(replyFrom, { base: 'http://localhost', undici: pool as never, disableRequestLogging: true });

  app.removeAllContentTypeParsers();
  // Bodies are never parsed here: the raw stream goes to the engine as it arrives. A build whose
  // Dockerfile the policy checks goes through a guard that reads it alongside and releases the
  // end of the upload only when it keeps to the rules (proxy/build-context-guard.ts).
  app.addContentTypeParser('*', (req, payload, done) => {
    const ctx = contexts.get(req.raw);
    const checks = ctx?.admission.dockerfileChecks;
    if (ctx === undefined || checks === undefined) return done(null, payload);
    const param = ctx.admission.normalized?.query.get('dockerfile')?.[0] ?? '';
    const guard = createBuildContextGuard(dockerfileCandidates(param), async (entries) => {
      const problem = buildContextProblem(entries, param, checks);
      if (problem !== null) return problem;
      // The base images' ONBUILD triggers run as if they stood after FROM: read them too.
      for (const base of buildBaseImages(entries, param)) {
        const image = await resolveImage(pool, base.ref, TARGET_LOOKUP_TIMEOUT_MS);
        if (!image.ok) throw new Error(`base image ${base.ref} could not be looked up (${image.reason})`);
        const why = onBuildProblem(base, { exists: image.exists, onBuild: image.exists ? (image.onBuild ?? []) : [] }, checks);
        if (why !== null) return why;
      }
      return null;
    });
    guard.once('error', (err) => {
      if (err instanceof BuildContextRefused) ctx.buildRefusal = err;
    });
    payload.once('error', (err) => guard.destroy(err));
    done(null, payload.pipe(guard));
  });

  /** An engine-style error answer (`{"message": …}`), headers spelled as the engine spells them. */
  const sendMessage = (reply: FastifyReply, status: number, body: Buffer, close: boolean): FastifyReply => {
    reply.hijack();
    relayWhole(reply.raw, status, { headers: ['Content-Type', ENGINE_ERROR_CONTENT_TYPE], framing: 'length' }, body, { keepAlive: !close });
    return reply;
  };

  const sendError = (reply: FastifyReply, code: ErrorCode, message: string): FastifyReply =>
    sendMessage(reply, ERRORS[code].status, engineErrorBody(`sockgate: ${message} [${code}]`), false);

  const deny = (request: FastifyRequest, reply: FastifyReply, admission: Admission): FastifyReply => {
    const send = (close: boolean): FastifyReply => sendMessage(reply, admission.status || 500, engineErrorBody(denialMessage(admission)), close);
    // Do not keep talking to a client that sent something malformed.
    const malformed = admission.code !== 'SOCKGATE_DENY_POLICY';
    const raw = request.raw;
    const hasBody = raw.headers['transfer-encoding'] !== undefined || (raw.headers['content-length'] ?? '0') !== '0';
    if (!hasBody || raw.complete) return send(malformed);
    // A client that waits for 100-continue will not send its body: close instead of reading it.
    if (raw.headers['expect'] !== undefined && admission.code !== 'SOCKGATE_DENY_BODY_TOO_LARGE') return send(true);
    // Read (and discard) a denied body before answering: closing a socket with unread data
    // makes the kernel reset the connection, and clients then report a connection error
    // instead of the denial. Bodies over the drain limit are cut off with the connection.
    void consumeBody(raw, DENIED_BODY_DRAIN_BYTES, false).then((drained) => send(malformed || drained === null));
    return reply;
  };

  const forward = (request: FastifyRequest, reply: FastifyReply, ctx: RequestContext, body?: Buffer): FastifyReply => {
    const { admission } = ctx;
    if (!isAllowed(admission) || admission.normalized === null) return deny(request, reply, admission);
    const clientHeaders = request.raw.headers;
    return reply.from(forwardTarget(admission), {
      // reply-from JSON-encodes a body unless given a content type; the headers actually sent
      // are rebuilt from the client's below, so this value never reaches the engine.
      ...(body !== undefined ? { body, contentType: 'application/octet-stream' } : {}),
      // 0 disables both undici timeouts; response bodies never time out anyway (bodyTimeout 0).
      ...(NO_HEADERS_TIMEOUT.has(admission.endpoint?.id ?? '') ? { timeout: 0 } : {}),
      rewriteRequestHeaders: () => forwardRequestHeaders(clientHeaders, body?.length) as IncomingHttpHeaders,
      // The answer's head is written from the engine's own lines (relay.ts), not through fastify.
      rewriteHeaders: () => ({}),
      onResponse: (_request, rep, res) => {
        const upstream = res as unknown as { statusCode: number; stream: Readable; headers: unknown };
        const status = upstream.statusCode;
        ctx.engineStatus = status;
        const rawHeaders = engineRawHeaders(upstream.stream) ?? [];
        learnEngineVersion(rawHeaders);
        const endpointId = admission.endpoint?.id ?? '';
        // A connection whose request body was not read to its end cannot carry another request.
        const relay = { keepAlive: request.raw.complete };
        const raw = rep.raw as ServerResponse;
        const { scope, redactions } = ctx.policy;
        const redact = redactions.get(endpointId);
        const filter = answerFilter(ctx.policy, endpointId);
        if (status === 200 && (filter !== null || redact !== undefined)) {
          // Answers that are read whole, changed, and re-sent: scoped lists and redacted fields.
          sendRewrittenJson(reply, upstream.stream, ctx.reqId, async (answer) => {
            // (an owning profile's list filter is async: redact what it resolves to, not the promise)
            const visible = filter === null ? answer : await filter(answer);
            return redact === undefined ? visible : redactAnswer(visible, redact);
          }, responseHead(request.raw.method ?? 'GET', status, rawHeaders, true), relay);
          return;
        }
        const scopedEvents = scope !== null && status === 200 && endpointId === 'system.events';
        const head = responseHead(request.raw.method ?? 'GET', status, rawHeaders, scopedEvents);
        if (options.observer && head.framing !== 'length' && head.framing !== 'none' && !raw.destroyed) {
          // A streamed answer (events, logs -f, stats, progress): open until the client's response
          // closes (a response already closed emits no second 'close', hence the check).
          const observer = options.observer;
          observer.onStreamOpen('stream');
          raw.once('close', () => observer.onStreamClose('stream'));
        }
        if (STREAM_ENDPOINTS.has(endpointId)) trackStream({ ctx, req: request.raw, upgrade: false, close: () => raw.destroy() }, raw);
        reply.hijack();
        relayStream(raw, status, head, scopedEvents && scope !== null ? scopedEventStream(upstream.stream, scope, ctx.reqId) : upstream.stream, relay);
      },
      onError: (_rep, { error }) => {
        if (ctx.buildRefusal !== undefined) {
          // The build's context broke its rules: the upload was cut before its end, so the
          // engine built nothing. Say why, as a denial.
          ctx.admission = refuseBuildContext(ctx.admission, ctx.buildRefusal.reason, ctx.buildRefusal.unreadable);
          record(ctx, request.raw, false);
          sendMessage(reply, ctx.admission.status, engineErrorBody(denialMessage(ctx.admission)), true);
          return;
        }
        sendError(reply, ...upstreamFailure(ctx, error, (error as { statusCode?: number }).statusCode === 504));
      },
    });
  };

  /** How this profile's view changes an endpoint's answer: lists keep what it may see; null: unchanged. */
  const answerFilter = (policy: CompiledPolicy, endpointId: string): ((answer: unknown) => unknown) | null => {
    const { scope } = policy;
    if (endpointId === 'system.version') return capVersionAnswer;
    if (scope !== null && endpointId === 'containers.list' && policy.owner !== null) return (answer) => ownedContainerList(policy, scope, answer);
    if (scope !== null && endpointId === 'containers.list') return (answer) => filterContainerList(answer, scope);
    if (policy.owner === null) return null;
    switch (endpointId) {
      case 'volumes.list':
        return (answer) => filterVolumeList(answer, policy);
      case 'networks.list':
      case 'networks.listSlash':
        return (answer) => filterNetworkList(answer, policy);
      case 'networks.inspect':
        // A shared network's answer lists every container attached to it, owned or not.
        return withoutNetworkContainers;
      default:
        return null;
    }
  };

  /** An owning profile's container list: entries judged by their own labels, not their image's. */
  const ownedContainerList = async (policy: CompiledPolicy, scope: CompiledTarget, answer: unknown): Promise<unknown> => {
    const entries = Array.isArray(answer) ? answer : [];
    return filterContainerList(entries, scope, await Promise.all(entries.map((e) => ownedFacts(policy, containerListEntry(e)))));
  };

  /**
   * Read a JSON answer whole (bounded), rewrite it, and send the result. `rewrite` may return a
   * promise (a list whose entries need lookups); one that rejects is answered as an upstream failure.
   */
  const sendRewrittenJson = (rep: FastifyReply, stream: Readable, reqId: string, rewrite: (answer: unknown) => unknown, head: ResponseHead, relay: RelayOptions): void => {
    void consumeBody(stream, MAX_REWRITTEN_ANSWER_BYTES, true).then(async (bytes) => {
      if (bytes === null) {
        options.logger.warn({ reqId }, 'answer to rewrite unreadable');
        sendError(rep, 'SOCKGATE_ERR_UPSTREAM_UNAVAILABLE', `cannot read the engine's answer (cut off, or larger than ${MAX_REWRITTEN_ANSWER_BYTES} bytes)`);
        return;
      }
      let answer: unknown;
      try {
        answer = JSON.parse(bytes.toString('utf8'));
      } catch {
        sendError(rep, 'SOCKGATE_ERR_UPSTREAM_UNAVAILABLE', "the engine's answer is not JSON");
        return;
      }
      let rewritten: unknown;
      try {
        rewritten = await rewrite(answer);
      } catch (err) {
        sendError(rep, 'SOCKGATE_ERR_UPSTREAM_UNAVAILABLE', `cannot check the engine's answer: ${(err as Error).message}`);
        return;
      }
      rep.hijack();
      relayWhole(rep.raw, 200, head, Buffer.from(JSON.stringify(rewritten) + '\n'), relay);
    });
  };

  /** The event stream of a scoped policy, filtered event by event as it flows. */
  const scopedEventStream = (stream: Readable, scope: CompiledTarget, reqId: string): Readable => {
    let pending = '';
    const filter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        pending += chunk.toString('utf8');
        let nl: number;
        let out = '';
        while ((nl = pending.indexOf('\n')) !== -1) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim() === '') continue;
          let event: unknown;
          try {
            event = JSON.parse(line);
          } catch {
            options.logger.warn({ reqId }, 'unreadable event dropped from a scoped event stream');
            continue;
          }
          if (eventVisible(event, scope)) out += line + '\n';
        }
        done(null, out === '' ? undefined : out);
      },
    });
    // Either side ending early ends the other: a client that leaves ends the engine's stream too.
    pipeline(stream, filter, () => undefined);
    return filter;
  };

  const handle = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const ctx = contexts.get(request.raw);
    if (ctx === undefined) return sendError(reply, 'SOCKGATE_ERR_INTERNAL', 'request reached the proxy without a decision');
    if (!ctx.admission.needsBody && !awaitsLookup(ctx.admission)) return forward(request, reply, ctx);
    void (async () => {
      let body: Buffer | undefined;
      if (ctx.admission.needsBody) {
        // The decision depends on the body: read it (bounded), decode it as the engine would.
        const read = await consumeBody(request.raw, maxBodyBytes, true);
        if (read === null) {
          ctx.admission = bodyTooLarge(ctx.admission, maxBodyBytes);
          record(ctx, request.raw, false);
          return sendMessage(reply, 413, engineErrorBody(denialMessage(ctx.admission)), true);
        }
        body = read;
        ctx.admission = admitBody(ctx.policy, ctx.admission, read, engineApiVersion);
      }
      // The decision depends on the container acted on or the objects named: ask the engine.
      ctx.admission = await resolveAndDecide(ctx.policy, ctx.admission);
      record(ctx, request.raw, false);
      // A body sockgate rewrote (the owner label) is the one that was checked: send that one.
      return forward(request, reply, ctx, ctx.admission.forwardBody !== undefined ? Buffer.from(ctx.admission.forwardBody) : body);
    })();
    return reply;
  };

  app.decorate('reloadProfile', reloadProfile);
  app.decorate('probeEngine', probeEngine);
  // Shutdown: streams and hijacked connections never end by themselves; other requests may finish.
  app.decorate('closeStreams', () => {
    for (const s of openStreams) s.close();
    for (const s of hijacked) s.destroy();
  });

  // Container lookups of path targets, kept true by the engine's event stream (proxy/target-cache.ts).
  const imageLabels = createImageLabelCache(pool, TARGET_LOOKUP_TIMEOUT_MS);
  const targetCache = createTargetCache(pool, (err) => options.logger.debug({ err: { message: err.message } }, 'target cache: event stream unavailable; lookups go to the engine'));
  // Before the pool closes (closing waits for open requests, and the event stream never ends).
  app.addHook('preClose', (done) => {
    targetCache.close();
    done();
  });

  app.addHook('preClose', (done) => {
    for (const s of hijacked) s.destroy();
    done();
  });

  app.route({ method: ALL_METHODS, url: '/', handler: handle });
  app.setNotFoundHandler(handle);
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    options.logger.error({ err: error }, 'request failed');
    void reply
      .code(status)
      .header('content-type', ENGINE_ERROR_CONTENT_TYPE)
      .send(engineErrorBody(`sockgate: ${error.message}${status >= 500 ? ' [SOCKGATE_ERR_INTERNAL]' : ''}`));
  });

  return app;
}
