/**
 * The conditions of a rule that are neither its request line nor its body: `query` (matchers per
 * parameter), `target` (the container acted on; also a policy's `scope`) and `dockerfile` (what an
 * allowed build may fetch). Pure, like load.ts.
 */

import { isMap, isScalar, type Node } from 'yaml';
import type { Effect, TargetConditionsDocument, ValueMatcherDocument } from './document.js';
import { escapePointer, validateMatcher, validateRegistries } from './load-matcher.js';
import { entries, type Validator } from '../yaml-validator.js';

const TARGET_KEYS = ['name', 'image', 'labels'] as const;

/** `target: { name, image, labels: { KEY: matcher } }`: conditions on the container acted on. */
export function validateTarget(v: Validator, node: unknown, pointer: string): TargetConditionsDocument | undefined {
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

/** `query: { PARAM: matcher }`: a non-empty mapping of query parameter name to matcher. */
export function validateQuery(v: Validator, qnode: unknown, qpointer: string): Record<string, ValueMatcherDocument> | undefined {
  if (!isMap(qnode) || qnode.items.length === 0) {
    v.problem(qnode as Node, qpointer, 'expected a non-empty mapping of parameter name to matcher');
    return undefined;
  }
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
  return query;
}

/** `dockerfile: { registries: [...] }` on an allow rule for images.build. */
export function validateDockerfile(v: Validator, node: unknown, pointer: string, effect: Effect | undefined): { registries: string[] } | undefined {
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
