/**
 * Stage "forward or answer" on the usual path: a denial answered as the engine answers errors
 * (`{"message": …}`), or the checked request forwarded with @fastify/reply-from over the engine
 * pool and its answer relayed from the engine's own header lines (proxy/relay.ts), rewritten
 * first where the profile's view says so (src/views/).
 */

import type { IncomingHttpHeaders } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientMessage, errorMessage, ERRORS, type ErrorCode, type UpstreamUnavailableData } from '../errors.js';
import { denialMessage, isAllowed, refuseBuildContext, type Admission } from '../gate.js';
import { consumeBody } from '../proxy/body.js';
import { engineRawHeaders } from '../proxy/engine-pool.js';
import { forwardRequestHeaders, responseHead, type ResponseHead } from '../proxy/headers.js';
import { relayEngineError, relayStream, relayWhole, type RelayOptions } from '../proxy/relay.js';
import { answerRewrite, scopedEventFilter, type AnswerRewrite } from '../views/answers.js';
import { forwardTarget } from './decide.js';
import { failedUpstream, learnEngineVersion, recordDecision, type Gateway, type RequestContext } from './gateway.js';
import { trackStream } from './streams.js';
import { AWAITS_WORK_ENDPOINTS, STREAM_ENDPOINTS } from '../request/endpoints.js';

/** Largest answer read whole to filter or redact it. */
const MAX_REWRITTEN_ANSWER_BYTES = 64 * 1024 * 1024;

/** How much of a denied request's body is read and discarded so the denial arrives cleanly. */
const DENIED_BODY_DRAIN_BYTES = 1024 * 1024;

/** An engine-style error answer (`{"message": …}`); `close` ends the connection after it. */
export function sendMessage(reply: FastifyReply, status: number, message: string, close: boolean): FastifyReply {
  reply.hijack();
  relayEngineError(reply.raw, status, message, { keepAlive: !close });
  return reply;
}

export function sendError(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  return sendMessage(reply, ERRORS[code].status, clientMessage(code, message), false);
}

/** An answer of the engine's that sockgate had to read and could not use. */
function sendUnusableAnswer(reply: FastifyReply, data: UpstreamUnavailableData): FastifyReply {
  return sendError(reply, 'SOCKGATE_ERR_UPSTREAM_UNAVAILABLE', errorMessage('SOCKGATE_ERR_UPSTREAM_UNAVAILABLE', data));
}

/** Answer a denial; a body the client is sending is read (bounded) and discarded first. */
function deny(request: FastifyRequest, reply: FastifyReply, admission: Admission): FastifyReply {
  const send = (close: boolean): FastifyReply => sendMessage(reply, admission.status || 500, denialMessage(admission), close);
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
}

/** Forward a decided request (`body`: the checked body, when it was read); a denial is answered. */
export function forward(g: Gateway, request: FastifyRequest, reply: FastifyReply, ctx: RequestContext, body?: Buffer): FastifyReply {
  const { admission } = ctx;
  if (!isAllowed(admission) || admission.normalized === null) return deny(request, reply, admission);
  const clientHeaders = request.raw.headers;
  return reply.from(forwardTarget(admission), {
    // reply-from JSON-encodes a body unless given a content type; the headers actually sent
    // are rebuilt from the client's below, so this value never reaches the engine.
    ...(body !== undefined ? { body, contentType: 'application/octet-stream' } : {}),
    // 0 disables both undici timeouts; response bodies never time out anyway (bodyTimeout 0).
    ...(AWAITS_WORK_ENDPOINTS.has(admission.endpoint?.id ?? '') ? { timeout: 0 } : {}),
    rewriteRequestHeaders: () => forwardRequestHeaders(clientHeaders, body?.length) as IncomingHttpHeaders,
    // The answer's head is written from the engine's own lines (relay.ts), not through fastify.
    rewriteHeaders: () => ({}),
    onResponse: (_request, _rep, res) => relayAnswer(g, request, reply, ctx, res),
    onError: (_rep, { error }) => {
      if (ctx.buildRefusal !== undefined) {
        // The build's context broke its rules: the upload was cut before its end, so the
        // engine built nothing. Say why, as a denial.
        ctx.admission = refuseBuildContext(ctx.admission, ctx.buildRefusal.reason, ctx.buildRefusal.unreadable);
        recordDecision(g, ctx, request.raw, false);
        sendMessage(reply, ctx.admission.status, denialMessage(ctx.admission), true);
        return;
      }
      const { code, message } = failedUpstream(g, ctx.reqId, error, (error as { statusCode?: number }).statusCode === 504);
      sendError(reply, code, message);
    },
  });
}

