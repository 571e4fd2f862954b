/**
 * One rule of a policy: its id and effect, the request line it matches (methods, paths,
 * endpoints), and its conditions, each checked where it is written (load-conditions.ts,
 * load-body.ts). Problems are reported in the order of these checks, the same for every file.
 * Pure, like load.ts.
 */

import type { Node, YAMLMap } from 'yaml';
import { HTTP_METHODS, type Effect, type PolicyMethod, type RuleDocument } from './document.js';
import { compileGlob } from './glob.js';
import { validateAllowedFields, validateBodyConditions } from './load-body.js';
import { validateDockerfile, validateQuery, validateTarget } from './load-conditions.js';
import { endpointIdsMatching } from '../request/endpoint-match.js';
import type { EndpointId } from '../request/endpoints.js';
import { INSPECTABLE_ENDPOINTS } from '../inspect/inspectable.js';
import { TARGETED_ENDPOINTS } from '../request/targets.js';
import { entries, type Validator } from '../yaml-validator.js';

const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** The endpoint Dockerfile conditions apply to: the build, whose context carries the Dockerfile. */
const BUILD_ENDPOINTS: ReadonlySet<EndpointId> = new Set<EndpointId>(['images.build']);
const RULE_KEYS = ['id', 'effect', 'description', 'methods', 'paths', 'endpoints', 'query', 'fields', 'body', 'dockerfile', 'target'] as const;

/** A rule while it is being read from the policy (id and effect are added last). */
type RuleDraft = { -readonly [K in keyof RuleDocument]?: RuleDocument[K] };

/** A rule at `pointer`, or undefined when it had any problem (all of them are reported). */
export function validateRule(v: Validator, node: unknown, pointer: string, seenIds: Map<string, string>): RuleDocument | undefined {
  const map = v.map(node, pointer, RULE_KEYS);
  if (!map) return undefined;
  const fields = new Map(entries(map));
  const problemsBefore = v.problems.length;
  const id = validateRuleId(v, map, fields, pointer, seenIds);
  const effect = validateRuleEffect(v, map, fields, pointer);
  const rule: RuleDraft = {};

  if (fields.has('description')) {
    const d = v.string(fields.get('description'), `${pointer}/description`);
    if (d !== undefined) rule.description = d;
  }
  if (fields.has('methods')) {
    const methods = validateMethods(v, fields.get('methods'), `${pointer}/methods`);
    if (methods) rule.methods = methods;
  }
  if (fields.has('paths')) {
    const paths = validatePaths(v, fields.get('paths'), `${pointer}/paths`);
    if (paths) rule.paths = paths;
  }
  if (fields.has('endpoints')) {
    const endpoints = validateEndpoints(v, fields.get('endpoints'), `${pointer}/endpoints`);
    if (endpoints) rule.endpoints = endpoints;
  }
  if (!fields.has('paths') && !fields.has('endpoints')) {
    v.problem(map, pointer, 'a rule needs "paths" or "endpoints" (use paths: ["/**"] to match every path)');
  }
  if (fields.has('query')) {
    const query = validateQuery(v, fields.get('query'), `${pointer}/query`);
    if (query) rule.query = query;
  }
  validateConditions(v, map, fields, pointer, effect, rule);

  if (v.problems.length !== problemsBefore || id === undefined || effect === undefined) return undefined;
  return { ...rule, id, effect };
}

/** The rule's `id`: required, well-formed, and not used by an earlier rule (recorded in `seenIds`). */
function validateRuleId(v: Validator, map: YAMLMap<unknown, unknown>, fields: Map<string, unknown>, pointer: string, seenIds: Map<string, string>): string | undefined {
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
  return id;
}

/** The rule's `effect`: required, allow or deny. */
function validateRuleEffect(v: Validator, map: YAMLMap<unknown, unknown>, fields: Map<string, unknown>, pointer: string): Effect | undefined {
  let effect: Effect | undefined;
  if (!fields.has('effect')) v.problem(map, pointer, 'every rule needs an "effect": allow or deny');
  else {
    const e = v.string(fields.get('effect'), `${pointer}/effect`, '"allow" or "deny"');
    if (e === 'allow' || e === 'deny') effect = e;
    else if (e !== undefined) v.problem(fields.get('effect') as Node, `${pointer}/effect`, `effect must be "allow" or "deny", not "${e}"`);
  }
  return effect;
}

/** `methods: [GET, …]`: known HTTP methods, upper case (the unknown ones are reported and left out). */
function validateMethods(v: Validator, node: unknown, pointer: string): PolicyMethod[] | undefined {
  const list = v.strings(node, pointer);
  if (!list) return undefined;
  const methods: PolicyMethod[] = [];
  for (const m of list) {
    if ((HTTP_METHODS as readonly string[]).includes(m.value)) methods.push(m.value as PolicyMethod);
    else v.problem(m.node, m.pointer, `unknown method "${m.value}"; use one of ${HTTP_METHODS.join(', ')} (upper case)`);
  }
  return methods;
}

/** `paths: [GLOB, …]`: globs over the path without its /vX.Y prefix. */
function validatePaths(v: Validator, node: unknown, pointer: string): string[] | undefined {
  const list = v.strings(node, pointer);
  if (!list) return undefined;
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
  return list.map((p) => p.value);
}

/** `endpoints: [ID or pattern, …]`: each must name at least one endpoint of the table. */
function validateEndpoints(v: Validator, node: unknown, pointer: string): string[] | undefined {
  const list = v.strings(node, pointer);
  if (!list) return undefined;
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
  return list.map((e) => e.value);
}

/**
 * The conditions only some endpoints can be decided on (`body`, `fields`, `dockerfile`,
 * `target`), each set on `rule` when sound and each requiring endpoints that can decide it.
 */
function validateConditions(v: Validator, map: YAMLMap<unknown, unknown>, fields: Map<string, unknown>, pointer: string, effect: Effect | undefined, rule: RuleDraft): void {
  const decoded = {
    kind: 'endpoints whose body sockgate decodes',
    list: ` (decoded: ${[...INSPECTABLE_ENDPOINTS].join(', ')})`,
  };
  if (fields.has('body')) {
    const body = validateBodyConditions(v, fields.get('body'), `${pointer}/body`, 0);
    if (body) rule.body = body;
    requireEndpointsIn(v, map, fields, rule.endpoints, pointer, INSPECTABLE_ENDPOINTS, { what: 'body conditions', ...decoded });
  }
  if (fields.has('fields')) {
    const allowed = validateAllowedFields(v, fields.get('fields'), `${pointer}/fields`, rule.endpoints ?? [], effect);
    if (allowed) rule.fields = allowed;
    requireEndpointsIn(v, map, fields, rule.endpoints, pointer, INSPECTABLE_ENDPOINTS, { what: 'an allow-list of fields', ...decoded });
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
