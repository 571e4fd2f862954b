/**
 * The audit record and its single writer. Every request sockgate receives produces exactly one
 * decision record (denials at warn) and, when the response ends, one completion record with the
 * status and duration. Records carry normalised facts only: never bodies, never credential
 * headers (the logger also redacts those if anything tries).
 */

import type { Logger } from 'pino';

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
}

export interface AuditCompletionRecord {
  readonly reqId: string;
  readonly listener: string;
  readonly status: number;
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

export interface Auditor {
  decision(record: AuditDecisionRecord): void;
  completed(record: AuditCompletionRecord): void;
}

export function createAuditor(logger: Logger): Auditor {
  const audit = logger.child({ kind: 'audit' });
  return {
    decision(record) {
      if (record.effect === 'deny') audit.warn(record, 'request denied');
      else audit.info(record, 'request allowed');
    },
    completed(record) {
      audit.info(record, 'request completed');
    },
  };
}
