/**
 * Stage "short path": an admitted request whose answer goes to the client as the engine framed
 * it is written to the engine by hand on the client connection's own engine connection
 * (proxy/engine-link.ts), skipping fastify, reply-from and undici. Two kinds qualify:
 * - GET and HEAD without a body;
 * - uploads (image load, archive put, build context): POST or PUT with a chunked body (Go
 *   clients stream them so) or a Content-Length of at least SHORT_PATH_UPLOAD_BYTES, when no
 *   rule reads the body (a decision that needed it has read it on the usual path).
 * Not answers that are rewritten or redacted, streams a reload must find, or long waits.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { clientMessage } from '../errors.js';
import { isAllowed, type Admission } from '../gate.js';
import { EngineLink } from '../proxy/engine-link.js';
import { forwardRequestHeaders } from '../proxy/headers.js';
import { relayEngineError } from '../proxy/relay.js';
import { rewritesAnswer } from '../views/answers.js';
import { forwardTarget } from './decide.js';
import { awaitsLookup, failedUpstream, learnEngineVersion, type Gateway, type RequestContext } from './gateway.js';
import { AWAITS_WORK_ENDPOINTS, STREAM_ENDPOINTS } from '../request/endpoints.js';

/** Uploads of at least this many bytes (Content-Length) take the short path, streamed to the engine by hand. */
export const SHORT_PATH_UPLOAD_BYTES = 64 * 1024;

/** Each client connection's own connection to the engine. */
const links = new WeakMap<Duplex, EngineLink>();

function linkOf(g: Gateway, socket: Duplex): EngineLink {
  let link = links.get(socket);
  if (link === undefined) {
    const made = new EngineLink(g.upstream);
    socket.once('close', () => made.close());
    links.set(socket, (link = made));
  }
  return link;
}

/** How the request's body is framed, when it may take the short path; null when it may not. */
export function shortPathBody(method: string, headers: IncomingMessage['headers']): { upload: boolean; chunked: boolean; length: number } | null {
  const te = headers['transfer-encoding'];
  const chunked = te !== undefined && te.toLowerCase() === 'chunked';
  if (te !== undefined && !chunked) return null;
  const length = Number(headers['content-length'] ?? '0');
  const upload = (method === 'POST' || method === 'PUT') && (chunked || length >= SHORT_PATH_UPLOAD_BYTES);
  if (!upload && ((method !== 'GET' && method !== 'HEAD') || length !== 0 || chunked)) return null;
  return { upload, chunked, length };
}

/** Whether the admission's answer may go through untouched: allowed, final, and not an endpoint the usual path must handle. */
function mayTakeShortPath(ctx: RequestContext, admission: Admission): boolean {
  if (!isAllowed(admission) || admission.normalized === null || admission.needsBody || awaitsLookup(admission) || admission.dockerfileChecks !== undefined) return false;
  const id = admission.endpoint?.id ?? '';
  return !STREAM_ENDPOINTS.has(id) && !AWAITS_WORK_ENDPOINTS.has(id) && !rewritesAnswer(ctx.policy, id);
}

/** Forward on the short path; false when the request is not such a one, or the link is busy (then the usual path forwards it). */
export function forwardDirectly(g: Gateway, ctx: RequestContext, req: IncomingMessage, res: ServerResponse): boolean {
  const { admission } = ctx;
  const method = req.method ?? '';
  if (!mayTakeShortPath(ctx, admission)) return false;
  const body = shortPathBody(method, req.headers);
  if (body === null) return false;
  const headers = forwardRequestHeaders(req.headers);
  if (body.chunked) headers['transfer-encoding'] = 'chunked';
  const upload = body.upload ? { body: req, bodyLength: body.chunked ? null : body.length } : {};
  return linkOf(g, req.socket).forward({ method, target: forwardTarget(admission), headers, keepAlive: true, ...upload }, res, {
    onHead: (status, rawHeaders, head) => {
      ctx.engineStatus = status;
      learnEngineVersion(g, rawHeaders);
      const observer = g.observer;
      if (observer && head.framing !== 'length' && head.framing !== 'none') {
        observer.onStreamOpen('stream');
        res.once('close', () => observer.onStreamClose('stream'));
      }
    },
    onFailure: (err, timedOut) => {
      const { code, status, message } = failedUpstream(g, ctx.reqId, err, timedOut);
      relayEngineError(res, status, clientMessage(code, message), { keepAlive: true });
    },
  });
}
