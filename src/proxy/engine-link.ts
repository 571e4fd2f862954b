/**
 * The short path for the requests most clients send most: a GET or HEAD without a body, already
 * admitted, whose answer is relayed as the engine framed it (no rewriting, no stream to track).
 * Each client connection gets its own connection to the engine (an EngineLink), so the engine sees
 * the keep-alive pattern a direct client gives it, and the request is written on it by hand: the
 * checked target and the filtered headers, in one write. The answer is read here too: its head
 * (proxy/response-head.ts) and only as much of its body as its framing needs — Content-Length
 * bytes, chunks to the last one (chunked.ts), or everything to EOF — so the engine's connection is
 * reused only after a complete answer. Anything unexpected ends both connections, never a guess.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createConnection, type NetConnectOpts, type Socket } from 'node:net';
import { createChunkedDecoder, type ChunkedDecoder } from './chunked.js';
import { responseHead, type ResponseHead } from './headers.js';
import { writeHead } from './relay.js';
import { closesAfter, contentLengthOf, isChunked, readResponseHead } from './response-head.js';

/** Bytes the engine connection buffers before an upload's client body is paused. */
const ENGINE_WRITE_BUFFER_BYTES = 1024 * 1024;

export interface LinkOptions {
  readonly socketPath: string;
  readonly connectTimeoutMs: number;
  /** time allowed for the engine's answer head; 0: none */
  readonly headersTimeoutMs: number;
}

export interface DirectRequest {
  readonly method: string;
  /** the checked request target */
  readonly target: string;
  /** the headers to send (forwardRequestHeaders; with a body, its Content-Length) */
  readonly headers: OutgoingHttpHeaders;
  /** whether the client's connection may carry another request afterwards */
  readonly keepAlive: boolean;
  /**
   * the client's request body, streamed to the engine as it arrives, framed as the client framed
   * it: `bodyLength` bytes (Content-Length), or chunked anew (`bodyLength` null: the headers then
   * say `transfer-encoding: chunked`); absent for a request without a body
   */
  readonly body?: IncomingMessage;
  readonly bodyLength?: number | null;
}

export interface DirectHooks {
  /** the engine's answer head, before it is written to the client */
  onHead(status: number, rawHeaders: readonly string[], head: ResponseHead): void;
  /** no answer head came: the engine could not be reached or did not answer in time */
  onFailure(err: Error, timedOut: boolean): void;
}

/** One client connection's connection to the engine, used by one request at a time. */
export class EngineLink {
  #socket: Socket | null = null;
  #busy = false;
  #closed = false;

  constructor(private readonly options: LinkOptions) {}

  /** whether a request may start on it now */
  get idle(): boolean {
    return !this.#busy && !this.#closed;
  }

  /**
   * Relay one request and its answer; false (nothing done) when the link is busy or closed. A
   * request with a body, or any method but GET and HEAD, is never repeated: it goes on a new
   * connection, so that a kept one the engine closed meanwhile cannot fail it.
   */
  forward(req: DirectRequest, res: ServerResponse, hooks: DirectHooks): boolean {
    if (!this.idle) return false;
    this.#busy = true;
    const repeatable = req.body === undefined && (req.method === 'GET' || req.method === 'HEAD');
    if (!repeatable) this.#drop();
    this.#attempt(req, res, hooks, repeatable && this.#socket !== null);
    return true;
  }

  close(): void {
    this.#closed = true;
    this.#socket?.destroy();
    this.#socket = null;
  }

  #connect(): Socket {
    // A large write buffer: an upload's 64 KiB chunks would otherwise each pause the client's body
    // (the default mark is 16 KiB), and the two sockets would take turns instead of both flowing.
    // (net.Socket takes stream options at run time; @types/node's NetConnectOpts does not list them)
    const socket = createConnection({ path: this.options.socketPath, writableHighWaterMark: ENGINE_WRITE_BUFFER_BYTES } as NetConnectOpts);
    socket.setNoDelay(true);
    socket.setTimeout(this.options.connectTimeoutMs, () => socket.connecting && socket.destroy(new Error(`connect timed out after ${this.options.connectTimeoutMs} ms`)));
    socket.once('connect', () => socket.setTimeout(0));
    // Between answers the engine sends nothing: any byte, error or close ends this connection.
    const idleEnd = (): void => {
      if (!this.#busy && this.#socket === socket) this.#drop();
    };
    socket.on('data', () => idleEnd());
    socket.on('error', idleEnd);
    socket.on('close', idleEnd);
    return socket;
  }

