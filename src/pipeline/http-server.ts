/**
 * The listener's node:http server, given to fastify as its serverFactory. Its request listener
 * runs stage "admit" on the raw request line before fastify's router sees anything, then tries
 * the short path, and otherwise hands the request to fastify with req.url replaced by "/", so no
 * later layer re-reads the client's spelling. Upgrades take the same gate (upgrade.ts).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { clientMessage } from '../errors.js';
import { isAllowed } from '../gate.js';
import { writeRawError } from '../proxy/upgrade.js';
import { isOpenEndedAnswer } from '../request/open-ended.js';
import { admitRequest, completeRequest, type Gateway, type RequestContext } from './gateway.js';
import { forwardDirectly } from './short-path.js';
import { onUpgrade } from './upgrade.js';

export interface HttpServerOptions {
  readonly headersTimeoutMs: number;
  /** time a client may pause while sending a request body before the connection is closed; 0 disables */
  readonly bodyIdleTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxHeaderBytes: number;
}

/** fastify's serverFactory for this gateway. */
export function httpServerFactory(g: Gateway, o: HttpServerOptions): (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server {
  return (handler) => {
    const onHttpRequest = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void => {
      const ctx = admitRequest(g, req, false);
      g.contexts.set(req, ctx);
      // completion, streams, metrics, the relay's pipeline and fastify each watch the response's
      // end: more than Node's default of 10 listeners, none of them a leak
      res.setMaxListeners(32);
      res.once('close', () => completeRequest(g, ctx, res.statusCode, !res.writableFinished));
      endOpenEndedOnClientEof(ctx, req, res);
      // Only an admitted request is invited to send its body; a denied one is answered at once.
      if (expectsContinue && (isAllowed(ctx.admission) || ctx.admission.needsBody)) res.writeContinue();
      watchBodyIdle(g, req, o.bodyIdleTimeoutMs);
      if (!expectsContinue && forwardDirectly(g, ctx, req, res)) return;
      // Nothing after the gate may read the client's spelling of the target.
      req.url = '/';
      handler(req, res);
    };
    const server = createServer(
      {
        headersTimeout: o.headersTimeoutMs,
        // Uploads (build context, image load) and hijacked streams may take as long as they take.
        requestTimeout: 0,
        keepAliveTimeout: o.keepAliveTimeoutMs,
        maxHeaderSize: o.maxHeaderBytes,
        joinDuplicateHeaders: false,
        // How often Node enforces headersTimeout (its default, 30 s, would let a slow client
        // hold a connection for up to twice the configured limit).
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(o.headersTimeoutMs / 4))),
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
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => onUpgrade(g, req, socket, head));
    server.on('connection', g.connections.onConnection);
    const observer = g.observer;
    if (observer) server.on('connection', (socket: Socket) => observer.onConnection(socket));
    return server;
  };
}

/** A client that stops sending its request body is cut off (slowloris on the body). */
function watchBodyIdle(g: Gateway, req: IncomingMessage, idleMs: number): void {
  if (idleMs <= 0) return;
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return;
  if (req.headers['content-length'] === '0') return;
  const socket = req.socket;
  const timer = setTimeout(() => {
    g.logger.warn({ listener: g.listener, idleMs }, 'request body stalled; closing connection');
    socket.destroy();
  }, idleMs);
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
}

/**
 * A client that ends its side of the connection (EOF) while an answer that streams until the
 * client leaves is open: end it, as the engine does (request/open-ended.ts). Other answers go on
 * to their end; httpAllowHalfOpen then closes the connection.
 */
function endOpenEndedOnClientEof(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): void {
  const { normalized, endpoint } = ctx.admission;
  if (normalized === null || endpoint === null || !isOpenEndedAnswer(endpoint.id, normalized)) return;
  const onEnd = (): void => void res.destroy();
  req.socket.once('end', onEnd);
  res.once('close', () => req.socket.off('end', onEnd));
}

/** fastify's clientErrorHandler: a malformed request is answered 400/408/431 and never forwarded. */
export function clientErrorHandler(g: Gateway, err: Error & { code?: string }, socket: Duplex): void {
  // A client that hangs up (after its answer, or mid-request) is not a malformed request.
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) {
    g.logger.debug({ listener: g.listener, err: { code: err.code, message: err.message } }, 'client connection closed');
    socket.destroy();
    return;
  }
  g.logger.warn({ listener: g.listener, code: 'SOCKGATE_DENY_REQUEST_MALFORMED', err: { code: err.code, message: err.message } }, 'malformed request');
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
  writeRawError(socket, status, clientMessage('SOCKGATE_DENY_REQUEST_MALFORMED', `malformed HTTP request (${err.code ?? err.message})`));
}
