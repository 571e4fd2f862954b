/**
 * One canonical form of a request target, computed once and used both to decide and to forward.
 *
 * The engine (Go net/http + gorilla/mux) routes on the *decoded* path and reads the query with
 * url.ParseQuery. sockgate decodes exactly once, the same way, and rejects every spelling whose
 * meaning could differ between the two readers instead of repairing it. What is forwarded is
 * re-serialised from the decoded form (`target`), so the engine decodes back exactly what was
 * checked. See docs/engine-behaviour.md for the engine facts each rule below relies on.
 */

import type { ErrorCode } from '../errors.js';
import { compareApiVersions, MIN_API_VERSION, NEWEST_API_VERSION } from './api-version.js';

export const MAX_TARGET_BYTES = 8192;
export const MAX_PATH_CHARS = 4096;
export const MAX_QUERY_PARAMS = 512;

export type Query = ReadonlyMap<string, readonly string[]>;

export interface NormalizedRequest {
  readonly method: string;
  /** API version from the optional `/vX.Y` prefix, e.g. "1.41"; null when unversioned. */
  readonly apiVersion: string | null;
  /** Decoded path without the version prefix, e.g. "/containers/my app/json". */
  readonly path: string;
  /** Decoded path segments without the version prefix. */
  readonly segments: readonly string[];
  /** Query as a multimap of decoded keys to decoded values, in the order they came. */
  readonly query: Query;
  /** The request target to forward: re-encoded from the decoded form, version prefix kept. */
  readonly target: string;
}

export interface Rejection {
  readonly code: ErrorCode;
  readonly reason: string;
}

export type NormalizeResult =
  | { readonly ok: true; readonly request: NormalizedRequest }
  | { readonly ok: false; readonly rejection: Rejection };

/** The engine's version route is `/v{version:[0-9.]+}`; sockgate accepts only the sane subset. */
const ENGINE_VERSION_SEGMENT = /^v[0-9.]+$/;
/** Canonical spelling only: the engine reads "1.041" and "01.41" as 1.41 (numeric parts). */
const STRICT_VERSION_SEGMENT = /^v((0|[1-9][0-9]{0,3})(?:\.(0|[1-9][0-9]{0,3}))?)$/;

export { MIN_API_VERSION, NEWEST_API_VERSION } from './api-version.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The failing result of normalisation, and of each of its steps. */
type Refused = Extract<NormalizeResult, { ok: false }>;

