/**
 * evaluate(policy, facts) → Decision. Pure and order-independent: any matching deny rule wins,
 * else any matching allow rule allows, else the policy default applies. The reported rule is the
 * first matching one in file order within its effect; the effect never depends on order.
 */

import type { Effect } from './document.js';
import type { BodyView } from '../inspect/body-view.js';
import type { TargetFacts } from '../inspect/engine-answers.js';
import { bodyEvidence, pointerOfPath } from './body-pointer.js';
import { readsBody, type CompiledPolicy, type CompiledRule, type CompiledTarget, type CompiledValueMatcher } from './compile.js';
import { IGNORED_CLIENT_KEYS, outsideAllowList, type OutsideAllowList } from '../inspect/allow-list.js';
import { bodySchemaOf } from '../inspect/schemas/index.js';
import type { DockerfileRule } from '../inspect/build-context.js';
import type { Query } from '../request/normalize.js';
import type { EndpointId } from '../request/endpoints.js';
import { TARGETED_ENDPOINTS } from '../request/targets.js';
import { candidatesFor } from './rule-index.js';

/** What a decision is made on: the normalised request and the endpoint it reaches. */
export interface RequestFacts {
  readonly method: string;
  /** decoded, version-less path */
  readonly path: string;
  /** endpoint id, or null when the path matches no known endpoint */
  readonly endpoint: EndpointId | null;
  readonly query: Query;
}

export interface Decision {
  readonly effect: Effect;
  /** the deciding rule, or null when the policy default decided */
  readonly ruleId: string | null;
  /** human-readable reason, also sent to the client on denial */
  readonly reason: string;
  /**
   * JSON pointer of the body field that decided: the first field that made the deciding rule's
   * body conditions hold, or where a malformed body was refused ("" is the whole body)
   */
  readonly bodyPointer?: string;
  /** every such field, when there are several (all offending binds, each condition's field) */
  readonly bodyPointers?: readonly string[];
  /** for a denial: the query parameter that decided it, the first one the deny rule has conditions on, or the one an allow rule's condition failed on */
  readonly queryParam?: string;
}

/**
 * Query conditions never depend on which copy of a repeated parameter the engine reads: an allow
 * rule's condition must hold for every value, a deny rule's for at least one. An absent parameter
 * is read as the engine reads it: the empty string.
 */
function queryHolds(rule: CompiledRule, query: Query): boolean {
  return failedQueryCondition(rule, query) === -1;
}

/** The index of the first of a rule's query conditions that does not hold; -1 when all do. */
function failedQueryCondition(rule: CompiledRule, query: Query): number {
  return rule.query.findIndex(([name, matcher]) => {
    const values = query.get(name) ?? [];
    if (matcher.presence) return values.length > 0 !== matcher.mustExist;
    const seen = values.length > 0 ? values : [''];
    return !(rule.effect === 'allow' ? seen.every(matcher.test) : seen.some(matcher.test));
  });
}

/**
 * Why an allow rule whose method and target match did not allow the request, by its query: the
 * parameter whose condition failed (a denial then says which parameter to change).
 */
function whyAllowFailedOnQuery(allow: readonly CompiledRule[], facts: RequestFacts): { param: string; text: string } | null {
  for (const rule of allow) {
    if ((rule.methods !== null && !rule.methods.has(facts.method)) || !targetMatches(rule, facts)) continue;
    const failed = failedQueryCondition(rule, facts.query);
    if (failed === -1) continue;
    const [name, matcher] = rule.query[failed]!;
    const values = facts.query.get(name) ?? [];
    const shown = values.length === 0 ? `?${name} (absent)` : values.map((x) => `?${name}=${JSON.stringify(x)}`).join(' ');
    return { param: name, text: `${shown} does not meet the condition of ${describeRule(rule)} on ${name}${matcher.why !== undefined ? `: ${matcher.why}` : ''}` };
  }
  return null;
}

