/**
 * Splice an admitted upgrade request (attach, exec start, session, grpc) to the engine.
 *
 * The request head is rebuilt from the checked target and filtered headers; exactly
 * Content-Length body bytes are forwarded as the request body. Nothing else the client sends is
 * passed on until the engine has answered 101: if it answers anything else, that response is
 * relayed and both connections are closed, so no second request can ride on the connection
 * unchecked. After 101 the two sockets are piped both ways with half-close preserved (the
 * engine reads stdin EOF from the client's FIN and still sends the remaining output).
 */

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { ENGINE_ERROR_CONTENT_TYPE, engineErrorBody, ERRORS } from '../errors.js';
import { forwardResponseHeaders, upgradeRequestHeaders } from './headers.js';

/** Bytes of early client data (sent before the engine's 101) held before reading pauses. */
const MAX_EARLY_BYTES = 64 * 1024;

export interface UpstreamOptions {
  readonly socketPath: string;
  /** time allowed for the engine to send response headers; 0 disables */
  readonly headersTimeoutMs: number;
}

export interface SpliceOutcome {
  readonly status: number;
  /** the upstream failure that produced a 502/504, if any */
  readonly error?: Error;
}

function statusLine(status: number, text: string): string {
  return `HTTP/1.1 ${status} ${text}\r\n`;
}

/** Write a complete engine-style JSON error response on a raw socket and close it. */
export function writeRawError(socket: Duplex, status: number, message: string, extra: Record<string, string> = {}): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = engineErrorBody(message);
  const headers = {
    'Content-Type': ENGINE_ERROR_CONTENT_TYPE,
    'Content-Length': String(body.length),
    Connection: 'close',
    ...extra,
  };
  const head =
    statusLine(status, status === 403 ? 'Forbidden' : status === 400 ? 'Bad Request' : status >= 500 ? 'Error' : 'Error') +
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n';
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

function writeResponseHead(socket: Duplex, res: IncomingMessage, headers: Record<string, string | string[]>): void {
  let head = statusLine(res.statusCode ?? 502, res.statusMessage ?? '');
  for (const [k, v] of Object.entries(headers)) {
    for (const item of Array.isArray(v) ? v : [v]) head += `${k}: ${item}\r\n`;
  }
  socket.write(head + '\r\n');
}

export function spliceUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  target: string,
  upstream: UpstreamOptions,
  done: (outcome: SpliceOutcome) => void,
): void {
  let finished = false;
  const finish = (outcome: SpliceOutcome): void => {
    if (finished) return;
    finished = true;
    done(outcome);
  };

  const upgradeProtocol = String(req.headers['upgrade'] ?? 'tcp');
  const upReq = httpRequest({
    method: req.method,
    path: target,
    headers: upgradeRequestHeaders(req.rawHeaders, upgradeProtocol),
    setHost: false,
    createConnection: () => createConnection({ path: upstream.socketPath, allowHalfOpen: true }),
  });

  // Held so it can be closed for certain: after a complete non-101 response the request no
  // longer owns its socket, and destroying the request would leave the connection open.
  let upstreamSocket: Duplex | undefined;
  upReq.once('socket', (s: Duplex) => (upstreamSocket = s));

  let timer: NodeJS.Timeout | undefined;
  if (upstream.headersTimeoutMs > 0) {
    timer = setTimeout(() => {
      upReq.destroy();
      const spec = ERRORS.SOCKGATE_ERR_UPSTREAM_TIMEOUT;
      writeRawError(client, spec.status, `sockgate: the engine did not answer within ${upstream.headersTimeoutMs} ms [SOCKGATE_ERR_UPSTREAM_TIMEOUT]`);
      finish({ status: spec.status, error: new Error('upstream headers timeout') });
    }, upstream.headersTimeoutMs);
  }
  const clearTimer = (): void => {
    if (timer) clearTimeout(timer);
  };

  // Body: exactly Content-Length bytes (gate.ts refused chunked upgrade requests).
  let remaining = Number(req.headers['content-length'] ?? '0');
  const early: Buffer[] = [];
  let earlyBytes = 0;
  let clientEnded = false;

  const onData = (chunk: Buffer): void => {
    if (remaining > 0) {
      const part = chunk.subarray(0, remaining);
      remaining -= part.length;
      upReq.write(part);
      if (remaining === 0) upReq.end();
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length > 0) {
      early.push(chunk);
      earlyBytes += chunk.length;
      if (earlyBytes > MAX_EARLY_BYTES) client.pause();
    }
  };
  const onEnd = (): void => {
    clientEnded = true;
    if (remaining > 0) upReq.destroy(new Error('client closed before sending the whole request body'));
  };
  const onClientError = (): void => {
    upReq.destroy();
  };
  client.on('data', onData);
  client.on('end', onEnd);
  client.on('error', onClientError);
  client.on('close', () => {
    if (!finished && !upReq.destroyed) upReq.destroy();
  });
  if (remaining === 0) upReq.end();
  if (head.length > 0) onData(head);

  upReq.on('upgrade', (res: IncomingMessage, upSocket: Duplex, upHead: Buffer) => {
    clearTimer();
    client.off('data', onData);
    client.off('end', onEnd);
    writeResponseHead(client, res, rawHeaderMap(res.rawHeaders));
    if (upHead.length > 0) client.write(upHead);
    for (const chunk of early) upSocket.write(chunk);
    if (clientEnded) upSocket.end();

    let open = 2;
    const closeOne = (): void => {
      if (--open === 0) finish({ status: res.statusCode ?? 101 });
    };
    const teardown = (): void => {
      client.destroy();
      upSocket.destroy();
    };
    client.on('error', teardown);
    upSocket.on('error', teardown);
    client.once('close', () => {
      upSocket.destroy();
      closeOne();
    });
    upSocket.once('close', () => {
      client.destroy();
      closeOne();
    });
    if (!clientEnded) client.pipe(upSocket);
    upSocket.pipe(client);
    client.resume();
  });

  upReq.on('response', (res: IncomingMessage) => {
    // The engine did not switch protocols (e.g. 404 no such container): relay the answer and
    // close both sides so the connection cannot carry another, unchecked request.
    clearTimer();
    client.off('data', onData);
    client.pause();
    const headers = forwardResponseHeaders(res.headers);
    headers['connection'] = 'close';
    writeResponseHead(client, res, headers);
    res.pipe(client);
    res.on('end', () => {
      upReq.destroy();
      upstreamSocket?.destroy();
      finish({ status: res.statusCode ?? 502 });
    });
    res.on('error', () => {
      client.destroy();
      finish({ status: res.statusCode ?? 502 });
    });
  });

  upReq.on('error', (err) => {
    clearTimer();
    if (finished) return;
    const spec = ERRORS.SOCKGATE_ERR_UPSTREAM_UNAVAILABLE;
    writeRawError(client, spec.status, `sockgate: cannot reach the Docker engine at ${upstream.socketPath}: ${err.message} [SOCKGATE_ERR_UPSTREAM_UNAVAILABLE]`);
    finish({ status: spec.status, error: err });
  });
}

/** rawHeaders → a header map that keeps the engine's spelling and repeated headers. */
function rawHeaderMap(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    const v = raw[i + 1]!;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
