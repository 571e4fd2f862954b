/**
 * Why each rule of a policy did or did not match a request: the part of `sockgate explain` that
 * walks the rules. Pure; it reuses evaluate's own matchers, so the explanation cannot drift from
 * the decision.
 */

import type { BodyView } from '../inspect/body-view.js';
import { readsBody, type CompiledPolicy, type CompiledRule } from './compile.js';
import { headMatches, outsideFields, ruleMatches, targetHolds, type RequestFacts } from './evaluate.js';
import type { TargetFacts } from '../inspect/engine-answers.js';

export interface RuleExplanation {
  readonly id: string;
  readonly effect: 'allow' | 'deny';
  readonly matched: boolean | 'unknown';
  /** the first reason it did not match, or what made it match */
  readonly why: string;
}

function whyHeadFails(rule: CompiledRule, facts: RequestFacts): string {
  if (rule.methods !== null && !rule.methods.has(facts.method)) return `method ${facts.method} is not one of ${[...rule.methods].join(', ')}`;
  const byEndpoint = facts.endpoint !== null && rule.endpointIds.has(facts.endpoint);
  const byPath = rule.pathRes.some((re) => re.test(facts.path));
  if (!byEndpoint && !byPath) {
    const what = [
      rule.endpointPatterns.length > 0 ? `endpoint ${facts.endpoint ?? 'unknown'} is not one of ${rule.endpointPatterns.join(', ')}` : '',
      rule.pathGlobs.length > 0 ? `path ${facts.path} matches none of ${rule.pathGlobs.join(', ')}` : '',
    ].filter(Boolean);
    return what.join(' and ');
  }
  for (const [name, matcher] of rule.query) {
    const values = facts.query.get(name) ?? [];
    if (!headMatches({ ...rule, query: [[name, matcher]] }, facts)) {
      return `query ${name}=${values.length > 0 ? values.join(',') : '(absent)'} does not satisfy ${JSON.stringify(matcher.source)}`;
    }
  }
  return 'its method, endpoint or path, and query do not all match';
}

/** Each rule, in file order, with whether it matched this request and why. */
export function explainRules(policy: CompiledPolicy, facts: RequestFacts, body?: BodyView, target?: TargetFacts): RuleExplanation[] {
  return policy.rules.map((rule): RuleExplanation => {
    const base = { id: rule.id, effect: rule.effect };
    if (!headMatches(rule, facts)) return { ...base, matched: false, why: whyHeadFails(rule, facts) };
    if (readsBody(rule) && body === undefined) return { ...base, matched: 'unknown', why: 'its body conditions need the request body (give --body FILE)' };
    if (rule.target !== null && target === undefined) {
      return { ...base, matched: 'unknown', why: 'its target conditions need the container the request acts on, which sockgate looks up in the engine when serving' };
    }
    if (rule.body.length > 0 && !rule.body.every((p) => p(body!, body!.value))) return { ...base, matched: false, why: 'its body conditions do not all hold' };
    const outside = body === undefined ? null : outsideFields(rule, facts, body);
    if (outside !== null) {
      return { ...base, matched: false, why: `${outside.pointer || 'the body'} is set, outside the fields it allows${outside.path === null ? ' (no field of any engine version sockgate knows)' : ` (${outside.path})`}` };
    }
    if (rule.target !== null && !targetHolds(rule.target, target!)) return { ...base, matched: false, why: 'the container does not meet its target conditions' };
    const matched = ruleMatches(rule, facts, body, target);
    const parts = [rule.methods !== null ? 'method' : '', rule.endpointIds.size > 0 || rule.pathRes.length > 0 ? 'endpoint/path' : '', rule.query.length > 0 ? 'query' : '', readsBody(rule) ? 'body' : '', rule.target !== null ? 'target' : ''].filter(Boolean);
    return { ...base, matched, why: matched ? `${parts.join(', ')} all match` : 'it does not match' };
  });
}
