/**
 * Body conditions compiled to predicates over a BodyView: the request body as the engine decodes
 * it (src/inspect/), plus derived facts under `$facts` (e.g. every host path a container create
 * would mount). Pure.
 */

import { posix } from 'node:path';
import type { BodyConditionDocument, BodyScalar } from './document.js';
import { compileGlob } from './glob.js';
import { namesContainer } from '../request/engine-values.js';

export interface BodyView {
  /** the decoded body: objects keyed by the engine's JSON field names */
  readonly value: unknown;
  /** derived facts, addressed as `$facts.<name>` */
  readonly facts: Readonly<Record<string, unknown>>;
  /** for list facts: the JSON pointer of the body field each element was read from (audit evidence) */
  readonly factPointers?: Readonly<Record<string, readonly string[]>>;
  /** pointers of keys the body has that are fields of no engine version sockgate knows (the engine ignores them) */
  readonly unknownKeys?: readonly string[];
}

export type BodyPredicate = (view: BodyView, current: unknown) => boolean;

/** Resolve a dotted path from `current` (or from the facts for `$facts.…`). */
export function resolveBodyPath(view: BodyView, current: unknown, path: string): unknown {
  if (path === '') return current;
  const parts = path.split('.');
  let v: unknown = current;
  if (parts[0] === '$facts') {
    v = view.facts;
    parts.shift();
  }
  for (const p of parts) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** Set: not absent or null, not false, "" or 0, and not an empty list or map. */
export function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0 || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && !(v instanceof Uint8Array)) return Object.keys(v).length > 0;
  return true;
}

/** Go's nil: absent or null. An empty list is not nil, and the engine may treat it differently (MaskedPaths: [] unmasks /proc). */
export function isNull(v: unknown): boolean {
  return v === undefined || v === null;
}

function asNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

function scalarEquals(v: unknown, want: BodyScalar): boolean {
  if (typeof want === 'number') {
    const n = asNumber(v);
    return n !== null && n === want;
  }
  if (want === null) return v === null || v === undefined;
  return v === want;
}

/** Lexically clean an absolute host path ("/a/../b//c/" → "/b/c"); null when it is not absolute. */
export function cleanHostPath(p: string): string | null {
  if (!p.startsWith('/')) return null;
  const cleaned = posix.normalize(p);
  return cleaned.length > 1 && cleaned.endsWith('/') ? cleaned.slice(0, -1) : cleaned;
}

/** Whether a cleaned absolute path equals, or lies under, one of the (absolute) prefixes. */
export function isUnderPrefix(cleaned: string | null, prefixes: readonly string[]): boolean {
  if (cleaned === null) return false;
  return prefixes.some((raw) => {
    const prefix = cleanHostPath(raw)!;
    return prefix === '/' || cleaned === prefix || cleaned.startsWith(prefix + '/');
  });
}

function underPrefix(value: unknown, prefixes: readonly string[]): boolean {
  return typeof value === 'string' && isUnderPrefix(cleanHostPath(value), prefixes);
}

/** Elements a quantifier ranges over: a list's items or a map's values; nothing for anything else. */
function elements(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === 'object') return Object.values(v as Record<string, unknown>);
  return [];
}

export function compileBodyCondition(c: BodyConditionDocument): BodyPredicate {
  const at = (view: BodyView, current: unknown): unknown => resolveBodyPath(view, current, c.path);
  if (c.equals !== undefined) {
    const want = c.equals;
    return (view, cur) => scalarEquals(at(view, cur), want);
  }
  if (c.oneOf !== undefined) {
    const list = c.oneOf;
    return (view, cur) => {
      const v = at(view, cur);
      return list.some((w) => scalarEquals(v, w));
    };
  }
  if (c.glob !== undefined) {
    const re = compileGlob(c.glob);
    return (view, cur) => {
      const v = at(view, cur);
      return typeof v === 'string' && re.test(v);
    };
  }
  if (c.exists !== undefined) {
    const want = c.exists;
    return (view, cur) => isSet(at(view, cur)) === want;
  }
  if (c.isNull !== undefined) {
    const want = c.isNull;
    return (view, cur) => isNull(at(view, cur)) === want;
  }
  if (c.pathPrefix !== undefined) {
    const prefixes = c.pathPrefix;
    return (view, cur) => underPrefix(at(view, cur), prefixes);
  }
  if (c.containerRef !== undefined) {
    const want = c.containerRef;
    return (view, cur) => {
      const v = at(view, cur);
      return (typeof v === 'string' && namesContainer(v)) === want;
    };
  }
  if (c.any !== undefined || c.all !== undefined || c.none !== undefined) {
    const kind = c.any !== undefined ? 'any' : c.all !== undefined ? 'all' : 'none';
    const inner = (c.any ?? c.all ?? c.none ?? []).map(compileBodyCondition);
    const holds = (view: BodyView, el: unknown): boolean => inner.every((p) => p(view, el));
    return (view, cur) => {
      const els = elements(at(view, cur));
      if (kind === 'any') return els.some((el) => holds(view, el));
      if (kind === 'all') return els.every((el) => holds(view, el));
      return !els.some((el) => holds(view, el));
    };
  }
  if (c.gte !== undefined || c.lte !== undefined) {
    const { gte, lte } = c;
    return (view, cur) => {
      const n = asNumber(at(view, cur));
      if (n === null) return false;
      return (gte === undefined || n >= gte) && (lte === undefined || n <= lte);
    };
  }
  throw new Error(`body condition on "${c.path}" has no matcher`);
}
