/**
 * The gate: one pure function that turns what arrived on the wire (method, raw target, headers,
 * whether it asks for an upgrade) into an Admission: the normalised request, the endpoint it
 * reaches and the decision. Both the plain HTTP path and the upgrade path call it, so no request
 * reaches the engine on a path that skipped a check. Any exception here denies (fail closed).
 */

import type { IncomingHttpHeaders } from 'node:http';
import { clientMessage, ERRORS, type ErrorCode } from './errors.js';
import type { CompiledPolicy } from './policy/compile.js';
import type { BodyView } from './inspect/body-view.js';
import { dockerfileRules, evaluate, inScope, needsBody, needsTarget, type Decision, type RequestFacts } from './policy/evaluate.js';
import { RESERVED_LABEL_PREFIX, type ResolvedImage, type ResolvedRef, type ResolvedTarget, type TargetFacts } from './inspect/engine-answers.js';
import { targetRefOf, type TargetRef } from './request/targets.js';
import { compareApiVersions, NEWEST_API_VERSION } from './request/api-version.js';
import { isEngineTrue } from './request/engine-values.js';
import { inspectBody } from './inspect/index.js';
import { INSPECTABLE_ENDPOINTS } from './inspect/inspectable.js';
import { summarizeBody, type SummaryValue } from './inspect/summary.js';
import type { ObjectRef } from './inspect/references.js';
import { setTopLevelMember } from './inspect/rewrite.js';
import { volumeReaches, withNamedVolumeFacts, type ResolvedVolume } from './inspect/named-volumes.js';
import type { DockerfileRule } from './inspect/build-context.js';
import {
  LABELLING_ENDPOINTS,
  OWNED_CREATE_ENDPOINTS,
  objectVisible,
  ownedLabels,
  reservedLabelIn,
  reservedLabelInQuery,
  sweepingEndpoint,
} from './policy/ownership.js';
import { obj, str } from './json-view.js';
import { matchEndpoint, type EndpointMatch } from './request/endpoint-match.js';
import type { EndpointId } from './request/endpoints.js';
import { normalizeRequest, type NormalizedRequest } from './request/normalize.js';
import { headerProblem } from './gate-headers.js';
import { bodyRefs, engineMissing, pathAndQueryRefs } from './gate-refs.js';

export interface GateInput {
  readonly method: string;
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  /** the client asked to switch protocols (Connection: Upgrade + Upgrade) */
  readonly upgrade: boolean;
}

export interface Admission {
  readonly normalized: NormalizedRequest | null;
  readonly endpoint: EndpointMatch | null;
  /**
   * true when the decision depends on the body: a rule that inspects bodies matches the request
   * line. The caller reads the body (bounded) and calls admitBody(); until then `decision` is a
   * provisional deny.
   */
  readonly needsBody: boolean;
  readonly decision: Decision;
  /** null when allowed; the error code of the denial otherwise */
  readonly code: ErrorCode | null;
  /** HTTP status of the denial (0 when allowed) */
  readonly status: number;
  /** derived body facts the decision could use (for the audit record) */
  readonly bodyFacts?: Readonly<Record<string, unknown>>;
  /** learn mode: the security-relevant body fields (inspect/summary.ts), for `sockgate suggest` */
  readonly bodySummary?: Readonly<Record<string, SummaryValue>>;
  /** learn mode: the denial the policy made, which was not enforced (the request was forwarded) */
  readonly wouldBe?: WouldBe;
  /**
   * Set when the decision depends on the container the request acts on: the caller resolves
   * this reference through the engine and calls admitTarget(); until then the decision is a
   * provisional deny.
   */
  readonly targetRef?: TargetRef;
  /** the resolved container (for the audit record, and to forward the request by its id) */
  readonly target?: TargetFacts;
  /** the decoded body, kept while the target is being resolved */
  readonly bodyView?: BodyView;
  /**
   * Set when the request names other objects that a scoped or owning profile may use only if
   * it can see them (a container's VolumesFrom, a named volume, a network, a path's volume or
   * network): the caller resolves each through the engine and calls admitRefs().
   */
  readonly refs?: readonly ObjectRef[];
  /**
   * Set when the decision depends on what named volumes of a container create stand for: the
   * caller looks each up through the engine and calls admitVolumes(); until then the decision is
   * a provisional deny (the body view is in `bodyView`).
   */
  readonly volumeLookups?: readonly string[];
  /** Set (with `bodyView`) when a container create's image is to be looked up before deciding: its labels decide too. */
  readonly imageLookup?: string;
  /** the decision on the body alone, kept while the lookups of a create are made */
  readonly bodyDecision?: Decision;
  /**
   * An allowed build whose Dockerfile must keep to these rules (one suffices): the forwarder
   * reads the context as it streams and releases its end only when it does (build-context.ts).
   */
  readonly dockerfileChecks?: readonly DockerfileRule[];
  /** the body to forward when sockgate rewrote it (the owner label); it is what was checked */
  readonly forwardBody?: Uint8Array;
  /** the full id of the network named in the path, once resolved: the request is forwarded by it */
  readonly pathObjectId?: string;
}

