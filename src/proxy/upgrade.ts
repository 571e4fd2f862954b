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

import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
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

/** The engine request's body: how much of it is still to come from the client, and what came after it. */
interface BodyState {
  /** the chunked decoder of a chunked body; null for a Content-Length one */
  readonly decoder: ReturnType<typeof createChunkedDecoder> | null;
  chunkedDone: boolean;
  /** Content-Length bytes still to forward */
  remaining: number;
  /** client bytes after the body, held until the engine's 101 */
  readonly early: Buffer[];
  earlyBytes: number;
  clientEnded: boolean;
}

/**
 * Splice an admitted upgrade request to the engine; `done` is called once, with the status the
 * client got (and the upstream failure behind a 502/504).
 */
export function spliceUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, target: string, upstream: UpstreamOptions, done: (outcome: SpliceOutcome) => void): void {
  new UpgradeSplice(req, client, upstream, done).start(head, target);
}

class UpgradeSplice {
  #finished = false;
  #timer: NodeJS.Timeout | undefined;
  // Held so it can be closed for certain: after a complete non-101 response the request no
  // longer owns its socket, and destroying the request would leave the connection open.
  #upstreamSocket: Duplex | undefined;
  #upReq!: ClientRequest;
  #body!: BodyState;
  readonly #onData = (chunk: Buffer): void => this.forwardBody(chunk);
  readonly #onEnd = (): void => {
    this.#body.clientEnded = true;
    if (this.#body.remaining > 0 || !this.#body.chunkedDone) this.#upReq.destroy(new Error('client closed before sending the whole request body'));
  };

  constructor(
    private readonly req: IncomingMessage,
    private readonly client: Duplex,
    private readonly upstream: UpstreamOptions,
    private readonly done: (outcome: SpliceOutcome) => void,
  ) {}

  private finish(outcome: SpliceOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.done(outcome);
  }