function targetMatches(rule: CompiledRule, facts: RequestFacts): boolean {
  if (facts.endpoint !== null && rule.endpointIds.has(facts.endpoint)) return true;
  for (const re of rule.pathRes) if (re.test(facts.path)) return true;
  return false;
}

/** Method, target and query: everything but the body. */
export function headMatches(rule: CompiledRule, facts: RequestFacts): boolean {
  if (rule.methods !== null && !rule.methods.has(facts.method)) return false;
  if (!targetMatches(rule, facts)) return false;
  return queryHolds(rule, facts.query);
}

/** One value against one matcher; `present` tells an absent label from an empty one. */
function valueHolds(matcher: CompiledValueMatcher, value: string, present: boolean): boolean {
  return matcher.presence ? present === matcher.mustExist : matcher.test(value);
}

export function targetHolds(target: CompiledTarget, t: TargetFacts): boolean {
  if (target.name !== null && !valueHolds(target.name, t.name, true)) return false;
  if (target.image !== null && !valueHolds(target.image, t.image, true)) return false;
  for (const [label, matcher] of target.labels) {
    const present = Object.hasOwn(t.labels, label);
    if (!valueHolds(matcher, present ? t.labels[label]! : '', present)) return false;
  }
  return true;
}

/**
 * The first body field outside a rule's allow-list that does not hold its default (or a key no
 * engine version has); null when the rule has no list or the body keeps to it.
 */
export function outsideFields(rule: CompiledRule, facts: RequestFacts, body: BodyView): OutsideAllowList | null {
  if (rule.fields === null) return null;
  const schema = facts.endpoint === null ? undefined : bodySchemaOf(facts.endpoint);
  // A list is only accepted on endpoints with a schema (policy/load-body.ts): fail closed otherwise.
  if (schema === undefined) return { pointer: '', path: null };
  return outsideAllowList(rule.fields, schema, body.value, body.unknownKeys ?? [], IGNORED_CLIENT_KEYS[facts.endpoint!]);
}

export function ruleMatches(rule: CompiledRule, facts: RequestFacts, body?: BodyView, target?: TargetFacts): boolean {
  if (!headMatches(rule, facts)) return false;
  if (readsBody(rule)) {
    // The gate reads and decodes the body whenever a body rule's head matches; reaching this
    // without one is a sockgate bug, and throwing here denies (fail closed).
    if (body === undefined) throw new Error(`rule ${rule.id} needs the request body, which was not read`);
    if (!rule.body.every((p) => p(body, body.value))) return false;
    if (outsideFields(rule, facts, body) !== null) return false;
  }
  if (rule.target !== null) {
    if (target === undefined) throw new Error(`rule ${rule.id} needs the container the request acts on, which was not resolved`);
    if (!targetHolds(rule.target, target)) return false;
  }
  return true;
}

/** Whether deciding this request needs the container it acts on: some rule with target conditions matches its head. */
export function needsTarget(policy: CompiledPolicy, facts: RequestFacts): boolean {
  if (!policy.inspectsTargets) return false;
  if (policy.scope !== null && facts.endpoint !== null && TARGETED_ENDPOINTS.has(facts.endpoint)) return true;
  return candidatesFor(policy, facts).target.some((r) => headMatches(r, facts));
}

/** Whether a container is visible to clients of this policy (always, without a scope). */
export function inScope(policy: CompiledPolicy, t: TargetFacts): boolean {
  return policy.scope === null || targetHolds(policy.scope, t);
}

/** Whether deciding this request needs its body: some rule that looks at bodies matches its head. */
export function needsBody(policy: CompiledPolicy, facts: RequestFacts): boolean {
  return policy.inspectsBodies && candidatesFor(policy, facts).body.some((r) => headMatches(r, facts));
}

function describeRule(rule: CompiledRule): string {
  return rule.description ? `rule ${rule.id} (${rule.description})` : `rule ${rule.id}`;
}