  #drop(): void {
    this.#socket?.destroy();
    this.#socket = null;
  }

  /** One try; a reused connection the engine closed before answering is retried once on a new one (GET and HEAD are safe to repeat). */
  #attempt(req: DirectRequest, res: ServerResponse, hooks: DirectHooks, reused: boolean): void {
    const socket = this.#socket ?? (this.#socket = this.#connect());
    const answer = new AnswerReader(req, res, hooks, socket, this.options.headersTimeoutMs, reused && !this.#closed);
    answer.onDone = (reusable, retry) => {
      if (!reusable) this.#drop();
      if (retry) return this.#attempt(req, res, hooks, false);
      this.#busy = false;
    };
    answer.start();
  }
}

/** Reads one answer off the engine's connection and relays it. */
class AnswerReader {
  onDone: (reusable: boolean, retry: boolean) => void = () => undefined;
  #received: Buffer = Buffer.alloc(0);
  #gotBytes = false;
  #head: ResponseHead | null = null;
  #remaining = 0;
  #chunks: ChunkedDecoder | null = null;
  #finished = false;
  #timer: NodeJS.Timeout | null = null;
  /** request body bytes written to the engine so far; the body is done when all were */
  #sent = 0;
  #bodyDone: boolean;

  constructor(
    private readonly req: DirectRequest,
    private readonly res: ServerResponse,
    private readonly hooks: DirectHooks,
    private readonly socket: Socket,
    private readonly headersTimeoutMs: number,
    /** whether a failure before any answer byte may be retried on a new connection (this one was reused) */
    private readonly mayRetry: boolean,
  ) {
    this.#bodyDone = req.body === undefined || req.bodyLength === 0;
  }

