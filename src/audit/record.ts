/**
 * The audit record and its single writer. Every request sockgate receives produces exactly one
 * decision record (denials at warn) and, when the response ends, one completion record with the
 * status and duration. Records carry normalised facts only: never bodies, never credential
 * headers (the logger also redacts those if anything tries).
 */

import type { Logger } from 'pino';
import type { ClientIdentity } from './client.js';

export interface AuditDecisionRecord {
  readonly reqId: string;
  readonly listener: string;
  readonly profile: string;
  readonly method: string;
  /** decoded, version-less path; the raw target when the request could not be normalised */
  readonly path: string;
  readonly apiVersion: string | null;
  readonly endpoint: string;
  readonly effect: 'allow' | 'deny';
  readonly rule: string | null;
  readonly reason: string;
  readonly code: string | null;
  readonly policyHash: string;
  readonly upgrade: boolean;
  /** who sent it: listener, profile and connection number (never anything the client claims) */
  readonly client: ClientIdentity;
  /** the client's User-Agent header: a claim, not identity; absent when not sent */
  readonly userAgent?: string;
  /** JSON pointer of the body field that decided (the deciding rule's body evidence, or where a malformed body was refused) */
  readonly bodyPointer?: string;
  /** all such fields, when there are several */
  readonly bodyPointers?: readonly string[];
  /** the query parameter that decided (a deny rule's, or the one an allow rule's condition failed on) */
  readonly queryParam?: string;
  /** the profile's policy mode: in audit (learn) mode, policy denials are forwarded and recorded in `wouldBe` */
  readonly mode?: 'enforce' | 'audit';
  /** audit mode: the denial the policy made and sockgate did not enforce */
  readonly wouldBe?: { readonly effect: 'deny'; readonly rule: string | null; readonly reason: string; readonly code: string };
  /** audit mode: the security-relevant body fields (src/inspect/summary.ts), read by `sockgate suggest` */
  readonly bodySummary?: Readonly<Record<string, unknown>>;
  /** derived body facts the decision could use */
  readonly bodyFacts?: Readonly<Record<string, unknown>>;
  /** the container the request acted on, as resolved */
  readonly target?: { readonly id: string; readonly name: string };
}

/**
 * What a decision record says about the decision itself, as plain data. The gate side builds it
 * from its admission (gate-audit.ts auditedDecision), so that audit/ depends on no decision code.
 */
export interface AuditedDecision {
  /** decoded, version-less path; null when the request could not be normalised */
  readonly path: string | null;
  readonly apiVersion: string | null;
  /** endpoint id; null when the path matches no known endpoint */
  readonly endpoint: string | null;
  readonly effect: 'allow' | 'deny';
  readonly rule: string | null;
  readonly reason: string;
  readonly code: string | null;
  readonly bodyPointer?: string;
  readonly bodyPointers?: readonly string[];
  readonly queryParam?: string;
  readonly wouldBe?: AuditDecisionRecord['wouldBe'];
  readonly bodyFacts?: Readonly<Record<string, unknown>>;
  readonly bodySummary?: Readonly<Record<string, unknown>>;
  readonly target?: { readonly id: string; readonly name: string };
}

/** What the server knows about a request besides the decision. */
export interface DecisionContext {
  readonly reqId: string;
  readonly listener: string;
  readonly profile: string;
  readonly method: string;
  /** the request target as received (used when it could not be normalised) */
  readonly rawTarget: string;
  readonly policy: { readonly hash: string; readonly mode: 'enforce' | 'audit' };
  readonly upgrade: boolean;
  readonly client: ClientIdentity;
  readonly userAgent: string | null;
}

/** The one decision record of a request (the server writes it; tests build the same record). */
export function decisionRecord(d: AuditedDecision, c: DecisionContext): AuditDecisionRecord {
  return {
    reqId: c.reqId,
    listener: c.listener,
    profile: c.profile,
    method: c.method,
    path: d.path ?? c.rawTarget.slice(0, 512),
    apiVersion: d.apiVersion,
    endpoint: d.endpoint ?? 'unknown',
    effect: d.effect,
    rule: d.rule,
    reason: d.reason,
    code: d.code,
    policyHash: c.policy.hash,
    upgrade: c.upgrade,
    client: c.client,
    ...(c.userAgent !== null ? { userAgent: c.userAgent } : {}),
    ...(d.bodyPointer !== undefined ? { bodyPointer: d.bodyPointer } : {}),
    ...(d.bodyPointers !== undefined ? { bodyPointers: d.bodyPointers } : {}),
    ...(d.queryParam !== undefined ? { queryParam: d.queryParam } : {}),
    mode: c.policy.mode,
    ...(d.wouldBe !== undefined ? { wouldBe: d.wouldBe } : {}),
    ...(d.bodyFacts !== undefined ? { bodyFacts: d.bodyFacts } : {}),
    ...(d.bodySummary !== undefined ? { bodySummary: d.bodySummary } : {}),
    ...(d.target !== undefined ? { target: d.target } : {}),
  };
}

/** Meaningful on its own: what was asked (endpoint), what was decided, and what each side answered. */
export interface AuditCompletionRecord {
  readonly reqId: string;
  readonly listener: string;
  readonly client: ClientIdentity;
  readonly endpoint: string;
  readonly effect: 'allow' | 'deny';
  readonly policyHash: string;
  /** the status the client got (0 when no answer was sent) */
  readonly status: number;
  /** the status the engine answered; null when the request never reached the engine */
  readonly engineStatus: number | null;
  readonly durationMs: number;
  readonly aborted: boolean;
}

/** Fields pino must never print, wherever they turn up. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-registry-auth"]',
  'req.headers["x-registry-config"]',
  'headers.authorization',
  'headers["x-registry-auth"]',
  'headers["x-registry-config"]',
];

/** An open stream (events, logs, attach, exec) ended by sockgate because a reloaded policy no longer allows it. */
export interface AuditStreamClosedRecord {
  readonly reqId: string;
  readonly listener: string;
  readonly profile: string;
  readonly endpoint: string;
  /** the reloaded policy that ended it */
  readonly policyHash: string;
  readonly reason: string;
  readonly code: string;
}

export interface Auditor {
  decision(record: AuditDecisionRecord): void;
  completed(record: AuditCompletionRecord): void;
  streamClosed(record: AuditStreamClosedRecord): void;
}

/**
 * The auditor writing to `logger`. `flush` (the logger's CoalescingDestination, when it has one)
 * is called after every decision and stream-closed record, so that each is written before the
 * request goes on, together with the completion records held since (audit/coalesce.ts).
 */
export function createAuditor(logger: Logger, flush: () => void = () => undefined): Auditor {
  const audit = logger.child({ kind: 'audit' });
  return {
    decision(record) {
      if (record.effect === 'deny') audit.warn(record, 'request denied');
      else audit.info(record, 'request allowed');
      flush();
    },
    completed(record) {
      audit.info(record, 'request completed');
    },
    streamClosed(record) {
      audit.warn(record, 'stream closed: the reloaded policy does not allow it');
      flush();
    },
  };
}