function refuse(
  code: ErrorCode,
  reason: string,
  normalized: NormalizedRequest | null = null,
  endpoint: EndpointMatch | null = null,
): Admission {
  return { normalized, endpoint, code, needsBody: false, status: ERRORS[code].status, decision: { effect: 'deny', ruleId: null, reason } };
}

export function admit(policy: CompiledPolicy, input: GateInput): Admission {
  try {
    const result = normalizeRequest(input.method, input.target);
    if (!result.ok) return refuse(result.rejection.code, result.rejection.reason);
    const normalized = result.request;
    const endpoint = matchEndpoint(normalized.method, normalized.path);

    const problem = headerProblem(input.method, input.headers, input.upgrade);
    if (problem !== null) return refuse('SOCKGATE_DENY_HEADERS', problem, normalized, endpoint);

    if (input.upgrade && endpoint?.spec.connection !== 'hijack') {
      return refuse(
        'SOCKGATE_DENY_HEADERS',
        `endpoint ${endpoint?.id ?? 'unknown'} does not switch protocols; Upgrade is only accepted on attach, exec start, session and grpc`,
        normalized,
        endpoint,
      );
    }

    const facts = factsOf(normalized, endpoint);
    const endpointId = endpoint?.id ?? null;
    const sweeping = sweepingEndpoint(policy, endpointId);
    if (sweeping !== null) {
      return refuse('SOCKGATE_DENY_NOT_OWNED', `${endpointId} would act on ${sweeping}; this profile may act only on objects it can see, one by one`, normalized, endpoint);
    }
    const reservedInQuery = reservedLabelInQuery(endpointId, normalized.query);
    if (reservedInQuery !== null) return reservedLabelRefusal(reservedInQuery, normalized, endpoint);
    // Learn mode reads every body sockgate can decode, so the record shows what it asked for.
    let bodyNeeded = needsBody(policy, facts) || (policy.mode === 'audit' && endpointId !== null && INSPECTABLE_ENDPOINTS.has(endpointId) && !input.upgrade);
    if (bodyNeeded && input.upgrade) return refuse('SOCKGATE_DENY_HEADERS', 'a request whose body is inspected cannot be upgraded', normalized, endpoint);
    const targetRef = endpoint !== null && needsTarget(policy, facts) ? targetRefOf(endpoint) : null;
    if (!bodyNeeded && targetRef === null && bodyChecksBeyondRules(policy, endpointId)) {
      // The rules decide without the body; when they allow, sockgate still reads it for its own
      // checks (reserved labels, objects the body names, the owner label).
      const decision = evaluate(policy, facts);
      // (In learn mode a denial is forwarded, so the body is read whatever the rules say.)
      if (decision.effect === 'deny' && policy.mode === 'enforce') return decided(normalized, endpoint, decision, policy);
      if (input.upgrade) return refuse('SOCKGATE_DENY_HEADERS', 'a request whose body is inspected cannot be upgraded', normalized, endpoint);
      bodyNeeded = true;
    }
    if (bodyNeeded || targetRef !== null) {
      const refs = pathAndQueryRefs(policy, endpointId, endpoint, normalized);
      return {
        normalized,
        endpoint,
        needsBody: bodyNeeded,
        ...(targetRef !== null ? { targetRef } : {}),
        ...(refs.length > 0 ? { refs } : {}),
        decision: { effect: 'deny', ruleId: null, reason: bodyNeeded ? 'the body has not been read' : 'the target has not been resolved' },
        code: null,
        status: 0,
      };
    }
    const admission = withRefs(decided(normalized, endpoint, evaluate(policy, facts), policy), pathAndQueryRefs(policy, endpointId, endpoint, normalized));
    const checks = endpointId === 'images.build' && admission.code === null && policy.mode === 'enforce' ? dockerfileRules(policy, facts) : null;
    if (checks === null) return admission;
    // pull=1 (httputils.BoolValue) pulls every base image again, whatever the engine has: its
    // ONBUILD triggers would run before anyone could read them.
    if ((normalized.query.get('pull') ?? []).some(isEngineTrue)) {
      const refused = refuse(
        'SOCKGATE_DENY_POLICY',
        `pull=${normalized.query.get('pull')!.join(',')} makes the engine pull every FROM image anew and run its ONBUILD triggers before sockgate can read them, and rule ${checks[0]!.ruleId} checks what a build fetches; pull the images first (docker pull), then build without --pull`,
        normalized,
        endpoint,
      );
      return { ...refused, decision: { ...refused.decision, queryParam: 'pull' } };
    }
    return { ...admission, dockerfileChecks: checks };
  } catch (err) {
    return refuse('SOCKGATE_ERR_INTERNAL', `sockgate fault while deciding: ${(err as Error).message}`);
  }
}

