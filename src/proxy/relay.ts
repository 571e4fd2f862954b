/**
 * Write an engine answer to the client: the head at once, in the engine's spelling, then the body
 * framed the way the engine framed it. A chunked or Content-Length answer stays so (Node frames
 * what it writes; the connection stays usable); a close-delimited one (no length, no chunking: the
 * older attach / exec start form, raw streams of old engines) is relayed unframed and the
 * connection closed after it, as the engine does.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { ENGINE_ERROR_CONTENT_TYPE, engineErrorBody } from '../errors.js';
import type { ResponseHead } from './headers.js';

export interface RelayOptions {
  /** whether the connection may carry another request (not when the request body was not read to its end) */
  readonly keepAlive: boolean;
}

/** Set the response head (framing, keep-alive, the engine's header lines). */
export function writeHead(res: ServerResponse, status: number, head: ResponseHead, opts: RelayOptions): void {
  if (head.framing === 'close') {
    // Removing Transfer-Encoding makes Node send the body as it is, ended by closing.
    res.removeHeader('transfer-encoding');
    res.shouldKeepAlive = false;
  }
  if (!opts.keepAlive) res.shouldKeepAlive = false;
  res.writeHead(status, head.headers);
}

/**
 * Relay an answer body as it streams; a stream's head is sent at once (clients block on the
 * headers of wait, events, logs and attach before the first body byte).
 * An engine that goes away mid-body cuts the client off (no clean end).
 */
export function relayStream(res: ServerResponse, status: number, head: ResponseHead, body: Readable, opts: RelayOptions): void {
  writeHead(res, status, head, opts);
  // An answer of known length goes out with its first body bytes (one write); a stream's head is
  // sent at once if its body does not start right away.
  if (head.framing !== 'length' && head.framing !== 'none') {
    // (headersSent is already true after writeHead; flushHeaders sends the head only if it has not gone out)
    setImmediate(() => {
      if (!res.destroyed && !res.writableEnded) res.flushHeaders();
    });
  }
  // pipe, not stream.pipeline: pipeline allocates an AbortController and, on every end, a
  // DOMException (measured: ~2 % of sockgate's CPU at c=32). The two ways an end goes wrong are
  // handled here: the engine's body fails (cut the client off), or the client leaves first
  // (stop reading the engine's body, which aborts its request).
  body.once('error', () => res.destroy());
  res.once('close', () => {
    if (!res.writableFinished) body.destroy();
  });
  body.pipe(res);
}

/** Send a whole (rewritten) answer body. */
export function relayWhole(res: ServerResponse, status: number, head: ResponseHead, body: Buffer, opts: RelayOptions): void {
  writeHead(res, status, { headers: [...head.headers, 'Content-Length', String(body.length)], framing: 'length' }, opts);
  res.end(body);
}

/** An answer sockgate gives itself, in the engine's error form (`{"message": …}`, headers spelled as the engine spells them). */
export function relayEngineError(res: ServerResponse, status: number, message: string, opts: RelayOptions): void {
  relayWhole(res, status, { headers: ['Content-Type', ENGINE_ERROR_CONTENT_TYPE], framing: 'length' }, engineErrorBody(message), opts);
}
