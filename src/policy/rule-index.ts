/**
 * The rules that can match a request, in file order, so that evaluate(), needsBody() and
 * needsTarget() skip the others. A rule can only match a request when it names the request's
 * endpoint or one of its path globs matches the path (targetMatches in evaluate.ts): the
 * candidates of an endpoint are built once per (policy, endpoint); the rules that only match by
 * path are kept when one combined test of all their path globs matches. The decision is exactly
 * that of scanning every rule (bench/README.md: a 500-rule policy in a fraction of the time).
 */

import type { EndpointId } from '../request/endpoints.js';
import { readsBody, type CompiledPolicy, type CompiledRule } from './compile.js';

export interface RuleCandidates {
  readonly deny: readonly CompiledRule[];
  readonly allow: readonly CompiledRule[];
  /** rules with body conditions */
  readonly body: readonly CompiledRule[];
  /** rules with target conditions */
  readonly target: readonly CompiledRule[];
}

interface EndpointCandidates {
  /** every rule that names the endpoint or has path globs */
  readonly all: RuleCandidates;
  /** the rules that name the endpoint */
  readonly named: RuleCandidates;
  /** matches a path when any path glob of a rule that does not name the endpoint does; null: none such */
  readonly byPath: RegExp | null;
}

const cache = new WeakMap<CompiledPolicy, Map<EndpointId | null, EndpointCandidates>>();

function pick(policy: CompiledPolicy, keep: (r: CompiledRule) => boolean): RuleCandidates {
  return Object.freeze({
    deny: policy.denyRules.filter(keep),
    allow: policy.allowRules.filter(keep),
    body: policy.rules.filter((r) => readsBody(r) && keep(r)),
    target: policy.rules.filter((r) => r.target !== null && keep(r)),
  });
}

/**
 * One RegExp that matches where any of `res` does, or null when they cannot be joined safely
 * (different flags, or a backreference whose group number would change).
 */
function union(res: readonly RegExp[]): RegExp | null {
  const flags = res[0]?.flags ?? '';
  if (res.some((re) => re.flags !== flags || /\\[1-9]|\\k</.test(re.source))) return null;
  return new RegExp(res.map((re) => `(?:${re.source})`).join('|'), flags.replace(/[gy]/g, ''));
}

function build(policy: CompiledPolicy, endpoint: EndpointId | null): EndpointCandidates {
  const names = (r: CompiledRule): boolean => endpoint !== null && r.endpointIds.has(endpoint);
  const all = pick(policy, (r) => names(r) || r.pathRes.length > 0);
  const byPathOnly = policy.rules.filter((r) => !names(r) && r.pathRes.length > 0);
  if (byPathOnly.length === 0) return { all, named: all, byPath: null };
  const combined = union(byPathOnly.flatMap((r) => r.pathRes));
  // Not joinable: always keep the path rules (every one is then tested, as without the index).
  if (combined === null) return { all, named: all, byPath: null };
  return { all, named: pick(policy, names), byPath: combined };
}

export function candidatesFor(policy: CompiledPolicy, facts: { readonly endpoint: EndpointId | null; readonly path: string }): RuleCandidates {
  let byEndpoint = cache.get(policy);
  if (byEndpoint === undefined) {
    byEndpoint = new Map();
    cache.set(policy, byEndpoint);
  }
  let found = byEndpoint.get(facts.endpoint);
  if (found === undefined) {
    found = build(policy, facts.endpoint);
    byEndpoint.set(facts.endpoint, found);
  }
  return found.byPath === null || found.byPath.test(facts.path) ? found.all : found.named;
}
