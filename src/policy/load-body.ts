/**
 * What a rule says about a request body: `body` conditions (a path into the decoded body and one
 * matcher, nested under any/all/none) and `fields`, the allow-list of body fields a client may
 * set. Pure, like load.ts.
 */

import { isScalar, isSeq, type Node } from 'yaml';
import type { BodyConditionDocument, BodyScalar, Effect } from './document.js';
import { compileGlob } from './glob.js';
import { refuseContainerPattern, validatePathPrefixes } from './load-matcher.js';
import { endpointIdsMatching } from '../request/endpoint-match.js';
import { fieldAt } from '../inspect/allow-list.js';
import { bodySchemaOf } from '../inspect/schemas/index.js';
import { entries, type Validator } from '../yaml-validator.js';

const BODY_MATCHERS = ['equals', 'oneOf', 'glob', 'exists', 'isNull', 'gte', 'lte', 'pathPrefix', 'containerRef', 'any', 'all', 'none'] as const;
const BODY_KEYS = ['path', ...BODY_MATCHERS] as const;
const BODY_PATH = /^(\$facts|[A-Za-z0-9_-]+)(\.[A-Za-z0-9_-]+)*$/;
const MAX_BODY_DEPTH = 8;

/** A body condition while it is being read from the policy. */
type BodyConditionDraft = { -readonly [K in keyof BodyConditionDocument]?: BodyConditionDocument[K] };

function isScalarValue(v: unknown): v is BodyScalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** A non-empty list of body conditions, nested at most MAX_BODY_DEPTH levels deep. */
export function validateBodyConditions(v: Validator, node: unknown, pointer: string, depth: number): BodyConditionDocument[] | undefined {
  if (depth > MAX_BODY_DEPTH) {
    v.problem(node as Node, pointer, `body conditions nest deeper than ${MAX_BODY_DEPTH} levels`);
    return undefined;
  }
  if (!isSeq(node) || node.items.length === 0) {
    v.problem(node as Node, pointer, 'expected a non-empty list of body conditions ({ path: ..., <matcher>: ... })');
    return undefined;
  }
  const out: BodyConditionDocument[] = [];
  node.items.forEach((item, i) => {
    const c = validateBodyCondition(v, item, `${pointer}/${i}`, depth);
    if (c) out.push(c);
  });
  return out.length === node.items.length ? out : undefined;
}

/** One body condition: a path and exactly one matcher (gte and lte may go together). */
function validateBodyCondition(v: Validator, node: unknown, pointer: string, depth: number): BodyConditionDocument | undefined {
  const map = v.map(node, pointer, BODY_KEYS);
  if (!map) return undefined;
  const fields = new Map(entries(map));
  const before = v.problems.length;
  const path = validateBodyPath(v, map, fields, pointer);
  const present = [...fields.keys()].filter((k) => k !== 'path');
  const bounds = present.every((k) => k === 'gte' || k === 'lte');
  if (present.length === 0 || (present.length > 1 && !bounds)) {
    v.problem(map, pointer, `a body condition needs exactly one of: ${BODY_MATCHERS.join(', ')} (gte and lte may be combined)`);
    return undefined;
  }
  const cond: BodyConditionDraft = { path };
  for (const key of present) setBodyMatcher(v, cond, key, fields.get(key), `${pointer}/${key}`, depth);
  return v.problems.length === before ? (cond as BodyConditionDocument) : undefined;
}

/** The `path` of a body condition ("" when it is missing or wrong; the problem is reported). */
function validateBodyPath(v: Validator, map: Node, fields: Map<string, unknown>, pointer: string): string {
  let path = '';
  if (!fields.has('path')) v.problem(map, pointer, 'a body condition needs a "path" (dotted engine field names, e.g. HostConfig.Privileged; "" inside any/all/none for the element itself)');
  else {
    const p = v.string(fields.get('path'), `${pointer}/path`);
    if (p !== undefined) {
      // "" is the body itself (e.g. the privilege list of a plugin pull), or the element inside any/all/none.
      if (p !== '' && !BODY_PATH.test(p)) {
        v.problem(fields.get('path') as Node, `${pointer}/path`, `"${p}" is not a dotted field path such as HostConfig.Binds`);
      }
      path = p;
    }
  }
  return path;
}

