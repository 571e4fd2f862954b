/**
 * Splice an admitted upgrade request (attach, exec start, session, grpc) to the engine.
 *
 * The request head is rebuilt from the checked target and filtered headers; exactly
 * Content-Length body bytes, or a chunked body to its last chunk, are forwarded as the request body. Nothing else the client sends is
 * passed on until the engine has answered 101: if it answers anything else, that response is
 * relayed and both connections are closed, so no second request can ride on the connection
 * unchecked. After 101 the two sockets are piped both ways with half-close preserved (the
 * engine reads stdin EOF from the client's FIN and still sends the remaining output).
 */

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { clientMessage, ENGINE_ERROR_CONTENT_TYPE, engineErrorBody, upstreamFailure, type EngineEndpoint } from '../errors.js';
import { createChunkedDecoder } from './chunked.js';
import { responseHead, upgradeRequestHeaders } from './headers.js';

/** Bytes of early client data (sent before the engine's 101) held before reading pauses. */
const MAX_EARLY_BYTES = 64 * 1024;

/** The engine to splice to; a headers timeout of 0 disables it. */
export type UpstreamOptions = EngineEndpoint;

export interface SpliceOutcome {
  readonly status: number;
  /** the upstream failure that produced a 502/504, if any */
  readonly error?: Error;
}

/** What a client whose chunked upgrade body does not parse is told. */
function malformedBody(reason: string): string {
  return clientMessage('SOCKGATE_DENY_REQUEST_MALFORMED', `malformed chunked body of an upgrade request (${reason})`);
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

/** Write a response head: header lines (name, value, …) in the engine's spelling. */
function writeResponseHead(socket: Duplex, res: IncomingMessage, lines: readonly string[]): void {
  let head = statusLine(res.statusCode ?? 502, res.statusMessage ?? '');
  for (let i = 0; i + 1 < lines.length; i += 2) head += `${lines[i]!}: ${lines[i + 1]!}\r\n`;
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
  const headers = upgradeRequestHeaders(req.rawHeaders, upgradeProtocol);
  // A chunked body already complete in the first bytes goes on with its length.
  const decoder = req.headers['transfer-encoding'] !== undefined ? createChunkedDecoder() : null;
  let chunkedDone = decoder === null;
  let firstBody: Buffer | null = null;
  if (decoder !== null) {
    const step = decoder.push(head);
    if (!step.ok) {
      writeRawError(client, 400, malformedBody(step.reason));
      finish({ status: 400 });
      return;
    }
    if (step.done) {
      chunkedDone = true;
      firstBody = Buffer.concat(step.data);
      head = step.rest;
      headers.push('Content-Length', String(firstBody.length));
    }
  }
  const upReq = httpRequest({
    method: req.method,
    path: target,
    headers,
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
      const error = new Error('upstream headers timeout');
      const failure = upstreamFailure(error, true, upstream, 'upgrade');
      writeRawError(client, failure.status, clientMessage(failure.code, failure.message));
      finish({ status: failure.status, error });
    }, upstream.headersTimeoutMs);
  }
  const clearTimer = (): void => {
    if (timer) clearTimeout(timer);
  };

  // Body: exactly Content-Length bytes, or a chunked body read to its last chunk (gate.ts admits
  // no other framing). A chunked body is forwarded decoded, framed anew by Node: Content-Length 0
  // when it is empty and complete at once (dockerode's POST /session sends "0\r\n\r\n" right
  // after the head); otherwise the head goes at once and the data follows as it is decoded, since
  // a client may wait for the engine's 101 before it ends the body (the engine does not read
  // the body of attach or session before it hijacks).
  let remaining = decoder === null ? Number(req.headers['content-length'] ?? '0') : 0;
  const early: Buffer[] = [];
  let earlyBytes = 0;
  let clientEnded = false;

  const refuseBody = (reason: string): void => {
    client.off('data', onData);
    upReq.destroy();
    writeRawError(client, 400, malformedBody(reason));
    finish({ status: 400 });
  };

  const onData = (chunk: Buffer): void => {
    if (!chunkedDone && decoder !== null) {
      const step = decoder.push(chunk);
      if (!step.ok) return refuseBody(step.reason);
      for (const part of step.data) upReq.write(part);
      if (!step.done) return;
      chunkedDone = true;
      upReq.end();
      chunk = step.rest;
    }
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
    if (remaining > 0 || !chunkedDone) upReq.destroy(new Error('client closed before sending the whole request body'));
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
  if (firstBody !== null) upReq.end(firstBody);
  else if (decoder === null && remaining === 0) upReq.end();
  if (head.length > 0) onData(head);
  if (finished) return;
  // A chunked body still to come: the head goes now (the client may wait for the 101 first).
  if (!chunkedDone) upReq.flushHeaders();

  upReq.on('upgrade', (res: IncomingMessage, upSocket: Duplex, upHead: Buffer) => {
    clearTimer();
    client.off('data', onData);
    client.off('end', onEnd);
    writeResponseHead(client, res, res.rawHeaders);
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
    // When one side closes, the other is ended, not cut: what was piped to it but not yet
    // written (the last of a large output, under backpressure) still goes out, then it closes.
    // A side that closed without ending cleanly (reset, error) cuts the other at once.
    const closeAfter = (from: Duplex, to: Duplex, endedCleanly: () => boolean): void => {
      from.once('close', () => {
        if (!endedCleanly() || to.writableFinished) to.destroy();
        else to.once('finish', () => to.destroy());
        closeOne();
      });
    };
    let clientEndedCleanly = clientEnded;
    let engineEndedCleanly = false;
    client.once('end', () => (clientEndedCleanly = true));
    upSocket.once('end', () => (engineEndedCleanly = true));
    closeAfter(client, upSocket, () => clientEndedCleanly);
    closeAfter(upSocket, client, () => engineEndedCleanly);
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
    // The body is relayed decoded and ends with the connection (no Transfer-Encoding is copied).
    writeResponseHead(client, res, [...responseHead(req.method ?? 'POST', res.statusCode ?? 502, res.rawHeaders).headers, 'Connection', 'close']);
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
    const failure = upstreamFailure(err, false, upstream, 'upgrade');
    writeRawError(client, failure.status, clientMessage(failure.code, failure.message));
    finish({ status: failure.status, error: err });
  });
}
