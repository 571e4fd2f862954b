/**
 * Value matchers of a policy (`{ equals | oneOf | glob | ... : ... }` on query parameters and
 * target labels) and the checks body conditions share with them: absolute path prefixes,
 * registry hosts, and the refusal of patterns over container references. Pure, like load.ts.
 */

import { isSeq, type Node } from 'yaml';
import type { ValueMatcherDocument } from './document.js';
import { compileGlob } from './glob.js';
import { entries, type Validator } from '../yaml-validator.js';

const MATCHER_KEYS = ['equals', 'oneOf', 'glob', 'exists', 'truthy', 'pathPrefix', 'registry', 'containerRef'] as const;

/**
 * A pattern over a container reference is no check of it: the engine resolves `container:X` by a
 * full id, a name with or without its leading "/", or any unique id prefix (daemon.GetContainer),
 * so `container:*` misses `container:/db` and `container:web` misses `container:3f2a`. Such
 * patterns are refused where they are written; `containerRef` asks the question the engine answers.
 */
export function refuseContainerPattern(v: Validator, node: unknown, pointer: string, values: readonly unknown[]): void {
  if (!values.some((x) => typeof x === 'string' && x.includes('container:'))) return;
  v.problem(
    node as Node,
    pointer,
    'a pattern over "container:…" cannot check which container is named: the engine also reads container:/NAME and any id prefix. Use containerRef: true (the value names another container) or containerRef: false',
  );
}

/** A mapping key as one JSON pointer segment (RFC 6901: "~" and "/" escaped). */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A non-empty list of absolute paths without "." or ".." segments. */
export function validatePathPrefixes(v: Validator, value: unknown, pointer: string): string[] | undefined {
  if (!isSeq(value) || value.items.length === 0) {
    v.problem(value as Node, pointer, 'expected a non-empty list of absolute paths');
    return undefined;
  }
  const list = v.strings(value, pointer);
  if (list === undefined) return undefined;
  let ok = true;
  for (const item of list) {
    if (!item.value.startsWith('/') || item.value.split('/').some((seg) => seg === '.' || seg === '..')) {
      v.problem(item.node, item.pointer, `"${item.value}" must be an absolute path without "." or ".." segments`);
      ok = false;
    }
  }
  return ok ? list.map((x) => x.value) : undefined;
}

/** A matcher with exactly one of MATCHER_KEYS, checked for what that key takes. */
export function validateMatcher(v: Validator, node: unknown, pointer: string): ValueMatcherDocument | undefined {
  const map = v.map(node, pointer, MATCHER_KEYS);
  if (!map) return undefined;
  const present = entries(map).filter(([k]) => (MATCHER_KEYS as readonly string[]).includes(k));
  if (present.length !== 1) {
    v.problem(map, pointer, `a matcher needs exactly one of: ${MATCHER_KEYS.join(', ')}`);
    return undefined;
  }
  const [key, value] = present[0]!;
  const p = `${pointer}/${key}`;
  switch (key) {
    case 'equals': {
      const s = v.string(value, p);
      refuseContainerPattern(v, value, p, [s]);
      return s === undefined ? undefined : { equals: s };
    }
    case 'glob': {
      const s = v.string(value, p);
      if (s === undefined) return undefined;
      refuseContainerPattern(v, value, p, [s]);
      try {
        compileGlob(s);
      } catch (err) {
        v.problem(value as Node, p, `invalid glob "${s}": ${(err as Error).message}`);
        return undefined;
      }
      return { glob: s };
    }
    case 'oneOf': {
      if (!isSeq(value) || value.items.length === 0) {
        v.problem(value as Node, p, 'expected a non-empty list of strings');
        return undefined;
      }
      const list = v.strings(value, p);
      refuseContainerPattern(v, value, p, (list ?? []).map((x) => x.value));
      return list === undefined ? undefined : { oneOf: list.map((x) => x.value) };
    }
    case 'containerRef': {
      const b = v.bool(value, p);
      return b === undefined ? undefined : { containerRef: b };
    }
    case 'exists': {
      const b = v.bool(value, p);
      return b === undefined ? undefined : { exists: b };
    }
    case 'truthy': {
      const b = v.bool(value, p);
      return b === undefined ? undefined : { truthy: b };
    }
    case 'pathPrefix': {
      const list = validatePathPrefixes(v, value, p);
      return list === undefined ? undefined : { pathPrefix: list };
    }
    case 'registry': {
      const list = validateRegistries(v, value, p);
      return list === undefined ? undefined : { registry: list };
    }
    default:
      return undefined;
  }
}

/** A list of registry hosts as image references name them: host[:port], [ipv6]:port, or docker.io. */
export function validateRegistries(v: Validator, node: unknown, pointer: string): string[] | undefined {
  const list = v.strings(node, pointer);
  if (list === undefined) return undefined;
  for (const h of list) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)(:[0-9]{1,5})?$/.test(h.value)) {
      v.problem(h.node, h.pointer, `"${h.value}" is not a registry host as an image reference names it (host, host:port or [ipv6]:port; Docker Hub is docker.io)`);
    }
  }
  return list.map((x) => x.value);
}