  start(): void {
    const { socket, res, req } = this;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    res.once('close', this.#onClientClose);
    socket.write(requestHead(req), 'latin1');
    if (this.#bodyDone) return this.#startHeadTimer();
    // The body streams at the pace both sides allow; the engine's answer may come before its end.
    req.body!.on('data', this.#onBodyData);
    req.body!.on('end', this.#onBodyEnd);
    socket.on('drain', this.#onEngineDrain);
  }

  /** The time the engine has to answer runs from the end of the request, as undici's does. */
  #startHeadTimer(): void {
    if (this.headersTimeoutMs > 0 && this.#head === null && !this.#finished) {
      this.#timer = setTimeout(() => this.#fail(new Error(`no answer within ${this.headersTimeoutMs} ms`), true, false), this.headersTimeoutMs);
    }
  }

  #onBodyData = (chunk: Buffer): void => {
    this.#sent += chunk.length;
    const { socket } = this;
    const length = this.req.bodyLength;
    let flowing: boolean;
    if (length === null || length === undefined) {
      // Node's parser has read the client's chunks; each piece goes on as one chunk.
      if (chunk.length === 0) return;
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      flowing = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else {
      // Node's parser frames the body by Content-Length: more cannot arrive, but never send it.
      if (this.#sent > length) return this.#fail(new Error('the request body is longer than its Content-Length'), false, true);
      flowing = socket.write(chunk);
    }
    if (!flowing) this.req.body!.pause();
  };

  #onEngineDrain = (): void => void this.req.body?.resume();

  #onBodyEnd = (): void => {
    const length = this.req.bodyLength;
    if (length === null || length === undefined) this.socket.write('0\r\n\r\n', 'latin1');
    else if (this.#sent !== length) return this.#fail(new Error('the request body ended before its Content-Length'), false, true);
    this.#bodyDone = true;
    this.#startHeadTimer();
  };

  #onData = (chunk: Buffer): void => {
    this.#gotBytes = true;
    if (this.#head === null) return this.#readHead(chunk);
    this.#body(chunk);
  };

  #readHead(chunk: Buffer): void {
    this.#received = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk]);
    const read = readResponseHead(this.#received);
    if (read.kind === 'more') return;
    if (read.kind === 'error') return this.#fail(new Error(read.reason), false, false);
    this.#received = Buffer.alloc(0);
    if (this.#timer !== null) clearTimeout(this.#timer);
    const head = responseHead(this.req.method, read.status, read.rawHeaders);
    const length = contentLengthOf(read.rawHeaders);
    const chunked = isChunked(read.rawHeaders);
    if (read.status === 101 || Number.isNaN(length) || chunked === false) return this.#fail(new Error(`the engine's answer has a head sockgate does not relay on this path (status ${read.status})`), false, false);
    this.#head = head;
    this.#remaining = head.framing === 'length' ? length! : 0;
    if (head.framing === 'chunked') this.#chunks = createChunkedDecoder();
    this.hooks.onHead(read.status, read.rawHeaders, head);
    if (closesAfter(read.rawHeaders)) this.res.shouldKeepAlive = false;
    // An answer before the end of the request body closes the client's connection afterwards, as on the usual path.
    writeHead(this.res, read.status, head, { keepAlive: this.req.keepAlive && this.#bodyDone });
    this.res.on('drain', this.#onDrain);
    if (head.framing === 'none' || (head.framing === 'length' && this.#remaining === 0)) return this.#finish(read.rest.length === 0 && !closesAfter(read.rawHeaders));
    if (read.rest.length > 0) this.#body(read.rest);
  }

  #body(chunk: Buffer): void {
    const head = this.#head!;
    if (head.framing === 'close') return this.#write(chunk);
    if (head.framing === 'length') {
      if (chunk.length > this.#remaining) return this.#fail(new Error('the engine sent more than its Content-Length'), false, true);
      this.#remaining -= chunk.length;
      this.#write(chunk);
      if (this.#remaining === 0) this.#finish(true);
      return;
    }
    const step = this.#chunks!.push(chunk);
    if (!step.ok) return this.#fail(new Error(`the engine's chunked answer cannot be read: ${step.reason}`), false, true);
    for (const data of step.data) this.#write(data);
    if (step.done) this.#finish(step.rest.length === 0);
  }

  #write(data: Buffer): void {
    if (data.length > 0 && !this.res.write(data)) this.socket.pause();
  }

  #onDrain = (): void => void this.socket.resume();

  #onEnd = (): void => {
    if (this.#head?.framing === 'close') return this.#finish(false);
    this.#fail(new Error('the engine closed the connection before its answer was complete'), false, this.#head !== null);
  };

  #onError = (err: Error): void => this.#fail(err, false, this.#head !== null);
  #onClose = (): void => this.#fail(new Error('the engine closed the connection'), false, this.#head !== null);
  /** The client left first: the engine's connection is mid-answer and cannot be reused. */
  #onClientClose = (): void => {
    if (!this.#finished) this.#settle(false, false);
  };

  /** The answer is complete: end the client's response, and free the engine's connection if `reusable`. */
  #finish(reusable: boolean): void {
    if (this.#finished) return;
    this.res.end();
    // An answer before the end of the request body: the engine's connection is mid-request.
    this.#settle(reusable && this.#bodyDone, false);
  }

  /**
   * Something went wrong: before the head, tell the client (or retry); after it, or mid-request
   * (`cutOff`: the client's body broke its framing), cut the client off.
   */
  #fail(err: Error, timedOut: boolean, cutOff: boolean): void {
    if (this.#finished) return;
    if (cutOff || this.#head !== null) {
      this.#settle(false, false);
      this.res.destroy(err);
      return;
    }
    // A kept connection the engine closed meanwhile fails at once, with nothing read: try again.
    const retry = this.mayRetry && !this.#gotBytes && !timedOut;
    this.#settle(false, retry);
    if (!retry) this.hooks.onFailure(err, timedOut);
  }

  #settle(reusable: boolean, retry: boolean): void {
    this.#finished = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    const { socket, res } = this;
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('error', this.#onError);
    socket.off('close', this.#onClose);
    socket.off('drain', this.#onEngineDrain);
    res.off('close', this.#onClientClose);
    res.off('drain', this.#onDrain);
    const body = this.req.body;
    if (body !== undefined) {
      body.off('data', this.#onBodyData);
      body.off('end', this.#onBodyEnd);
      // What is left of a body the engine did not wait for is read and dropped (Node then knows
      // where the next request starts; the client is answered already).
      if (!this.#bodyDone) body.resume();
    }
    socket.resume();
    this.onDone(reusable, retry);
  }
}

/** The request line and headers, as one latin1 string (names and values were checked by Node's parser, which refuses CR and LF in them). */
function requestHead(req: DirectRequest): string {
  let head = `${req.method} ${req.target} HTTP/1.1\r\n`;
  // HTTP/1.1 needs a Host (an HTTP/1.0 client may send none): the one undici would send.
  if (req.headers['host'] === undefined) head += 'host: localhost\r\n';
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) head += `${name}: ${v}\r\n`;
    else head += `${name}: ${String(value)}\r\n`;
  }
  return head + '\r\n';
}