/** Check the matcher `key` of a body condition and, when it is sound, set it on `cond`. */
function setBodyMatcher(v: Validator, cond: BodyConditionDraft, key: string, value: unknown, p: string, depth: number): void {
  switch (key) {
    case 'equals':
      if (isScalar(value) && isScalarValue(value.value)) {
        cond.equals = value.value;
        refuseContainerPattern(v, value, p, [value.value]);
      } else v.problem(value as Node, p, 'expected a string, number, boolean or null');
      break;
    case 'oneOf':
      if (isSeq(value) && value.items.length > 0 && value.items.every((x) => isScalar(x) && isScalarValue(x.value))) {
        cond.oneOf = value.items.map((x) => (x as { value: BodyScalar }).value);
        refuseContainerPattern(v, value, p, cond.oneOf);
      } else v.problem(value as Node, p, 'expected a non-empty list of strings, numbers, booleans or null');
      break;
    case 'glob': {
      const g = validateBodyGlob(v, value, p);
      if (g !== undefined) cond.glob = g;
      break;
    }
    case 'exists':
    case 'isNull':
    case 'containerRef': {
      const b = v.bool(value, p);
      if (b !== undefined) cond[key] = b;
      break;
    }
    case 'gte':
    case 'lte':
      if (isScalar(value) && typeof value.value === 'number' && Number.isFinite(value.value)) cond[key] = value.value;
      else v.problem(value as Node, p, 'expected a number');
      break;
    case 'pathPrefix': {
      const list = validatePathPrefixes(v, value, p);
      if (list) cond.pathPrefix = list;
      break;
    }
    case 'any':
    case 'all':
    case 'none': {
      const nested = validateBodyConditions(v, value, p, depth + 1);
      if (nested) cond[key] = nested;
      break;
    }
    default:
      break;
  }
}

/** A body condition's glob: a string, no pattern over container references, and one that compiles. */
function validateBodyGlob(v: Validator, value: unknown, p: string): string | undefined {
  const g = v.string(value, p);
  if (g === undefined) return undefined;
  refuseContainerPattern(v, value, p, [g]);
  try {
    compileGlob(g);
    return g;
  } catch (err) {
    v.problem(value as Node, p, `invalid glob "${g}": ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * `fields: [PATH, …]` on an allow rule: the body fields a client may set, every other one holding
 * its default (inspect/allow-list.ts). Each path must name a field of every named endpoint's
 * body in some engine version sockgate knows.
 */
export function validateAllowedFields(v: Validator, node: unknown, pointer: string, endpoints: readonly string[], effect: Effect | undefined): string[] | undefined {
  // `fields: []` is a list too: the body may set nothing.
  const list = isSeq(node) && node.items.length === 0 ? [] : v.strings(node, pointer);
  if (!list) return undefined;
  if (effect === 'deny') v.problem(node as Node, pointer, '"fields" lists what an allow rule lets a client set; a deny rule cannot have one (write its conditions under "body")');
  const ids = endpoints.flatMap((e) => {
    try {
      return endpointIdsMatching(e).filter((id) => bodySchemaOf(id) !== undefined);
    } catch {
      return [];
    }
  });
  for (const item of list) {
    if (item.value === '' || item.value.startsWith('.') || item.value.endsWith('.') || item.value.includes('..')) {
      v.problem(item.node, item.pointer, `"${item.value}" is not a dotted field path (engine JSON field names, "*" for every element of a list or map)`);
      continue;
    }
    for (const id of ids) {
      const at = fieldAt(bodySchemaOf(id)!, item.value);
      if (!at.ok) v.problem(item.node, item.pointer, `"${item.value}" names no field of the ${id} body: ${at.reason}`);
    }
  }
  return list.map((i) => i.value);
}
