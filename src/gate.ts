/**
 * The gate: one pure function that turns what arrived on the wire (method, raw target, headers,
 * whether it asks for an upgrade) into an Admission: the normalised request, the endpoint it
 * reaches and the decision. Both the plain HTTP path and the upgrade path call it, so no request
 * reaches the engine on a path that skipped a check. Any exception here denies (fail closed).
 */

import type { IncomingHttpHeaders } from 'node:http';
import { ERRORS, type ErrorCode } from './errors.js';
import type { CompiledPolicy } from './policy/compile.js';
import type { BodyView } from './policy/body.js';
import { evaluate, inScope, needsBody, needsTarget, type Decision, type RequestFacts, type TargetFacts } from './policy/evaluate.js';
import { targetRefOf, type TargetRef } from './request/targets.js';
import { inspectBody } from './inspect/index.js';
import { matchEndpoint, type EndpointMatch } from './request/endpoint-match.js';
import { normalizeRequest, type NormalizedRequest } from './request/normalize.js';

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
}

function refuse(
  code: ErrorCode,
  reason: string,
  normalized: NormalizedRequest | null = null,
  endpoint: EndpointMatch | null = null,
): Admission {
  return { normalized, endpoint, code, needsBody: false, status: ERRORS[code].status, decision: { effect: 'deny', ruleId: null, reason } };
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const cl = headers['content-length'];
  return cl !== undefined && cl !== '0';
}

/**
 * Bodies the engine parses as form parameters: net/http ParseForm reads a form-urlencoded
 * POST/PUT/PATCH body into r.Form ahead of the query, and FormValue calls ParseMultipartForm,
 * which does the same for multipart/form-data (seen on POST /build, which never calls ParseForm).
 */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

/** Header checks that do not depend on the policy. Returns a reason to refuse, or null. */
function headerProblem(method: string, headers: IncomingHttpHeaders, upgrade: boolean): string | null {
  if ((method === 'GET' || method === 'HEAD') && hasBody(headers)) {
    return `${method} requests must not carry a body`;
  }
  const ct = headers['content-type'];
  if (ct !== undefined) {
    // Go reads Content-Type with strings.ToLower, which maps some non-ASCII runes to ASCII ones
    // (U+0130 → "i"): only plain ASCII values can be read the same way on both sides.
    if (!/^[\x20-\x7e]*$/.test(ct)) return 'Content-Type must be printable ASCII';
    const base = (ct.split(';', 1)[0] ?? '').trim().toLowerCase();
    // Parameters in such a body would override or add to the query sockgate checked.
    if (FORM_TYPES.has(base) && hasBody(headers)) {
      return `a body of type ${base} would be merged into the query parameters by the engine`;
    }
  }
  if (upgrade && headers['transfer-encoding'] !== undefined) {
    return 'an upgrade request must give its body length with Content-Length';
  }
  return null;
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
    const bodyNeeded = needsBody(policy, facts);
    if (bodyNeeded && input.upgrade) return refuse('SOCKGATE_DENY_HEADERS', 'a request whose body is inspected cannot be upgraded', normalized, endpoint);
    const targetRef = endpoint !== null && needsTarget(policy, facts) ? targetRefOf(endpoint) : null;
    if (bodyNeeded || targetRef !== null) {
      return {
        normalized,
        endpoint,
        needsBody: bodyNeeded,
        ...(targetRef !== null ? { targetRef } : {}),
        decision: { effect: 'deny', ruleId: null, reason: bodyNeeded ? 'the body has not been read' : 'the target has not been resolved' },
        code: null,
        status: 0,
      };
    }
    return decided(normalized, endpoint, evaluate(policy, facts));
  } catch (err) {
    return refuse('SOCKGATE_ERR_INTERNAL', `sockgate fault while deciding: ${(err as Error).message}`);
  }
}

function factsOf(normalized: NormalizedRequest, endpoint: EndpointMatch | null): RequestFacts {
  return { method: normalized.method, path: normalized.path, endpoint: endpoint?.id ?? null, query: normalized.query };
}

function decided(normalized: NormalizedRequest, endpoint: EndpointMatch | null, decision: Decision): Admission {
  if (decision.effect === 'deny') {
    return { normalized, endpoint, needsBody: false, decision, code: 'SOCKGATE_DENY_POLICY', status: ERRORS.SOCKGATE_DENY_POLICY.status };
  }
  return { normalized, endpoint, needsBody: false, decision, code: null, status: 0 };
}

/**
 * Second step for a request whose decision depends on its body: decode the body exactly as the
 * engine would (refusing any body whose meaning is not certain), then decide on that view.
 */
export function admitBody(policy: CompiledPolicy, pending: Admission, body: Uint8Array): Admission {
  try {
    const { normalized, endpoint } = pending;
    if (!pending.needsBody || normalized === null || endpoint === null) {
      return refuse('SOCKGATE_ERR_INTERNAL', 'sockgate fault: admitBody called for a request that needs no body', normalized, endpoint);
    }
    const inspected = inspectBody(endpoint.id, body);
    if (!inspected.ok) {
      return refuse('SOCKGATE_DENY_BODY', `body of ${endpoint.id} refused at ${inspected.pointer || '/'}: ${inspected.message}`, normalized, endpoint);
    }
    if (pending.targetRef !== undefined) {
      // Still waiting for the container the request acts on.
      return { ...pending, needsBody: false, bodyView: inspected.view, bodyFacts: inspected.view.facts };
    }
    return { ...decided(normalized, endpoint, evaluate(policy, factsOf(normalized, endpoint), inspected.view)), bodyFacts: inspected.view.facts };
  } catch (err) {
    return refuse('SOCKGATE_ERR_INTERNAL', `sockgate fault while deciding: ${(err as Error).message}`, pending.normalized, pending.endpoint);
  }
}

export type ResolvedTarget = { readonly ok: true; readonly facts: TargetFacts } | { readonly ok: false; readonly reason: string };

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
    const carried = pending.bodyFacts !== undefined ? { bodyFacts: pending.bodyFacts } : {};
    // Outside the scope, a container does not exist for the client: say what the engine says
    // for a missing one, whether it exists or not, so its existence does not leak either.
    const missing = `${pending.targetRef.via === 'exec' ? 'No such exec instance' : 'No such container'}: ${pending.targetRef.ref}`;
    if (policy.scope !== null && (!resolved.ok || !inScope(policy, resolved.facts))) {
      return { ...refuse('SOCKGATE_DENY_OUT_OF_SCOPE', missing, normalized, endpoint), ...carried, ...(resolved.ok ? { target: resolved.facts } : {}) };
    }
    if (!resolved.ok) return { ...refuse('SOCKGATE_DENY_TARGET', resolved.reason, normalized, endpoint), ...carried };
    const decision = evaluate(policy, factsOf(normalized, endpoint), pending.bodyView, resolved.facts);
    return { ...decided(normalized, endpoint, decision), ...carried, target: resolved.facts };
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
  return a.decision.effect === 'allow' && a.code === null && !a.needsBody && a.normalized !== null && (a.targetRef === undefined || a.target !== undefined);
}

/** The message a denied client sees, prefixed so users know the engine did not say it. */
export function denialMessage(admission: Admission): string {
  // Invisible containers are answered in the engine's own words (see admitTarget).
  if (admission.code === 'SOCKGATE_DENY_OUT_OF_SCOPE') return admission.decision.reason;
  return `sockgate: ${admission.decision.reason} [${admission.code ?? 'SOCKGATE_DENY_POLICY'}]`;
}
