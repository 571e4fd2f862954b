/**
 * What every stage of one listener's request path shares (the Gateway), and the stages that
 * open and close a request: admit (the gate on the request head, and its decision record) and
 * complete (the completion record). buildServer (src/server.ts) makes one Gateway per listener.
 *
 * The request path, stage by stage:
 *   admit (here) → short path (short-path.ts) | read body → decide (handle.ts, decide.ts)
 *   → forward or answer (forward.ts) | splice an upgrade (upgrade.ts) → complete (here).
 * Open streams are tracked for reloads (streams.ts); what a profile may see of an answer is
 * src/views/.
 */

import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { claimedUserAgent, type ClientIdentity, type ConnectionCounter } from '../audit/client.js';
import { decisionRecord, type Auditor } from '../audit/record.js';
import { admit, type Admission } from '../gate.js';
import { auditedDecision } from '../gate-audit.js';
import { upstreamFailure, type UpstreamFailure } from '../errors.js';
import type { ServerObserver } from '../observe.js';
import type { CompiledPolicy } from '../policy/compile.js';
import type { BuildContextRefused } from '../proxy/build-context-guard.js';
import type { EnginePool } from '../proxy/engine-pool.js';
import type { ImageLabelCache } from '../proxy/image-labels.js';
import { newRequestId } from '../proxy/request-id.js';
import type { TargetCache } from '../proxy/target-cache.js';
import type { StreamRegistry } from './streams.js';

/** What a listener serves: its profile's name and compiled policy. */
export interface Profile {
  readonly name: string;
  readonly policy: CompiledPolicy;
}

/** One request's life on the server, from its head to the end of its answer. */
export interface RequestContext {
  readonly reqId: string;
  readonly startedAt: number;
  admission: Admission;
  readonly rawTarget: string;
  completed: boolean;
  /** the policy that admitted the request (a reload does not change it) */
  readonly policy: CompiledPolicy;
  /** the connection's number on this listener (audit client.conn) */
  readonly conn: number;
  /** what the engine answered to the request itself; null until (unless) it does */
  engineStatus: number | null;
  /** set when a build's context was refused as it streamed (proxy/build-context-guard.ts) */
  buildRefusal?: BuildContextRefused;
}

/** What the stages of one listener share. Mutable fields change on reload or as the engine answers. */
export interface Gateway {
  readonly listener: string;
  readonly profileName: string;
  readonly logger: Logger;
  readonly auditor: Auditor;
  readonly observer: ServerObserver | undefined;
  readonly connections: ConnectionCounter;
  /** the policy new requests are admitted by (bound to the profile; a reload replaces it) */
  policy: CompiledPolicy;
  /**
   * The API version the engine advertises (its Api-Version header, on every answer): whether a
   * body key no known engine version has is ignored by this engine or may be applied (gate.ts
   * admitBody). Asked once at start and kept current from every answer; null until known.
   */
  engineApiVersion: string | null;
  readonly upstream: { readonly socketPath: string; readonly connectTimeoutMs: number; readonly headersTimeoutMs: number };
  readonly maxBodyBytes: number;
  readonly pool: EnginePool;
  readonly targetCache: TargetCache;
  readonly imageLabels: ImageLabelCache;
  /** each request's context, for the fastify handler (which sees the request, not the context) */
  readonly contexts: WeakMap<IncomingMessage, RequestContext>;
  readonly streams: StreamRegistry;
  /** hijacked connections leave the HTTP server's bookkeeping: tracked to close them on shutdown */
  readonly hijacked: Set<Duplex>;
}

/** Time allowed for the engine to answer a lookup (a request's target, a named object, an image). */
export const TARGET_LOOKUP_TIMEOUT_MS = 30_000;

export function clientOf(g: Gateway, ctx: RequestContext): ClientIdentity {
  return { listener: g.listener, profile: g.profileName, conn: ctx.conn };
}

/** The request's final decision: its audit record, and the observer's count. */
export function recordDecision(g: Gateway, ctx: RequestContext, req: IncomingMessage, upgrade: boolean): void {
  const { admission } = ctx;
  g.auditor.decision(
    decisionRecord(auditedDecision(admission), {
      reqId: ctx.reqId,
      listener: g.listener,
      profile: g.profileName,
      method: req.method ?? '',
      rawTarget: ctx.rawTarget,
      policy: ctx.policy,
      upgrade,
      client: clientOf(g, ctx),
      userAgent: claimedUserAgent(req.headers['user-agent']),
    }),
  );
  g.observer?.onDecision({
    listener: g.listener,
    profile: g.profileName,
    endpoint: admission.endpoint?.id ?? 'unknown',
    effect: admission.decision.effect,
    rule: admission.decision.ruleId,
    code: admission.code,
  });
}

/** Whether an admission waits for lookups through the engine before it is final. */
export function awaitsLookup(a: Admission): boolean {
  return a.code === null && ((a.targetRef !== undefined && a.target === undefined) || a.refs !== undefined || a.volumeLookups !== undefined || a.imageLookup !== undefined);
}

/**
 * Stage "admit": the gate on the request head (method, target, headers), under the policy in
 * force now. A decision that is final already is recorded here; one that waits for the body or
 * a lookup is recorded once it is final.
 */
export function admitRequest(g: Gateway, req: IncomingMessage, upgrade: boolean): RequestContext {
  const rawTarget = req.url ?? '';
  const policy = g.policy;
  const admission = admit(policy, { method: req.method ?? '', target: rawTarget, headers: req.headers, upgrade });
  const ctx: RequestContext = {
    reqId: newRequestId(),
    startedAt: performance.now(),
    admission,
    rawTarget,
    completed: false,
    policy,
    conn: g.connections.connOf(req.socket),
    engineStatus: null,
  };
  if (!admission.needsBody && !awaitsLookup(admission)) recordDecision(g, ctx, req, upgrade);
  return ctx;
}

/** Stage "complete": the completion record (once), when the answer or the hijacked stream ends. */
export function completeRequest(g: Gateway, ctx: RequestContext, status: number, aborted: boolean): void {
  if (ctx.completed) return;
  ctx.completed = true;
  const durationMs = Math.round((performance.now() - ctx.startedAt) * 1000) / 1000;
  const endpoint = ctx.admission.endpoint?.id ?? 'unknown';
  g.auditor.completed({
    reqId: ctx.reqId,
    listener: g.listener,
    client: clientOf(g, ctx),
    endpoint,
    effect: ctx.admission.decision.effect,
    policyHash: ctx.policy.hash,
    status,
    engineStatus: ctx.engineStatus,
    durationMs,
    aborted,
  });
  g.observer?.onCompleted({ listener: g.listener, endpoint, status, durationMs, aborted });
}

/** Keep the engine's advertised API version current from an answer's raw header lines. */
export function learnEngineVersion(g: Gateway, rawHeaders: readonly string[]): void {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.length === 11 && rawHeaders[i]!.toLowerCase() === 'api-version') g.engineApiVersion = rawHeaders[i + 1]!;
  }
}

/** An engine that could not be reached, did not answer in time or broke off: logged and counted. */
export function reportUpstreamError(g: Gateway, reqId: string, err: Error): void {
  g.logger.warn({ reqId, err }, 'upstream error');
  g.observer?.onUpstreamError();
}

/** An engine that could not be reached, or did not answer in time: reported, and the error the client gets. */
export function failedUpstream(g: Gateway, reqId: string, err: Error, timedOut: boolean): UpstreamFailure {
  reportUpstreamError(g, reqId, err);
  return upstreamFailure(err, timedOut, g.upstream);
}