  /** Send the request head (and a body already complete in `head`), then forward what the client sends. */
  start(head: Buffer, target: string): void {
    const { req, client } = this;
    const headers = upgradeRequestHeaders(req.rawHeaders, String(req.headers['upgrade'] ?? 'tcp'));
    // A chunked body already complete in the first bytes goes on with its length.
    const decoder = req.headers['transfer-encoding'] !== undefined ? createChunkedDecoder() : null;
    let firstBody: Buffer | null = null;
    this.#body = { decoder, chunkedDone: decoder === null, remaining: decoder === null ? Number(req.headers['content-length'] ?? '0') : 0, early: [], earlyBytes: 0, clientEnded: false };
    if (decoder !== null) {
      const step = decoder.push(head);
      if (!step.ok) {
        writeRawError(client, 400, malformedBody(step.reason));
        this.finish({ status: 400 });
        return;
      }
      if (step.done) {
        this.#body.chunkedDone = true;
        firstBody = Buffer.concat(step.data);
        head = step.rest;
        headers.push('Content-Length', String(firstBody.length));
      }
    }
    this.openEngineRequest(target, headers);
    client.on('data', this.#onData);
    client.on('end', this.#onEnd);
    client.on('error', () => this.#upReq.destroy());
    client.on('close', () => {
      if (!this.#finished && !this.#upReq.destroyed) this.#upReq.destroy();
    });
    if (firstBody !== null) this.#upReq.end(firstBody);
    else if (decoder === null && this.#body.remaining === 0) this.#upReq.end();
    if (head.length > 0) this.forwardBody(head);
    if (this.#finished) return;
    // A chunked body still to come: the head goes now (the client may wait for the 101 first).
    if (!this.#body.chunkedDone) this.#upReq.flushHeaders();
    this.#upReq.on('upgrade', (res: IncomingMessage, upSocket: Duplex, upHead: Buffer) => this.onSwitched(res, upSocket, upHead));
    this.#upReq.on('response', (res: IncomingMessage) => this.onAnswered(res));
    this.#upReq.on('error', (err) => this.onFailed(err));
  }

  /** The request to the engine on a fresh connection, and the timer for its answer's head. */
  private openEngineRequest(target: string, headers: string[]): void {
    const upstream = this.upstream;
    this.#upReq = httpRequest({
      method: this.req.method,
      path: target,
      headers,
      setHost: false,
      createConnection: () => createConnection({ path: upstream.socketPath, allowHalfOpen: true }),
    });
    this.#upReq.once('socket', (s: Duplex) => (this.#upstreamSocket = s));
    if (upstream.headersTimeoutMs > 0) {
      this.#timer = setTimeout(() => {
        this.#upReq.destroy();
        const error = new Error('upstream headers timeout');
        const failure = upstreamFailure(error, true, upstream, 'upgrade');
        writeRawError(this.client, failure.status, clientMessage(failure.code, failure.message));
        this.finish({ status: failure.status, error });
      }, upstream.headersTimeoutMs);
    }
  }

  private clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }

  /**
   * Body: exactly Content-Length bytes, or a chunked body read to its last chunk (gate.ts admits
   * no other framing). A chunked body is forwarded decoded, framed anew by Node: Content-Length 0
   * when it is empty and complete at once (dockerode's POST /session sends "0\r\n\r\n" right
   * after the head); otherwise the head goes at once and the data follows as it is decoded, since
   * a client may wait for the engine's 101 before it ends the body (the engine does not read
   * the body of attach or session before it hijacks). Bytes after the body wait for the 101.
   */
  private forwardBody(chunk: Buffer): void {
    const body = this.#body;
    const upReq = this.#upReq;
    if (!body.chunkedDone && body.decoder !== null) {
      const step = body.decoder.push(chunk);
      if (!step.ok) return this.refuseBody(step.reason);
      for (const part of step.data) upReq.write(part);
      if (!step.done) return;
      body.chunkedDone = true;
      upReq.end();
      chunk = step.rest;
    }
    if (body.remaining > 0) {
      const part = chunk.subarray(0, body.remaining);
      body.remaining -= part.length;
      upReq.write(part);
      if (body.remaining === 0) upReq.end();
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length > 0) {
      body.early.push(chunk);
      body.earlyBytes += chunk.length;
      if (body.earlyBytes > MAX_EARLY_BYTES) this.client.pause();
    }
  }

  private refuseBody(reason: string): void {
    this.client.off('data', this.#onData);
    this.#upReq.destroy();
    writeRawError(this.client, 400, malformedBody(reason));
    this.finish({ status: 400 });
  }

  /** The engine switched protocols: relay its head, then pipe both ways with half-close preserved. */
  private onSwitched(res: IncomingMessage, upSocket: Duplex, upHead: Buffer): void {
    const client = this.client;
    this.clearTimer();
    client.off('data', this.#onData);
    client.off('end', this.#onEnd);
    writeResponseHead(client, res, res.rawHeaders);
    if (upHead.length > 0) client.write(upHead);
    for (const chunk of this.#body.early) upSocket.write(chunk);
    const clientEnded = this.#body.clientEnded;
    if (clientEnded) upSocket.end();
    let open = 2;
    const closeOne = (): void => {
      if (--open === 0) this.finish({ status: res.statusCode ?? 101 });
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
  }

  /**
   * The engine did not switch protocols (e.g. 404 no such container): relay the answer and close
   * both sides so the connection cannot carry another, unchecked request.
   */
  private onAnswered(res: IncomingMessage): void {
    const client = this.client;
    this.clearTimer();
    client.off('data', this.#onData);
    client.pause();
    // The body is relayed decoded and ends with the connection (no Transfer-Encoding is copied).
    writeResponseHead(client, res, [...responseHead(this.req.method ?? 'POST', res.statusCode ?? 502, res.rawHeaders).headers, 'Connection', 'close']);
    res.pipe(client);
    res.on('end', () => {
      this.#upReq.destroy();
      this.#upstreamSocket?.destroy();
      this.finish({ status: res.statusCode ?? 502 });
    });
    res.on('error', () => {
      client.destroy();
      this.finish({ status: res.statusCode ?? 502 });
    });
  }

  private onFailed(err: Error): void {
    this.clearTimer();
    if (this.#finished) return;
    const failure = upstreamFailure(err, false, this.upstream, 'upgrade');
    writeRawError(this.client, failure.status, clientMessage(failure.code, failure.message));
    this.finish({ status: failure.status, error: err });
  }
}
