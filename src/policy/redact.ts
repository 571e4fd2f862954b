/**
 * Response scrubbing: fields a policy redacts from the engine's JSON answers (e.g. Config.Env of
 * container inspect), so discovery tools do not see secrets. Pure.
 */

import { endpointsWith, type EndpointIdSet } from '../request/endpoints.js';

/** Endpoints whose answer is one JSON object (inspect) or a list of them, which may be redacted (EndpointSpec.redactable). */
export const REDACTABLE_ENDPOINTS: EndpointIdSet = endpointsWith('redactable');

export const REDACTED = '[redacted]';

/**
 * A redacted value keeps its shape: strings become "[redacted]" ("KEY=value" entries of an
 * environment keep their KEY), lists and maps are redacted element by element, other values
 * (numbers, booleans, null) are kept.
 */
export function redactValue(v: unknown): unknown {
  if (typeof v === 'string') {
    const eq = v.indexOf('=');
    return eq > 0 ? `${v.slice(0, eq + 1)}${REDACTED}` : REDACTED;
  }
  if (Array.isArray(v)) return v.map(redactValue);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactValue(x)]));
  return v;
}

function redactPath(v: unknown, path: readonly string[]): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const [head, ...rest] = path;
  if (head === undefined || !Object.hasOwn(v, head)) return v;
  const obj = v as Record<string, unknown>;
  return { ...obj, [head]: rest.length === 0 ? redactValue(obj[head]) : redactPath(obj[head], rest) };
}

/** Redact each dotted path in an answer (in each element when the answer is a list). */
export function redactAnswer(answer: unknown, paths: readonly (readonly string[])[]): unknown {
  const one = (x: unknown): unknown => paths.reduce((acc, p) => redactPath(acc, p), x);
  return Array.isArray(answer) ? answer.map(one) : one(answer);
}
