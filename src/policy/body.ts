/**
 * Body conditions compiled to predicates over a BodyView (inspect/body-view.ts): the request body
 * as the engine decodes it, plus derived facts under `$facts` (e.g. every host path a container
 * create would mount). Pure.
 */

import { posix } from 'node:path';
import type { BodyConditionDocument, BodyScalar } from './document.js';
import { compileGlob } from './glob.js';
import { namesContainer } from '../request/engine-values.js';
import { isNull, isSet, resolveBodyPath, type BodyView } from '../inspect/body-view.js';

export type BodyPredicate = (view: BodyView, current: unknown) => boolean;

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