/** The engine's answer as reply-from hands it over. */
interface EngineAnswer {
  readonly statusCode: number;
  readonly stream: Readable;
}

/** Relay the engine's answer: rewritten whole (scoped lists, redactions), filtered as it flows (scoped events), or as it comes. */
function relayAnswer(g: Gateway, request: FastifyRequest, reply: FastifyReply, ctx: RequestContext, upstream: EngineAnswer): void {
  const status = upstream.statusCode;
  ctx.engineStatus = status;
  const rawHeaders = engineRawHeaders(upstream.stream) ?? [];
  learnEngineVersion(g, rawHeaders);
  const endpointId = ctx.admission.endpoint?.id ?? '';
  const method = request.raw.method ?? 'GET';
  // A connection whose request body was not read to its end cannot carry another request.
  const relay = { keepAlive: request.raw.complete };
  const raw = reply.raw;
  const { scope } = ctx.policy;
  const rewrite = status === 200 ? answerRewrite(ctx.policy, endpointId, (id) => g.imageLabels.carriesReserved(id)) : null;
  if (rewrite !== null) return sendRewrittenJson(g, reply, upstream.stream, ctx.reqId, rewrite, responseHead(method, status, rawHeaders, true), relay);
  const scopedEvents = scope !== null && status === 200 && endpointId === 'system.events';
  const head = responseHead(method, status, rawHeaders, scopedEvents);
  if (g.observer && head.framing !== 'length' && head.framing !== 'none' && !raw.destroyed) {
    // A streamed answer (events, logs -f, stats, progress): open until the client's response
    // closes (a response already closed emits no second 'close', hence the check).
    const observer = g.observer;
    observer.onStreamOpen('stream');
    raw.once('close', () => observer.onStreamClose('stream'));
  }
  if (STREAM_ENDPOINTS.has(endpointId)) trackStream(g, { ctx, req: request.raw, upgrade: false, close: () => raw.destroy() }, raw);
  reply.hijack();
  let body = upstream.stream;
  if (scopedEvents && scope !== null) {
    const filter = scopedEventFilter(scope, () => g.logger.warn({ reqId: ctx.reqId }, 'unreadable event dropped from a scoped event stream'));
    // Either side ending early ends the other: a client that leaves ends the engine's stream too.
    pipeline(body, filter, () => undefined);
    body = filter;
  }
  relayStream(raw, status, head, body, relay);
}

/**
 * Read a JSON answer whole (bounded), rewrite it, and send the result. A rewrite that rejects
 * (a list whose entries could not be looked up) is answered as an upstream failure.
 */
function sendRewrittenJson(g: Gateway, rep: FastifyReply, stream: Readable, reqId: string, rewrite: AnswerRewrite, head: ResponseHead, relay: RelayOptions): void {
  void consumeBody(stream, MAX_REWRITTEN_ANSWER_BYTES, true).then(async (bytes) => {
    if (bytes === null) {
      g.logger.warn({ reqId }, 'answer to rewrite unreadable');
      sendUnusableAnswer(rep, { kind: 'answer-unreadable', maxBytes: MAX_REWRITTEN_ANSWER_BYTES });
      return;
    }
    let answer: unknown;
    try {
      answer = JSON.parse(bytes.toString('utf8'));
    } catch {
      sendUnusableAnswer(rep, { kind: 'answer-not-json' });
      return;
    }
    let rewritten: unknown;
    try {
      rewritten = await rewrite(answer);
    } catch (err) {
      sendUnusableAnswer(rep, { kind: 'answer-unchecked', cause: err });
      return;
    }
    rep.hijack();
    relayWhole(rep.raw, 200, head, Buffer.from(JSON.stringify(rewritten) + '\n'), relay);
  });
}
