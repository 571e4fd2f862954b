/**
 * Parse a policy file (YAML) and validate it against the closed schema, collecting every problem
 * with file:line:col and a JSON pointer. Pure: takes text, returns a PolicyDocument or problems.
 */

import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import {
  HTTP_METHODS,
  type BodyConditionDocument,
  type BodyScalar,
  type Effect,
  type PolicyDocument,
  type PolicyMethod,
  type PolicyMode,
  type RuleDocument,
  type ValueMatcherDocument,
  type TargetConditionsDocument,
} from './document.js';
import { compileGlob } from './glob.js';
import { endpointIdsMatching } from '../request/endpoint-match.js';
import type { EndpointId } from '../request/endpoints.js';
import { INSPECTABLE_ENDPOINTS } from '../inspect/inspectable.js';
import { fieldAt } from '../inspect/allow-list.js';
import { bodySchemaOf } from '../inspect/schemas/index.js';
import { TARGETED_ENDPOINTS } from '../request/targets.js';
import { REDACTABLE_ENDPOINTS } from './redact.js';
import { entries, parseYaml, type PolicyProblem, type Validator } from '../yaml-validator.js';

export type LoadResult =
  | { readonly ok: true; readonly document: PolicyDocument }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MATCHER_KEYS = ['equals', 'oneOf', 'glob', 'exists', 'truthy', 'pathPrefix', 'registry', 'containerRef'] as const;

/**
 * A pattern over a container reference is no check of it: the engine resolves `container:X` by a
 * full id, a name with or without its leading "/", or any unique id prefix (daemon.GetContainer),
 * so `container:*` misses `container:/db` and `container:web` misses `container:3f2a`. Such
 * patterns are refused where they are written; `containerRef` asks the question the engine answers.
 */
function refuseContainerPattern(v: Validator, node: unknown, pointer: string, values: readonly unknown[]): void {
  if (!values.some((x) => typeof x === 'string' && x.includes('container:'))) return;
  v.problem(
    node as Node,
    pointer,
    'a pattern over "container:…" cannot check which container is named: the engine also reads container:/NAME and any id prefix. Use containerRef: true (the value names another container) or containerRef: false',
  );
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Conditions that only some endpoints can be decided on (body, target) need the rule to name its
 * targets by endpoint id, all of them in `allowed`.
 */
function requireEndpointsIn(
  v: Validator,
  map: YAMLMap<unknown, unknown>,
  fields: Map<string, unknown>,
  endpoints: readonly string[] | undefined,
  pointer: string,
  allowed: ReadonlySet<EndpointId>,
  words: { what: string; kind: string; list: string },
): void {
  if (fields.has('paths')) {
    v.problem(fields.get('paths') as Node, `${pointer}/paths`, `a rule with ${words.what} must name its endpoints with "endpoints", not "paths"`);
  }
  if (!fields.has('endpoints')) {
    v.problem(map, pointer, `a rule with ${words.what} needs "endpoints" naming ${words.kind}`);
    return;
  }
  for (const pattern of endpoints ?? []) {
    let ids: readonly EndpointId[] = [];
    try {
      ids = endpointIdsMatching(pattern);
    } catch {
      continue; // already reported
    }
    const outside = ids.filter((id) => !allowed.has(id));
    if (outside.length > 0) {
      v.problem(fields.get('endpoints') as Node, `${pointer}/endpoints`, `${words.what} need ${words.kind}; "${pattern}" names ${outside.slice(0, 3).join(', ')}${outside.length > 3 ? ', ...' : ''}${words.list}`);
    }
  }
}

/** `target: { name, image, labels: { KEY: matcher } }`: conditions on the container acted on. */
function validateTarget(v: Validator, node: unknown, pointer: string): TargetConditionsDocument | undefined {
  const map = v.map(node, pointer, TARGET_KEYS);
  if (!map) return undefined;
  const fields = new Map(entries(map));
  if (fields.size === 0) {
    v.problem(map, pointer, 'expected at least one of: name, image, labels');
    return undefined;
  }
  const out: { -readonly [K in keyof TargetConditionsDocument]?: TargetConditionsDocument[K] } = {};
  for (const key of ['name', 'image'] as const) {
    if (!fields.has(key)) continue;
    const m = validateMatcher(v, fields.get(key), `${pointer}/${key}`);
    if (m) out[key] = m;
  }
  if (fields.has('labels')) {
    const lnode = fields.get('labels');
    if (!isMap(lnode) || lnode.items.length === 0) v.problem(lnode as Node, `${pointer}/labels`, 'expected a non-empty mapping of label name to matcher');
    else {
      const labels: Record<string, ValueMatcherDocument> = {};
      for (const pair of lnode.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key !== 'string' || key === '') {
          v.problem(pair.key as Node, `${pointer}/labels`, 'label names must be non-empty strings');
          continue;
        }
        const m = validateMatcher(v, pair.value, `${pointer}/labels/${escapePointer(key)}`);
        if (m) labels[key] = m;
      }
      out.labels = labels;
    }
  }
  return out;
}

