/**
 * Decide a request with the gate alone (no server, no engine) and write the audit decision record
 * server.ts would write for it: for tests of learn mode and `sockgate suggest`.
 */
import { admit, admitBody, admitCreateLookups, isAllowed, type Admission } from '../../src/gate.js';
import type { ResolvedImage } from '../../src/inspect/engine-answers.js';
import { auditedDecision } from '../../src/gate-audit.js';
import type { ResolvedVolume } from '../../src/inspect/named-volumes.js';
import { decisionRecord } from '../../src/audit/record.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';

export interface TestRequest {
  readonly method: string;
  readonly target: string;
  readonly body?: unknown;
}

/**
 * Decide a request (reading its body, if it has one and the gate asks for it). Targets are not
 * resolved; named volumes are looked up in `volumes` (by name), and are new volumes otherwise; the
 * image of a create is `image`, an image without labels by default.
 */
export function decide(policy: CompiledPolicy, req: TestRequest, volumes: Readonly<Record<string, ResolvedVolume>> = {}, image?: ResolvedImage): Admission {
  const bytes = req.body === undefined ? null : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
  const headers = bytes === null ? {} : { 'content-type': 'application/json', 'content-length': String(bytes.length) };
  let a = admit(policy, { method: req.method, target: req.target, headers, upgrade: false });
  if (a.needsBody) a = admitBody(policy, a, bytes ?? Buffer.alloc(0), '1.41');
  if (a.volumeLookups !== undefined || a.imageLookup !== undefined) {
    a = admitCreateLookups(policy, a, { volumes: (a.volumeLookups ?? []).map((name) => volumes[name] ?? { name, ok: true, exists: false }), image: image ?? { ok: true, exists: true, labels: {} } });
  }
  return a;
}

export function allowed(policy: CompiledPolicy, req: TestRequest): boolean {
  return isAllowed(decide(policy, req));
}

/** The decision record server.ts writes, as it appears in the JSON log (with pino's kind and time). */
export function recordOf(policy: CompiledPolicy, req: TestRequest, time: number, profile = policy.name, listener = '/run/test.sock'): Record<string, unknown> {
  const a = decide(policy, req);
  const record = decisionRecord(auditedDecision(a), { reqId: `r${time}`, listener, profile, method: req.method, rawTarget: req.target, policy, upgrade: false, client: { listener, profile, conn: 1 }, userAgent: null });
  return JSON.parse(
    JSON.stringify({
      level: a.decision.effect === 'deny' ? 40 : 30,
      time,
      kind: 'audit',
      ...record,
      msg: a.decision.effect === 'deny' ? 'request denied' : 'request allowed',
    }),
  ) as Record<string, unknown>;
}
