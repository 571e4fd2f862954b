/**
 * Compile a validated PolicyDocument into immutable data that evaluate() reads on the hot path:
 * globs become anchored RegExps, endpoint patterns become sets of ids, methods become sets.
 */

import { createHash } from 'node:crypto';
import type { Effect, PolicyDocument, PolicyMode, RuleDocument, TargetConditionsDocument, ValueMatcherDocument } from './document.js';
import { compileBodyCondition, type BodyPredicate } from './body.js';
import { compileAllowList, type AllowList } from '../inspect/allow-list.js';
import { compileBodyWitness, type BodyWitness } from './body-pointer.js';
import { posix } from 'node:path';
import { cleanHostPath, isUnderPrefix } from './body.js';
import { compileGlob } from './glob.js';
import { endpointIdsMatching } from '../request/endpoint-match.js';
import type { EndpointId } from '../request/endpoints.js';
import { imageRegistry, isEngineTrue, namesContainer } from '../request/engine-values.js';

export interface CompiledValueMatcher {
  /** the matcher as written, for explanations */
  readonly source: ValueMatcherDocument;
  /** true: presence test (exists); false: value test applied to each value */
  readonly presence: boolean;
  readonly test: (value: string) => boolean;
  /** for presence matchers: whether the parameter must be present */
  readonly mustExist?: boolean;
  /** for a condition sockgate adds itself rather than the policy's author: why it is there */
  readonly why?: string;
}

/**
 * A rule with `dockerfile` conditions holds only for the classic builder (`version` absent or
 * "1", as api/server/router/build parseVersion reads it; 2 is BuildKit): sockgate reads the
 * Dockerfile as the classic builder does, and BuildKit reads it otherwise (a `# syntax` frontend,
 * heredocs, RUN --mount), so for a BuildKit build the conditions would check something else.
 */
const CLASSIC_BUILDER: CompiledValueMatcher = Object.freeze({
  source: { oneOf: ['', '1'] },
  presence: false,
  test: (v: string) => v === '' || v === '1',
  why: 'its dockerfile conditions read the Dockerfile as the classic builder does (version 1); BuildKit (version=2) is not allowed by it',
});

export interface CompiledRule {
  readonly id: string;
  readonly effect: Effect;
  readonly description: string | null;
  readonly methods: ReadonlySet<string> | null;
  readonly pathGlobs: readonly string[];
  readonly pathRes: readonly RegExp[];
  readonly endpointPatterns: readonly string[];
  readonly endpointIds: ReadonlySet<EndpointId>;
  readonly query: readonly (readonly [name: string, matcher: CompiledValueMatcher])[];
  /** body predicates (all must hold); empty when the rule does not look at the body */
  readonly body: readonly BodyPredicate[];
  /** the same conditions, reporting the body fields that made them hold (policy/body-pointer.ts) */
  readonly bodyWitness: readonly BodyWitness[];
  /** each body condition's path, in order (to name the field a condition failed on) */
  readonly bodyPaths: readonly string[];
  /** allow rules: the body fields a client may set, every other one holding its default; null when the rule has no such list */
  readonly fields: AllowList | null;
  /** allow rules on images.build: the registries the Dockerfile's images may come from (lower-cased); null: no Dockerfile check */
  readonly dockerfile: { readonly registries: ReadonlySet<string> } | null;
  /** conditions on the container acted on; null when the rule does not look at it */
  readonly target: CompiledTarget | null;
}

/** Compiled target conditions: each (field, matcher) must hold for the resolved container. */
export interface CompiledTarget {
  readonly name: CompiledValueMatcher | null;
  readonly image: CompiledValueMatcher | null;
  readonly labels: readonly (readonly [label: string, matcher: CompiledValueMatcher])[];
}

export interface CompiledPolicy {
  readonly name: string;
  /** where it came from: a file path or "built-in" */
  readonly source: string;
  /** sha256 of the policy text, first 16 hex digits; names the exact policy in audit records */
  readonly hash: string;
  readonly defaultEffect: Effect;
  /** audit (learn mode): policy denials are forwarded and recorded as what the policy would have done */
  readonly mode: PolicyMode;
  readonly rules: readonly CompiledRule[];
  readonly denyRules: readonly CompiledRule[];
  readonly allowRules: readonly CompiledRule[];
  /** whether any rule looks at request bodies */
  readonly inspectsBodies: boolean;
  /** whether any rule (or the scope) looks at the container a request acts on */
  readonly inspectsTargets: boolean;
  /**
   * whether a container create's named volumes are looked up before deciding: some rule on
   * containers.create decides on the host paths or volume driver options it gets (inspect/named-volumes.ts)
   */
  readonly looksUpVolumes: boolean;
  /** the containers this policy's clients may see (in ownership mode: also owned); null: no scope */
  readonly scope: CompiledTarget | null;
  /** ownership mode (policy `ownership: true`) */
  readonly ownership: boolean;
  /** the owner written into created objects: the profile name, once bound (policy/ownership.ts bindOwner); null otherwise */
  readonly owner: string | null;
  /** endpoint id → dotted field paths redacted from its answers */
  readonly redactions: ReadonlyMap<string, readonly (readonly string[])[]>;
}