/** Whether sockgate reads this endpoint's body for checks of its own, whatever the rules say. */
function bodyChecksBeyondRules(policy: CompiledPolicy, endpointId: EndpointId | null): boolean {
  if (endpointId !== null && LABELLING_ENDPOINTS.has(endpointId)) return true;
  return (policy.scope !== null || policy.owner !== null) && (endpointId === 'networks.connect' || endpointId === 'networks.disconnect');
}

function reservedLabelRefusal(found: { pointer: string; label: string }, normalized: NormalizedRequest, endpoint: EndpointMatch | null): Admission {
  return refuse(
    'SOCKGATE_DENY_RESERVED_LABEL',
    `label "${found.label}" (at ${found.pointer}) is under the prefix ${RESERVED_LABEL_PREFIX}, which only sockgate sets; remove it`,
    normalized,
    endpoint,
  );
}

/** Attach references still to be checked to an allowing admission (a denial needs none). */
function withRefs(admission: Admission, refs: readonly ObjectRef[]): Admission {
  if (refs.length === 0 || admission.decision.effect === 'deny') return admission;
  return { ...admission, refs };
}

function factsOf(normalized: NormalizedRequest, endpoint: EndpointMatch | null): RequestFacts {
  return { method: normalized.method, path: normalized.path, endpoint: endpoint?.id ?? null, query: normalized.query };
}

/** A policy denial that learn mode did not enforce. */
export interface WouldBe {
  readonly effect: 'deny';
  readonly rule: string | null;
  readonly reason: string;
  readonly code: ErrorCode;
}

/**
 * The admission for a decision of the rules. In learn mode (`mode: audit`) a denial by the rules
 * is forwarded and kept as `wouldBe`; refusals that do not come from the rules (requests sockgate
 * cannot read unambiguously, unresolvable targets, ownership and scope) never pass through here.
 */
function decided(normalized: NormalizedRequest, endpoint: EndpointMatch | null, decision: Decision, policy: CompiledPolicy): Admission {
  if (decision.effect === 'deny' && policy.mode === 'audit') {
    const wouldBe: WouldBe = { effect: 'deny', rule: decision.ruleId, reason: decision.reason, code: 'SOCKGATE_DENY_POLICY' };
    return { normalized, endpoint, needsBody: false, decision: { effect: 'allow', ruleId: null, reason: `audit mode: forwarded; the policy would deny it: ${decision.reason}` }, code: null, status: 0, wouldBe };
  }
  if (decision.effect === 'deny') {
    return { normalized, endpoint, needsBody: false, decision, code: 'SOCKGATE_DENY_POLICY', status: ERRORS.SOCKGATE_DENY_POLICY.status };
  }
  return { normalized, endpoint, needsBody: false, decision, code: null, status: 0 };
}

/**
 * Second step for a request whose decision depends on its body: decode the body exactly as the
 * engine would (refusing any body whose meaning is not certain), then decide on that view.
 */
/**
 * The decision on a body. `engineApiVersion` is the API version the engine advertises (null when
 * not yet known): a key that no engine version sockgate knows has is ignored by an engine sockgate
 * knows, and refused for any other (inspect/exact-keys.ts).
 */