function reject(code: ErrorCode, reason: string): Refused {
  return { ok: false, rejection: { code, reason } };
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * Percent-decode `raw` once. `plusIsSpace` follows Go's url.QueryUnescape for query components.
 * Returns null on a malformed escape or invalid UTF-8 (which could not be forwarded unchanged).
 */
export function percentDecode(raw: string, plusIsSpace: boolean): string | null {
  if (!raw.includes('%') && !(plusIsSpace && raw.includes('+'))) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (ch === 0x25 /* % */) {
      const hex = raw.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch === 0x2b /* + */ && plusIsSpace) {
      bytes.push(0x20);
    } else {
      // Callers have already rejected anything outside printable ASCII.
      bytes.push(ch);
    }
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}

const PATH_KEEP = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

function encodeWith(value: string, keep: RegExp): string {
  let out = '';
  for (const ch of value) {
    if (ch.length === 1 && keep.test(ch)) {
      out += ch;
    } else {
      for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

/** Encode one decoded path segment so that Go's URL parser and WHATWG URL both leave it as is. */
export function encodePathSegment(segment: string): string {
  return encodeWith(segment, PATH_KEEP);
}

const QUERY_KEEP = /[A-Za-z0-9\-._~]/;

/** Encode one decoded query key or value (only unreserved characters stay literal). */
export function encodeQueryComponent(value: string): string {
  return encodeWith(value, QUERY_KEEP);
}

export function serializeQuery(query: Query): string {
  const parts: string[] = [];
  for (const [key, values] of query) {
    for (const v of values) parts.push(`${encodeQueryComponent(key)}=${encodeQueryComponent(v)}`);
  }
  return parts.join('&');
}

// Bytes allowed raw in a request target: printable ASCII except '#' (fragment) and '\'.
function firstBadTargetChar(target: string): number {
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x23 /* # */ || c === 0x5c /* \ */) return i;
  }
  return -1;
}

function describeChar(target: string, index: number): string {
  const c = target.charCodeAt(index);
  return c > 0x20 && c < 0x7f ? `"${target[index]}"` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function parseQuery(raw: string): { ok: true; query: Map<string, string[]> } | { ok: false; reason: string } {
  const query = new Map<string, string[]>();
  let count = 0;
  if (raw === '') return { ok: true, query };
  for (const part of raw.split('&')) {
    // Go's url.ParseQuery skips empty parts and, since Go 1.17, refuses ';' as a separator
    // (net/url: "invalid semicolon separator in query"): such a query fails ParseForm in the engine.
    if (part === '') continue;
    if (part.includes(';')) return { ok: false, reason: `query part "${part}" contains ";", which the engine refuses` };
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    const key = percentDecode(rawKey, true);
    const value = percentDecode(rawValue, true);
    if (key === null || value === null) {
      return { ok: false, reason: `query part "${part}" has invalid percent-encoding or invalid UTF-8` };
    }
    if (++count > MAX_QUERY_PARAMS) return { ok: false, reason: `more than ${MAX_QUERY_PARAMS} query parameters` };
    const values = query.get(key);
    if (values) values.push(value);
    else query.set(key, [value]);
  }
  return { ok: true, query };
}

/** A step of normalisation: its value, or the rejection that ends it. */
type Step<T> = { readonly ok: true; readonly value: T } | Refused;

/** Why a raw request target is refused before it is split (too long, not origin-form, a bad byte); null if none. */
export function checkTargetSyntax(rawTarget: string): Refused | null {
  if (rawTarget.length > MAX_TARGET_BYTES) {
    return reject('SOCKGATE_DENY_REQUEST_TARGET', `request target is longer than ${MAX_TARGET_BYTES} bytes`);
  }
  if (!rawTarget.startsWith('/')) {
    return reject(
      'SOCKGATE_DENY_REQUEST_TARGET',
      'request target must be a path starting with "/" (absolute-form, authority-form and "*" are refused)',
    );
  }
  const bad = firstBadTargetChar(rawTarget);
  if (bad !== -1) {
    return reject(
      'SOCKGATE_DENY_REQUEST_TARGET',
      `request target contains ${describeChar(rawTarget, bad)} at offset ${bad}; percent-encode it or leave it out`,
    );
  }
  return null;
}

/** The decoded segments of a raw path ("/" has none), or why one of them cannot be forwarded unchanged. */
export function decodePathSegments(rawPath: string): Step<string[]> {
  const segments: string[] = [];
  if (rawPath === '/') return { ok: true, value: segments };
  for (const rawSegment of rawPath.slice(1).split('/')) {
    if (rawSegment === '') {
      return reject(
        'SOCKGATE_DENY_REQUEST_TARGET',
        'path has an empty segment ("//" or a trailing "/"), which the engine routes differently',
      );
    }
    const segment = percentDecode(rawSegment, false);
    if (segment === null) {
      return reject('SOCKGATE_DENY_REQUEST_TARGET', `path segment "${rawSegment}" has invalid percent-encoding or invalid UTF-8`);
    }
    if (segment === '.' || segment === '..') {
      return reject('SOCKGATE_DENY_REQUEST_TARGET', `path segment "${rawSegment}" is a dot segment`);
    }
    // eslint-disable-next-line no-control-regex
    if (/[/\\\u0000-\u001f\u007f]/.test(segment)) {
      return reject(
        'SOCKGATE_DENY_REQUEST_TARGET',
        `path segment "${rawSegment}" decodes to "/", "\\", NUL or a control character`,
      );
    }
    segments.push(segment);
  }
  return { ok: true, value: segments };
}

/**
 * The API version a decoded first segment names (null when it is no version segment, as the
 * engine's router sees it), or why that version is refused: a non-canonical spelling, or a version
 * outside MIN_API_VERSION..NEWEST_API_VERSION.
 */
export function readApiVersion(first: string | undefined): Step<string | null> {
  if (first === undefined || !ENGINE_VERSION_SEGMENT.test(first)) return { ok: true, value: null };
  const strict = STRICT_VERSION_SEGMENT.exec(first);
  if (!strict) {
    return reject('SOCKGATE_DENY_API_VERSION', `"/${first}" is not a version prefix of the form /v<digits>[.<digits>]`);
  }
  const version = strict[1]!;
  if (compareApiVersions(version, MIN_API_VERSION) < 0) {
    return reject('SOCKGATE_DENY_API_VERSION', `API version ${version} is older than ${MIN_API_VERSION}; old versions enable legacy behaviours that bypass checks`);
  }
  if (compareApiVersions(version, NEWEST_API_VERSION) > 0) {
    return reject(
      'SOCKGATE_DENY_API_VERSION',
      `API version ${version} is newer than ${NEWEST_API_VERSION}, the newest whose routes and bodies sockgate knows; use /v${NEWEST_API_VERSION} or older`,
    );
  }
  return { ok: true, value: version };
}

/** The target to forward, re-encoded from the decoded form: version prefix (if any), path, query. */
export function encodeTarget(apiVersion: string | null, segments: readonly string[], query: Query): string {
  const versionPrefix = apiVersion === null ? '' : `/v${apiVersion}`;
  const encodedPath =
    segments.length === 0 && versionPrefix !== ''
      ? versionPrefix
      : versionPrefix + '/' + segments.map(encodePathSegment).join('/');
  const encodedQuery = serializeQuery(query);
  return encodedQuery === '' ? encodedPath : `${encodedPath}?${encodedQuery}`;
}

/**
 * Normalise a method and raw request target (as on the request line) into a NormalizedRequest,
 * or say precisely why it cannot be forwarded.
 */
export function normalizeRequest(method: string, rawTarget: string): NormalizeResult {
  const refused = checkTargetSyntax(rawTarget);
  if (refused !== null) return refused;

  const qIndex = rawTarget.indexOf('?');
  const rawPath = qIndex === -1 ? rawTarget : rawTarget.slice(0, qIndex);
  const rawQuery = qIndex === -1 ? '' : rawTarget.slice(qIndex + 1);

  const decoded = decodePathSegments(rawPath);
  if (!decoded.ok) return decoded;
  const version = readApiVersion(decoded.value[0]);
  if (!version.ok) return version;
  const apiVersion = version.value;
  const segments = apiVersion === null ? decoded.value : decoded.value.slice(1);

  const path = '/' + segments.join('/');
  if (path.length > MAX_PATH_CHARS) {
    return reject('SOCKGATE_DENY_REQUEST_TARGET', `path is longer than ${MAX_PATH_CHARS} characters`);
  }

  const parsed = parseQuery(rawQuery);
  if (!parsed.ok) return reject('SOCKGATE_DENY_QUERY', parsed.reason);

  const target = encodeTarget(apiVersion, segments, parsed.query);
  return {
    ok: true,
    request: { method, apiVersion, path, segments, query: parsed.query, target },
  };
}
