/**
 * Header hygiene for forwarding, both directions: hop-by-hop headers (RFC 9110 §7.6.1) and any
 * header a Connection header lists are dropped; headers undici must not be handed are dropped.
 */

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { cappedApiVersion } from '../request/api-version.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // sockgate answers 100-continue itself (Node's server does); undici refuses an `expect` header.
  'expect',
  'http2-settings',
]);

function connectionListed(headers: IncomingHttpHeaders | Record<string, unknown>): Set<string> {
  const listed = new Set<string>();
  const value = headers['connection'];
  const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
  for (const token of text.split(',')) {
    const t = token.trim().toLowerCase();
    if (t) listed.add(t);
  }
  return listed;
}

/**
 * Headers to send upstream for a plain (non-upgrade) request. When sockgate forwards a body it
 * read itself (`bodyLength`), Content-Length is set to exactly that length.
 */
export function forwardRequestHeaders(headers: IncomingHttpHeaders, bodyLength?: number): OutgoingHttpHeaders {
  const listed = connectionListed(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    if (name === 'content-length' && bodyLength !== undefined) continue;
    out[name] = value;
  }
  if (bodyLength !== undefined) out['content-length'] = String(bodyLength);
  return out;
}

/** How an answer's body ends (RFC 9112 §6.3), read from the engine's own header lines. */
export type ResponseFraming = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseHead {
  /** header lines for the client (name, value, …) in the engine's spelling, hop-by-hop ones dropped */
  readonly headers: string[];
  readonly framing: ResponseFraming;
}

/**
 * The head of an engine answer as the client gets it: the engine's header names as it spelled
 * them (Node keeps them in rawHeaders; clients and scripts compare `Api-Version` exactly), minus
 * hop-by-hop headers and any a Connection header lists; Content-Length too when the body is
 * rewritten (`rewritten`). Transfer-Encoding is never copied: Node frames what it writes.
 * Api-Version is capped at the newest API version sockgate knows.
 */
export function responseHead(method: string, status: number, rawHeaders: readonly string[], rewritten = false): ResponseHead {
  const listed = new Set<string>();
  let length = false;
  let chunked = false;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const lower = rawHeaders[i]!.toLowerCase();
    if (lower === 'connection') for (const t of rawHeaders[i + 1]!.split(',')) listed.add(t.trim().toLowerCase());
    else if (lower === 'content-length') length = true;
    else if (lower === 'transfer-encoding') chunked = true;
  }
  const headers: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed.has(lower) || (rewritten && lower === 'content-length')) continue;
    // A newer engine's version is advertised as the newest sockgate knows (request/api-version.ts).
    headers.push(name, lower === 'api-version' ? cappedApiVersion(rawHeaders[i + 1]!) : rawHeaders[i + 1]!);
  }
  const bodiless = method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
  const framing: ResponseFraming = bodiless ? 'none' : chunked ? 'chunked' : length ? 'length' : 'close';
  return { headers, framing };
}

/**
 * Raw header pairs for an upgrade request: everything but hop-by-hop headers, then the
 * Connection/Upgrade pair the engine needs to hijack.
 */
export function upgradeRequestHeaders(rawHeaders: readonly string[], upgrade: string): string[] {
  const listed = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') {
      for (const t of rawHeaders[i + 1]!.split(',')) listed.add(t.trim().toLowerCase());
    }
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || (listed.has(lower) && lower !== 'upgrade')) continue;
    out.push(name, rawHeaders[i + 1]!);
  }
  out.push('Connection', 'Upgrade', 'Upgrade', upgrade);
  return out;
}