export function admitBody(policy: CompiledPolicy, pending: Admission, body: Uint8Array, engineApiVersion: string | null): Admission {
  try {
    const { normalized, endpoint } = pending;
    if (!pending.needsBody || normalized === null || endpoint === null) {
      return refuse('SOCKGATE_ERR_INTERNAL', 'sockgate fault: admitBody called for a request that needs no body', normalized, endpoint);
    }
    const unknownKeys = engineApiVersion !== null && compareApiVersions(engineApiVersion, NEWEST_API_VERSION) <= 0 ? 'ignore' : 'refuse';
    const inspected = inspectBody(endpoint.id, body, unknownKeys);
    if (!inspected.ok) {
      const refused = refuse('SOCKGATE_DENY_BODY', `body of ${endpoint.id} refused at ${inspected.pointer || '/'}: ${inspected.message}`, normalized, endpoint);
      return { ...refused, decision: { ...refused.decision, bodyPointer: inspected.pointer } };
    }
    let view = inspected.view;
    let forwardBody: Uint8Array | undefined;
    const owner = policy.owner;
    const owned = owner !== null && OWNED_CREATE_ENDPOINTS.has(endpoint.id);
    const reserved = reservedLabelIn(endpoint.id, view.value, owned);
    if (reserved !== null) return reservedLabelRefusal(reserved, normalized, endpoint);
    if (owner !== null && owned) {
      // Write the owner label over whatever the client sent, then check the body that is sent.
      const text = Buffer.from(body).toString('utf8');
      forwardBody = Buffer.from(setTopLevelMember(text, 'Labels', ownedLabels(obj(view.value)['Labels'], owner)), 'utf8');
      const again = inspectBody(endpoint.id, forwardBody, unknownKeys);
      if (!again.ok) return refuse('SOCKGATE_ERR_INTERNAL', `sockgate fault: the body with the owner label does not decode (${again.message})`, normalized, endpoint);
      view = again.view;
    }
    const refs = [...(pending.refs ?? []), ...bodyRefs(policy, endpoint.id, view.value)];
    const carried = {
      bodyFacts: view.facts,
      ...(policy.mode === 'audit' ? { bodySummary: summarizeBody(endpoint.id, view) } : {}),
      ...(forwardBody !== undefined ? { forwardBody } : {}),
    };
    if (pending.targetRef !== undefined) {
      // Still waiting for the container the request acts on.
      return { ...pending, needsBody: false, bodyView: view, ...carried, ...(refs.length > 0 ? { refs } : {}) };
    }
    const volumes = policy.looksUpVolumes && endpoint.id === 'containers.create' ? namedVolumes(view) : [];
    const image = endpoint.id === 'containers.create' ? str(obj(view.value)['Image']) : '';
    const bodyDecision = evaluate(policy, factsOf(normalized, endpoint), view);
    // Look up only for a create the body alone would allow: a denial needs nothing more.
    if ((volumes.length > 0 || image !== '') && bodyDecision.effect === 'allow') {
      // Still waiting for what the named volumes and the image stand for.
      const lookups = { ...(volumes.length > 0 ? { volumeLookups: volumes } : {}), ...(image !== '' ? { imageLookup: image } : {}) };
      return { ...pending, needsBody: false, bodyView: view, bodyDecision, ...lookups, ...carried, ...(refs.length > 0 ? { refs } : {}) };
    }
    return { ...withRefs(decided(normalized, endpoint, bodyDecision, policy), refs), ...carried };
  } catch (err) {
    return refuse('SOCKGATE_ERR_INTERNAL', `sockgate fault while deciding: ${(err as Error).message}`, pending.normalized, pending.endpoint);
  }
}

/** The distinct volume names a decoded container create mounts by name. */
function namedVolumes(view: BodyView): string[] {
  const names = view.facts['volumes'];
  return Array.isArray(names) ? [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))] : [];
}

/**
 * Last step for a container create whose image and named volumes were looked up: an image that
 * carries io.sockgate.* labels is refused, in every profile (its labels reach every container
 * created from it, by any client, and io.sockgate.owner would make such a container look owned
 * by a profile: an image built or pulled by one profile must not claim containers others run);
 * then the decision is made with what the named volumes stand for in the body facts
 * (inspect/named-volumes.ts). A lookup that fails is a denial: nothing can be said about it.
 * An image that does not exist is the engine's to refuse.
 */