/** `redact: [{ endpoints: [containers.inspect], fields: [Config.Env] }]` */
function validateRedact(v: Validator, node: unknown, pointer: string): PolicyDocument['redact'] {
  if (!isSeq(node) || node.items.length === 0) {
    v.problem(node as Node, pointer, 'expected a non-empty list of { endpoints, fields }');
    return undefined;
  }
  const out: { endpoints: string[]; fields: string[] }[] = [];
  node.items.forEach((item, i) => {
    const p = `${pointer}/${i}`;
    const map = v.map(item, p, ['endpoints', 'fields']);
    if (!map) return;
    const f = new Map(entries(map));
    if (!f.has('endpoints') || !f.has('fields')) {
      v.problem(map, p, 'a redaction needs "endpoints" and "fields"');
      return;
    }
    const endpoints = v.strings(f.get('endpoints'), `${p}/endpoints`) ?? [];
    for (const e of endpoints) {
      if (!REDACTABLE_ENDPOINTS.has(e.value)) {
        v.problem(e.node, e.pointer, `"${e.value}" is not an endpoint whose answer sockgate can redact (${[...REDACTABLE_ENDPOINTS].join(', ')})`);
      }
    }
    const fieldPaths = v.strings(f.get('fields'), `${p}/fields`) ?? [];
    for (const x of fieldPaths) {
      if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(x.value)) v.problem(x.node, x.pointer, `"${x.value}" is not a dotted field path such as Config.Env`);
    }
    out.push({ endpoints: endpoints.map((e) => e.value), fields: fieldPaths.map((x) => x.value) });
  });
  return out;
}