export function compileMatcher(m: ValueMatcherDocument): CompiledValueMatcher {
  if (m.exists !== undefined) {
    return { source: m, presence: true, mustExist: m.exists, test: () => true };
  }
  if (m.equals !== undefined) {
    const want = m.equals;
    return { source: m, presence: false, test: (v) => v === want };
  }
  if (m.oneOf !== undefined) {
    const set = new Set(m.oneOf);
    return { source: m, presence: false, test: (v) => set.has(v) };
  }
  if (m.glob !== undefined) {
    const re = compileGlob(m.glob);
    return { source: m, presence: false, test: (v) => re.test(v) };
  }
  if (m.truthy !== undefined) {
    const want = m.truthy;
    return { source: m, presence: false, test: (v) => isEngineTrue(v) === want };
  }
  if (m.pathPrefix !== undefined) {
    const prefixes = m.pathPrefix;
    // The engine reads a container path joined to "/" and cleaned (filepath.Join("/", path)).
    return { source: m, presence: false, test: (v) => isUnderPrefix(cleanHostPath(posix.join('/', v)), prefixes) };
  }
  if (m.registry !== undefined) {
    const hosts = new Set(m.registry.map((h) => h.toLowerCase()));
    return { source: m, presence: false, test: (v) => hosts.has(imageRegistry(v) ?? '') };
  }
  if (m.containerRef !== undefined) {
    const want = m.containerRef;
    return { source: m, presence: false, test: (v) => namesContainer(v) === want };
  }
  throw new Error('matcher has no condition');
}

function compileTarget(t: TargetConditionsDocument): CompiledTarget {
  return Object.freeze({
    name: t.name ? compileMatcher(t.name) : null,
    image: t.image ? compileMatcher(t.image) : null,
    labels: Object.freeze(Object.entries(t.labels ?? {}).map(([k, m]) => [k, compileMatcher(m)] as const)),
  });
}

function compileRedactions(list: NonNullable<PolicyDocument['redact']>): ReadonlyMap<string, readonly (readonly string[])[]> {
  const out = new Map<string, string[][]>();
  for (const r of list) {
    for (const e of r.endpoints) out.set(e, [...(out.get(e) ?? []), ...r.fields.map((f) => f.split('.'))]);
  }
  return out;
}

function compileRule(r: RuleDocument): CompiledRule {
  const endpointIds = new Set<EndpointId>();
  for (const p of r.endpoints ?? []) for (const id of endpointIdsMatching(p)) endpointIds.add(id);
  return Object.freeze({
    id: r.id,
    effect: r.effect,
    description: r.description ?? null,
    methods: r.methods ? new Set(r.methods) : null,
    pathGlobs: Object.freeze([...(r.paths ?? [])]),
    pathRes: Object.freeze((r.paths ?? []).map(compileGlob)),
    endpointPatterns: Object.freeze([...(r.endpoints ?? [])]),
    endpointIds,
    query: Object.freeze([
      ...Object.entries(r.query ?? {}).map(([k, m]) => [k, compileMatcher(m)] as const),
      ...(r.dockerfile !== undefined ? [['version', CLASSIC_BUILDER] as const] : []),
    ]),
    body: Object.freeze((r.body ?? []).map(compileBodyCondition)),
    bodyWitness: Object.freeze((r.body ?? []).map(compileBodyWitness)),
    bodyPaths: Object.freeze((r.body ?? []).map((c) => c.path)),
    fields: r.fields === undefined ? null : compileAllowList(r.fields),
    dockerfile: r.dockerfile === undefined ? null : { registries: new Set(r.dockerfile.registries.map((h) => h.toLowerCase())) },
    target: r.target === undefined ? null : compileTarget(r.target),
  });
}

/** Whether a rule decides on the request body (body conditions or an allow-list of fields). */
export function readsBody(rule: CompiledRule): boolean {
  return rule.body.length > 0 || rule.fields !== null;
}

export function policyHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function compilePolicy(doc: PolicyDocument, source: string, text: string): CompiledPolicy {
  const rules = Object.freeze(doc.rules.map(compileRule));
  return Object.freeze({
    name: doc.name ?? source,
    source,
    hash: policyHash(text),
    defaultEffect: doc.default,
    mode: doc.mode ?? 'enforce',
    rules,
    denyRules: Object.freeze(rules.filter((r) => r.effect === 'deny')),
    allowRules: Object.freeze(rules.filter((r) => r.effect === 'allow')),
    inspectsBodies: rules.some(readsBody),
    looksUpVolumes: rules.some((r) => r.endpointIds.has('containers.create') && r.bodyPaths.some((p) => /^\$facts\.(hostPaths|volumeDriverOptions)(\.|$)/.test(p))),
    inspectsTargets: doc.scope !== undefined || doc.ownership === true || rules.some((r) => r.target !== null),
    scope: doc.scope === undefined ? null : compileTarget(doc.scope.containers),
    ownership: doc.ownership === true,
    owner: null,
    redactions: compileRedactions(doc.redact ?? []),
  });
}