export function admitCreateLookups(policy: CompiledPolicy, pending: Admission, found: { readonly volumes: readonly ResolvedVolume[]; readonly image: ResolvedImage | null }): Admission {
  try {
    const { normalized, endpoint, bodyView } = pending;
    const wanted = pending.volumeLookups ?? [];
    if ((pending.volumeLookups === undefined && pending.imageLookup === undefined) || bodyView === undefined || normalized === null || endpoint === null) {
      return refuse('SOCKGATE_ERR_INTERNAL', 'sockgate fault: admitCreateLookups called for a request that names nothing to look up', normalized, endpoint);
    }
    const facts = pending.bodyFacts ? { bodyFacts: pending.bodyFacts } : {};
    const image = found.image;
    if (pending.imageLookup !== undefined) {
      if (image === null || !image.ok) {
        return { ...refuse('SOCKGATE_DENY_BODY', `image "${pending.imageLookup}" could not be looked up (${image === null ? 'not looked up' : image.reason}): what its labels give the container is not known`, normalized, endpoint), ...facts };
      }
      const reserved = image.exists ? Object.keys(image.labels).find((l) => l.startsWith(RESERVED_LABEL_PREFIX)) : undefined;
      if (reserved !== undefined) {
        return {
          ...refuse('SOCKGATE_DENY_RESERVED_LABEL', `image "${pending.imageLookup}" carries the label "${reserved}" (under ${RESERVED_LABEL_PREFIX}, which only sockgate sets), which every container created from it would inherit; use an image without it`, normalized, endpoint),
          ...facts,
        };
      }
    }
    const failed = found.volumes.find((v) => !v.ok);
    if (failed !== undefined || found.volumes.length !== wanted.length) {
      const why = failed !== undefined && !failed.ok ? `volume "${failed.name}" could not be looked up (${failed.reason})` : 'not every named volume was looked up';
      return { ...refuse('SOCKGATE_DENY_BODY', `${why}: what it gives the container is not known`, normalized, endpoint), ...facts };
    }
    // Volumes that give nothing beyond the body leave its facts, and so its decision, as they were.
    const changed = found.volumes.some(volumeReaches);
    const view = changed ? withNamedVolumeFacts(bodyView, found.volumes) : bodyView;
    const rest: { -readonly [K in keyof Admission]: Admission[K] } = { ...pending, bodyFacts: view.facts };
    delete rest.volumeLookups;
    delete rest.imageLookup;
    delete rest.bodyView;
    delete rest.bodyDecision;
    delete rest.refs;
    const decision = decided(normalized, endpoint, !changed && pending.bodyDecision !== undefined ? pending.bodyDecision : evaluate(policy, factsOf(normalized, endpoint), view), policy);
    return { ...rest, ...withRefs(decision, pending.refs ?? []) };
  } catch (err) {
    return refuse('SOCKGATE_ERR_INTERNAL', `sockgate fault while deciding: ${(err as Error).message}`, pending.normalized, pending.endpoint);
  }
}

/**
 * Last step for a request whose decision depends on the container it acts on: decide with the
 * container as the engine reported it (and the decoded body, if one was read). A container that
 * could not be resolved is a denial: nothing can be said about it.
 */
export function admitTarget(policy: CompiledPolicy, pending: Admission, resolved: ResolvedTarget): Admission {
  try {
    const { normalized, endpoint } = pending;
    if (pending.targetRef === undefined || pending.needsBody || normalized === null || endpoint === null) {
      return refuse('SOCKGATE_ERR_INTERNAL', 'sockgate fault: admitTarget called for a request that needs no target', normalized, endpoint);
    }
    const carried = {
      ...(pending.bodyFacts !== undefined ? { bodyFacts: pending.bodyFacts } : {}),
      ...(pending.bodySummary !== undefined ? { bodySummary: pending.bodySummary } : {}),
    };
    // Outside the scope, a container does not exist for the client: say what the engine says
    // for a missing one, whether it exists or not, so its existence does not leak either.
    const { via, ref } = pending.targetRef;
    const missing = via === 'exec' ? `No such exec instance: ${ref}` : engineMissing({ kind: 'container', ref, pointer: '' });
    if (policy.scope !== null && (!resolved.ok || !inScope(policy, resolved.facts))) {
      return { ...refuse('SOCKGATE_DENY_OUT_OF_SCOPE', missing, normalized, endpoint), ...carried, ...(resolved.ok ? { target: resolved.facts } : {}) };
    }
    if (!resolved.ok) return { ...refuse('SOCKGATE_DENY_TARGET', resolved.reason, normalized, endpoint), ...carried };
    const decision = evaluate(policy, factsOf(normalized, endpoint), pending.bodyView, resolved.facts);
    const forward = pending.forwardBody !== undefined ? { forwardBody: pending.forwardBody } : {};
    return { ...withRefs(decided(normalized, endpoint, decision, policy), pending.refs ?? []), ...carried, ...forward, target: resolved.facts };
  } catch (err) {
    return refuse('SOCKGATE_ERR_INTERNAL', `sockgate fault while deciding: ${(err as Error).message}`, pending.normalized, pending.endpoint);
  }
}

