/**
 * Write an engine answer to the client: the head at once, in the engine's spelling, then the body
 * framed the way the engine framed it. A chunked or Content-Length answer stays so (Node frames
 * what it writes; the connection stays usable); a close-delimited one (no length, no chunking: the
 * older attach / exec start form, raw streams of old engines) is relayed unframed and the
 * connection closed after it, as the engine does.
 */
import type { ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import type { ResponseHead } from './headers.js';

export interface RelayOptions {
  /** whether the connection may carry another request (not when the request body was not read to its end) */
  readonly keepAlive: boolean;
}

/** Set the response head (framing, keep-alive, the engine's header lines). */
function writeHead(res: ServerResponse, status: number, head: ResponseHead, opts: RelayOptions): void {
  if (head.framing === 'close') {
    // Removing Transfer-Encoding makes Node send the body as it is, ended by closing.
    res.removeHeader('transfer-encoding');
    res.shouldKeepAlive = false;
  }
  if (!opts.keepAlive) res.shouldKeepAlive = false;
  res.writeHead(status, head.headers);
}

/**
 * Relay an answer body as it streams, its head sent at once (clients block on the headers of
 * wait, events, logs and attach before the first body byte).
 * An engine that goes away mid-body cuts the client off (no clean end).
 */
export function relayStream(res: ServerResponse, status: number, head: ResponseHead, body: Readable, opts: RelayOptions): void {
  writeHead(res, status, head, opts);
  res.flushHeaders();
  pipeline(body, res, (err) => {
    if (err) res.destroy();
  });
}

/** Send a whole (rewritten) answer body. */
export function relayWhole(res: ServerResponse, status: number, head: ResponseHead, body: Buffer, opts: RelayOptions): void {
  writeHead(res, status, { headers: [...head.headers, 'Content-Length', String(body.length)], framing: 'length' }, opts);
  res.end(body);
}