/**
 * Why an allow rule that matches the request's head did not allow it, by the body: the field a
 * body condition failed on, or the first field outside its allow-list, named by JSON pointer (a
 * denial and explain then say which field to change).
 */
function whyAllowFailedOnBody(allow: readonly CompiledRule[], facts: RequestFacts, body: BodyView, target?: TargetFacts): { pointer: string; text: string } | null {
  for (const rule of allow) {
    if (!readsBody(rule) || !headMatches(rule, facts)) continue;
    if (rule.target !== null && (target === undefined || !targetHolds(rule.target, target))) continue;
    const failed = rule.body.findIndex((p) => !p(body, body.value));
    if (failed !== -1) {
      const path = rule.bodyPaths[failed]!;
      const pointer = pointerOfPath('', path);
      return { pointer, text: `${pointer || 'the body'} does not meet the condition of ${describeRule(rule)} on ${path === '' ? 'the body' : path}` };
    }
    const outside = outsideFields(rule, facts, body);
    if (outside === null) continue;
    const where = outside.pointer === '' ? 'the body' : outside.pointer;
    return {
      pointer: outside.pointer,
      text:
        outside.path === null
          ? `${where} is no field of any engine version sockgate knows, and ${describeRule(rule)} allows listed fields only`
          : `${where} is set, and ${describeRule(rule)} allows only the fields it lists (${outside.path} is not one of them: leave it at its default)`,
    };
  }
  return null;
}

export function evaluate(policy: CompiledPolicy, facts: RequestFacts, body?: BodyView, target?: TargetFacts): Decision {
  const rules = candidatesFor(policy, facts);
  const first = rules.deny.find((r) => ruleMatches(r, facts, body, target)) ?? rules.allow.find((r) => ruleMatches(r, facts, body, target));
  if (first !== undefined) {
    const evidence = body !== undefined && first.bodyWitness.length > 0 ? bodyEvidence(first.bodyWitness, body) : null;
    return {
      effect: first.effect,
      ruleId: first.id,
      reason: `${first.effect === 'deny' ? 'denied' : 'allowed'} by ${describeRule(first)}`,
      ...(evidence !== null && evidence.length > 0 ? { bodyPointer: evidence[0]! } : {}),
      ...(evidence !== null && evidence.length > 1 ? { bodyPointers: evidence } : {}),
      ...(first.effect === 'deny' && first.query.length > 0 ? { queryParam: first.query[0]![0] } : {}),
    };
  }
  const what = `${facts.method} ${facts.path} (endpoint ${facts.endpoint ?? 'unknown'})`;
  const outside = body === undefined ? null : whyAllowFailedOnBody(rules.allow, facts, body, target);
  const onQuery = outside === null ? whyAllowFailedOnQuery(rules.allow, facts) : null;
  const why = outside?.text ?? onQuery?.text ?? null;
  return {
    effect: policy.defaultEffect,
    ruleId: null,
    reason: `no rule matched ${what}${why === null ? '' : `: ${why}`}; policy "${policy.name}" defaults to ${policy.defaultEffect}`,
    ...(outside !== null ? { bodyPointer: outside.pointer } : {}),
    ...(onQuery !== null ? { queryParam: onQuery.param } : {}),
  };
}

/**
 * For an allowed build: the Dockerfile checks it must pass, one per matching allow rule (any one
 * suffices); null when some matching allow rule has none (the build is allowed as it is).
 */
export function dockerfileRules(policy: CompiledPolicy, facts: RequestFacts): DockerfileRule[] | null {
  const allow = candidatesFor(policy, facts).allow.filter((r) => headMatches(r, facts));
  if (allow.length === 0 || allow.some((r) => r.dockerfile === null)) return null;
  return allow.map((r) => ({ ruleId: r.id, registries: r.dockerfile!.registries }));
}