/** Refusal for a body over the size limit. */
export function bodyTooLarge(pending: Admission, limit: number): Admission {
  return refuse('SOCKGATE_DENY_BODY_TOO_LARGE', `the body of ${pending.endpoint?.id ?? 'this request'} is larger than ${limit} bytes, the most sockgate reads to inspect it`, pending.normalized, pending.endpoint);
}

/** The one test for "forward this request": allowed by a final decision, nothing pending. */
export function isAllowed(a: Admission): boolean {
  return (
    a.decision.effect === 'allow' && a.code === null && !a.needsBody && a.normalized !== null && (a.targetRef === undefined || a.target !== undefined) && a.refs === undefined
  );
}

/**
 * Last step for a request that names other objects (in its path, query or body): each must be
 * one this profile can see. An object named in the path that it cannot see does not exist for
 * it (404 in the engine's words); one named in the body or query is refused with where it was
 * named. Any object that could not be looked up is refused: nothing can be said about it.
 */
export function admitRefs(policy: CompiledPolicy, pending: Admission, resolved: readonly ResolvedRef[]): Admission {
  try {
    const { normalized, endpoint } = pending;
    if (pending.refs === undefined || normalized === null) {
      return refuse('SOCKGATE_ERR_INTERNAL', 'sockgate fault: admitRefs called for a request that names no objects', normalized, endpoint);
    }
    const rest: { -readonly [K in keyof Admission]: Admission[K] } = { ...pending };
    delete rest.refs;
    if (pending.decision.effect === 'deny' || pending.code !== null) return rest;
    if (resolved.length !== pending.refs.length) return refuse('SOCKGATE_ERR_INTERNAL', 'sockgate fault: not every named object was resolved', normalized, endpoint);
    let pathObjectId: string | undefined;
    for (const r of resolved) {
      const visible = r.ok && objectVisible(policy, r.facts);
      if (r.ref.pointer === '') {
        if (!visible) return { ...refuse('SOCKGATE_DENY_OUT_OF_SCOPE', engineMissing(r.ref), normalized, endpoint), ...(rest.bodyFacts ? { bodyFacts: rest.bodyFacts } : {}) };
        if (r.ok && r.ref.kind === 'network') pathObjectId = r.facts.id;
        continue;
      }
      if (!visible) {
        const why = r.ok ? 'is not one this profile can see or use' : `could not be looked up (${r.reason})`;
        const refused = refuse('SOCKGATE_DENY_NOT_OWNED', `${r.ref.kind} "${r.ref.ref}" named at ${r.ref.pointer} ${why}`, normalized, endpoint);
        // The audit record names where: a body field by JSON pointer, a query parameter ("?networkmode") by name.
        const where = r.ref.pointer.startsWith('?') ? { queryParam: r.ref.pointer.slice(1) } : { bodyPointer: r.ref.pointer };
        return { ...refused, decision: { ...refused.decision, ...where } };
      }
    }
    return { ...rest, ...(pathObjectId !== undefined ? { pathObjectId } : {}) };
  } catch (err) {
    return refuse('SOCKGATE_ERR_INTERNAL', `sockgate fault while deciding: ${(err as Error).message}`, pending.normalized, pending.endpoint);
  }
}

/** The message a denied client sees, prefixed so users know the engine did not say it. */
export function denialMessage(admission: Admission): string {
  // Invisible containers are answered in the engine's own words (see admitTarget).
  if (admission.code === 'SOCKGATE_DENY_OUT_OF_SCOPE') return admission.decision.reason;
  return clientMessage(admission.code ?? 'SOCKGATE_DENY_POLICY', admission.decision.reason);
}

/**
 * An allowed build whose context turned out to break its rules as it streamed (its Dockerfile
 * fetches where the policy does not allow, or cannot be read): the denial that replaces it.
 */
export function refuseBuildContext(pending: Admission, reason: string, unreadable: boolean): Admission {
  const refused = refuse(unreadable ? 'SOCKGATE_DENY_BODY' : 'SOCKGATE_DENY_POLICY', `build context refused: ${reason}`, pending.normalized, pending.endpoint);
  return { ...refused, decision: { ...refused.decision, bodyPointer: '' } };
}
