/**
 * Header hygiene for forwarding, both directions: hop-by-hop headers (RFC 9110 §7.6.1) and any
 * header a Connection header lists are dropped; headers undici must not be handed are dropped.
 */

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

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

/** Headers to send back to the client from an engine response. */
export function forwardResponseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const listed = connectionListed(headers);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
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