/** A non-empty list of absolute paths without "." or ".." segments. */
function validatePathPrefixes(v: Validator, value: unknown, pointer: string): string[] | undefined {
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

function validateMatcher(v: Validator, node: unknown, pointer: string): ValueMatcherDocument | undefined {
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

const BODY_MATCHERS = ['equals', 'oneOf', 'glob', 'exists', 'isNull', 'gte', 'lte', 'pathPrefix', 'containerRef', 'any', 'all', 'none'] as const;
const BODY_KEYS = ['path', ...BODY_MATCHERS] as const;
const BODY_PATH = /^(\$facts|[A-Za-z0-9_-]+)(\.[A-Za-z0-9_-]+)*$/;
const MAX_BODY_DEPTH = 8;

function isScalarValue(v: unknown): v is BodyScalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function validateBodyConditions(v: Validator, node: unknown, pointer: string, depth: number): BodyConditionDocument[] | undefined {
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

function validateBodyCondition(v: Validator, node: unknown, pointer: string, depth: number): BodyConditionDocument | undefined {
  const map = v.map(node, pointer, BODY_KEYS);
  if (!map) return undefined;
  const fields = new Map(entries(map));
  const before = v.problems.length;
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
  const present = [...fields.keys()].filter((k) => k !== 'path');
  const bounds = present.every((k) => k === 'gte' || k === 'lte');
  if (present.length === 0 || (present.length > 1 && !bounds)) {
    v.problem(map, pointer, `a body condition needs exactly one of: ${BODY_MATCHERS.join(', ')} (gte and lte may be combined)`);
    return undefined;
  }
  const cond: { -readonly [K in keyof BodyConditionDocument]?: BodyConditionDocument[K] } = { path };
  for (const key of present) {
    const value = fields.get(key);
    const p = `${pointer}/${key}`;
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
        const g = v.string(value, p);
        if (g !== undefined) {
          refuseContainerPattern(v, value, p, [g]);
          try {
            compileGlob(g);
            cond.glob = g;
          } catch (err) {
            v.problem(value as Node, p, `invalid glob "${g}": ${(err as Error).message}`);
          }
        }
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
  return v.problems.length === before ? (cond as BodyConditionDocument) : undefined;
}

/** A list of registry hosts as image references name them: host[:port], [ipv6]:port, or docker.io. */
function validateRegistries(v: Validator, node: unknown, pointer: string): string[] | undefined {
  const list = v.strings(node, pointer);
  if (list === undefined) return undefined;
  for (const h of list) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)(:[0-9]{1,5})?$/.test(h.value)) {
      v.problem(h.node, h.pointer, `"${h.value}" is not a registry host as an image reference names it (host, host:port or [ipv6]:port; Docker Hub is docker.io)`);
    }
  }
  return list.map((x) => x.value);
}

/** `dockerfile: { registries: [...] }` on an allow rule for images.build. */
function validateDockerfile(v: Validator, node: unknown, pointer: string, effect: Effect | undefined): { registries: string[] } | undefined {
  const map = v.map(node, pointer, ['registries']);
  if (!map) return undefined;
  if (effect === 'deny') v.problem(map, pointer, '"dockerfile" says what an allowed build may fetch; a deny rule cannot have one');
  const fields = new Map(entries(map));
  if (!fields.has('registries')) {
    v.problem(map, pointer, '"dockerfile" needs "registries": the registries FROM and COPY --from images may come from');
    return undefined;
  }
  const registries = validateRegistries(v, fields.get('registries'), `${pointer}/registries`);
  return registries === undefined ? undefined : { registries };
}

/**
 * `fields: [PATH, …]` on an allow rule: the body fields a client may set, every other one holding
 * its default (inspect/allow-list.ts). Each path must name a field of every named endpoint's
 * body in some engine version sockgate knows.
 */
function validateAllowedFields(v: Validator, node: unknown, pointer: string, endpoints: readonly string[], effect: Effect | undefined): string[] | undefined {
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

/** The endpoint Dockerfile conditions apply to: the build, whose context carries the Dockerfile. */
const BUILD_ENDPOINTS: ReadonlySet<EndpointId> = new Set<EndpointId>(['images.build']);
const RULE_KEYS = ['id', 'effect', 'description', 'methods', 'paths', 'endpoints', 'query', 'fields', 'body', 'dockerfile', 'target'] as const;
const TARGET_KEYS = ['name', 'image', 'labels'] as const;

function validateRule(v: Validator, node: unknown, pointer: string, seenIds: Map<string, string>): RuleDocument | undefined {
  const map = v.map(node, pointer, RULE_KEYS);
  if (!map) return undefined;
  const fields = new Map(entries(map));
  const problemsBefore = v.problems.length;

  let id: string | undefined;
  if (!fields.has('id')) v.problem(map, pointer, 'every rule needs an "id"');
  else {
    id = v.string(fields.get('id'), `${pointer}/id`);
    if (id !== undefined && !RULE_ID.test(id)) {
      v.problem(fields.get('id') as Node, `${pointer}/id`, `rule id "${id}" must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit`);
    } else if (id !== undefined) {
      const earlier = seenIds.get(id);
      if (earlier !== undefined) v.problem(fields.get('id') as Node, `${pointer}/id`, `duplicate rule id "${id}" (first used at ${earlier})`);
      else seenIds.set(id, pointer);
    }
  }

  let effect: Effect | undefined;
  if (!fields.has('effect')) v.problem(map, pointer, 'every rule needs an "effect": allow or deny');
  else {
    const e = v.string(fields.get('effect'), `${pointer}/effect`, '"allow" or "deny"');
    if (e === 'allow' || e === 'deny') effect = e;
    else if (e !== undefined) v.problem(fields.get('effect') as Node, `${pointer}/effect`, `effect must be "allow" or "deny", not "${e}"`);
  }

  const rule: {
    -readonly [K in keyof RuleDocument]?: RuleDocument[K];
  } = {};

  if (fields.has('description')) {
    const d = v.string(fields.get('description'), `${pointer}/description`);
    if (d !== undefined) rule.description = d;
  }

  if (fields.has('methods')) {
    const list = v.strings(fields.get('methods'), `${pointer}/methods`);
    if (list) {
      const methods: PolicyMethod[] = [];
      for (const m of list) {
        if ((HTTP_METHODS as readonly string[]).includes(m.value)) methods.push(m.value as PolicyMethod);
        else v.problem(m.node, m.pointer, `unknown method "${m.value}"; use one of ${HTTP_METHODS.join(', ')} (upper case)`);
      }
      rule.methods = methods;
    }
  }

  if (fields.has('paths')) {
    const list = v.strings(fields.get('paths'), `${pointer}/paths`);
    if (list) {
      for (const p of list) {
        if (!p.value.startsWith('/')) {
          v.problem(p.node, p.pointer, `path glob "${p.value}" must start with "/" (it matches the path without the /vX.Y prefix)`);
          continue;
        }
        if (/^\/v[0-9.]+(\/|$)/.test(p.value)) {
          v.problem(p.node, p.pointer, `path glob "${p.value}" starts with a version prefix; globs match the path without it, so leave it out`);
          continue;
        }
        try {
          compileGlob(p.value);
        } catch (err) {
          v.problem(p.node, p.pointer, `invalid glob "${p.value}": ${(err as Error).message}`);
        }
      }
      rule.paths = list.map((p) => p.value);
    }
  }

  if (fields.has('endpoints')) {
    const list = v.strings(fields.get('endpoints'), `${pointer}/endpoints`);
    if (list) {
      for (const e of list) {
        let matched: readonly string[] = [];
        try {
          matched = endpointIdsMatching(e.value);
        } catch (err) {
          v.problem(e.node, e.pointer, `invalid endpoint pattern "${e.value}": ${(err as Error).message}`);
          continue;
        }
        if (matched.length === 0) {
          v.problem(e.node, e.pointer, `"${e.value}" names no known endpoint (see the endpoint table in README)`);
        }
      }
      rule.endpoints = list.map((e) => e.value);
    }
  }

  if (!fields.has('paths') && !fields.has('endpoints')) {
    v.problem(map, pointer, 'a rule needs "paths" or "endpoints" (use paths: ["/**"] to match every path)');
  }

  if (fields.has('query')) {
    const qnode = fields.get('query');
    const qpointer = `${pointer}/query`;
    if (!isMap(qnode) || qnode.items.length === 0) {
      v.problem(qnode as Node, qpointer, 'expected a non-empty mapping of parameter name to matcher');
    } else {
      const query: Record<string, ValueMatcherDocument> = {};
      for (const pair of qnode.items) {
        const name = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof name !== 'string' || name === '') {
          v.problem(pair.key as Node, qpointer, 'query parameter names must be non-empty strings');
          continue;
        }
        const m = validateMatcher(v, pair.value, `${qpointer}/${escapePointer(name)}`);
        if (m) query[name] = m;
      }
      rule.query = query;
    }
  }

  if (fields.has('body')) {
    const body = validateBodyConditions(v, fields.get('body'), `${pointer}/body`, 0);
    if (body) rule.body = body;
    requireEndpointsIn(v, map, fields, rule.endpoints, pointer, INSPECTABLE_ENDPOINTS, {
      what: 'body conditions',
      kind: 'endpoints whose body sockgate decodes',
      list: ` (decoded: ${[...INSPECTABLE_ENDPOINTS].join(', ')})`,
    });
  }

  if (fields.has('fields')) {
    const allowed = validateAllowedFields(v, fields.get('fields'), `${pointer}/fields`, rule.endpoints ?? [], effect);
    if (allowed) rule.fields = allowed;
    requireEndpointsIn(v, map, fields, rule.endpoints, pointer, INSPECTABLE_ENDPOINTS, {
      what: 'an allow-list of fields',
      kind: 'endpoints whose body sockgate decodes',
      list: ` (decoded: ${[...INSPECTABLE_ENDPOINTS].join(', ')})`,
    });
  }

  if (fields.has('dockerfile')) {
    const dockerfile = validateDockerfile(v, fields.get('dockerfile'), `${pointer}/dockerfile`, effect);
    if (dockerfile) rule.dockerfile = dockerfile;
    requireEndpointsIn(v, map, fields, rule.endpoints, pointer, BUILD_ENDPOINTS, { what: 'Dockerfile conditions', kind: 'the build endpoint (images.build)', list: '' });
  }

  if (fields.has('target')) {
    const target = validateTarget(v, fields.get('target'), `${pointer}/target`);
    if (target) rule.target = target;
    requireEndpointsIn(v, map, fields, rule.endpoints, pointer, TARGETED_ENDPOINTS, { what: 'target conditions', kind: 'endpoints that act on one container', list: '' });
  }

  if (v.problems.length !== problemsBefore || id === undefined || effect === undefined) return undefined;
  return { ...rule, id, effect };
}

/** An inline policy (a profile in a config file): the keys of a policy file without `version`. */
export const INLINE_POLICY_KEYS = ['name', 'description', 'mode', 'default', 'scope', 'ownership', 'redact', 'rules'] as const;
const TOP_KEYS = ['version', ...INLINE_POLICY_KEYS] as const;

/**
 * Validate a policy mapping (a policy file's root, or an inline profile in a config file, which
 * has no `version`). Problems go to `v`; the document is returned when this mapping had none.
 */
export function validatePolicyMap(v: Validator, node: unknown, pointer: string, inline: boolean): PolicyDocument | undefined {
  const problemsBefore = v.problems.length;
  const root = v.map(node, pointer, inline ? INLINE_POLICY_KEYS : TOP_KEYS);
  if (!root) return undefined;
  const fields = new Map(entries(root));

  if (!inline) {
    if (!fields.has('version')) v.problem(root, pointer, 'missing "version: 1"');
    else {
      const ver = fields.get('version');
      if (!(isScalar(ver) && ver.value === 1)) v.problem(ver as Node, `${pointer}/version`, 'only "version: 1" is supported');
    }
  }

  let name: string | undefined;
  if (fields.has('name')) name = v.string(fields.get('name'), `${pointer}/name`);
  let description: string | undefined;
  if (fields.has('description')) description = v.string(fields.get('description'), `${pointer}/description`);

  let mode: PolicyMode | undefined;
  if (fields.has('mode')) {
    const m = v.string(fields.get('mode'), `${pointer}/mode`, '"enforce" or "audit"');
    if (m === 'enforce' || m === 'audit') mode = m;
    else if (m !== undefined) v.problem(fields.get('mode') as Node, `${pointer}/mode`, `mode must be "enforce" or "audit" (allow everything, record what would be denied), not "${m}"`);
  }

  let def: Effect = 'deny';
  if (fields.has('default')) {
    const d = v.string(fields.get('default'), `${pointer}/default`, '"allow" or "deny"');
    if (d === 'allow' || d === 'deny') def = d;
    else if (d !== undefined) v.problem(fields.get('default') as Node, `${pointer}/default`, `default must be "allow" or "deny", not "${d}"`);
  }

  let scope: PolicyDocument['scope'];
  if (fields.has('scope')) {
    const snode = v.map(fields.get('scope'), `${pointer}/scope`, ['containers']);
    const sfields = snode ? new Map(entries(snode)) : new Map<string, unknown>();
    if (snode && !sfields.has('containers')) v.problem(snode, `${pointer}/scope`, 'expected "containers" (conditions like a rule\'s target: name, image, labels)');
    else if (snode) {
      const containers = validateTarget(v, sfields.get('containers'), `${pointer}/scope/containers`);
      if (containers) scope = { containers };
    }
  }

  let ownership: boolean | undefined;
  if (fields.has('ownership')) ownership = v.bool(fields.get('ownership'), `${pointer}/ownership`);

  let redact: PolicyDocument['redact'];
  if (fields.has('redact')) redact = validateRedact(v, fields.get('redact'), `${pointer}/redact`);

  const rules: RuleDocument[] = [];
  if (!fields.has('rules')) v.problem(root, pointer, 'missing "rules" (a list; it may be empty)');
  else {
    const seq = fields.get('rules');
    if (!isSeq(seq)) v.problem(seq as Node, `${pointer}/rules`, 'expected a list of rules');
    else {
      const seen = new Map<string, string>();
      seq.items.forEach((item, i) => {
        const r = validateRule(v, item, `${pointer}/rules/${i}`, seen);
        if (r) rules.push(r);
      });
    }
  }

  if (v.problems.length !== problemsBefore) return undefined;
  return {
    version: 1,
    default: def,
    rules,
    ...(name !== undefined ? { name } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(mode !== undefined ? { mode } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(ownership !== undefined ? { ownership } : {}),
    ...(redact !== undefined ? { redact } : {}),
  };
}

/** Parse and validate a policy. `file` is used only to label problems. */
export function loadPolicyText(text: string, file: string): LoadResult {
  const { doc, v } = parseYaml(text, file);
  if (v.problems.length > 0) return { ok: false, problems: v.problems };
  const document = validatePolicyMap(v, doc.contents, '', false);
  if (document === undefined || v.problems.length > 0) return { ok: false, problems: v.problems };
  return { ok: true, document };
}
