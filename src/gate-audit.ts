/**
 * The gate's side of the audit boundary: an admission as the plain data a decision record needs
 * (audit/record.ts AuditedDecision). It lives here, not in audit/, so that the audit record
 * depends on no decision code and the gate's internals can change without touching it.
 */

import type { AuditedDecision } from './audit/record.js';
import type { Admission } from './gate.js';

/** What the decision record of a request says about its admission. */
export function auditedDecision(admission: Admission): AuditedDecision {
  const { decision } = admission;
  return {
    path: admission.normalized?.path ?? null,
    apiVersion: admission.normalized?.apiVersion ?? null,
    endpoint: admission.endpoint?.id ?? null,
    effect: decision.effect,
    rule: decision.ruleId,
    reason: decision.reason,
    code: admission.code,
    ...(decision.bodyPointer !== undefined ? { bodyPointer: decision.bodyPointer } : {}),
    ...(decision.bodyPointers !== undefined ? { bodyPointers: decision.bodyPointers } : {}),
    ...(decision.queryParam !== undefined ? { queryParam: decision.queryParam } : {}),
    ...(admission.wouldBe !== undefined ? { wouldBe: admission.wouldBe } : {}),
    ...(admission.bodyFacts !== undefined ? { bodyFacts: admission.bodyFacts } : {}),
    ...(admission.bodySummary !== undefined ? { bodySummary: admission.bodySummary } : {}),
    ...(admission.target !== undefined ? { target: { id: admission.target.id, name: admission.target.name } } : {}),
  };
}
