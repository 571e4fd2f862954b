/**
 * Open streams (events, logs, stats, wait, attach, exec) and hijacked connections, kept so that
 * a reload decides each again under the new policy and closes those it would not allow, and so
 * that shutdown can end them (they never end by themselves).
 */

import type { IncomingMessage } from 'node:http';
import { admit, isAllowed } from '../gate.js';
import { bindOwner } from '../policy/ownership.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { resolveAndDecide } from './decide.js';
import type { Gateway, Profile, RequestContext } from './gateway.js';

/** An open stream or hijacked connection, and how to end it. */
export interface OpenStream {
  readonly ctx: RequestContext;
  readonly req: IncomingMessage;
  readonly upgrade: boolean;
  readonly close: () => void;
}

export type StreamRegistry = Set<OpenStream>;

/** Keep `stream` until `closes` emits 'close'. */
export function trackStream(g: Gateway, stream: OpenStream, closes: { once(event: 'close', fn: () => void): unknown }): void {
  g.streams.add(stream);
  closes.once('close', () => g.streams.delete(stream));
}

/** Decide an open stream's request again under `next`; close it when that policy would not allow it. */
async function recheck(g: Gateway, stream: OpenStream, next: CompiledPolicy): Promise<boolean> {
  const { ctx, req } = stream;
  let admission = admit(next, { method: req.method ?? '', target: ctx.rawTarget, headers: req.headers, upgrade: stream.upgrade });
  // A decision that needs the body cannot be made again (the body is gone): fail closed.
  if (!admission.needsBody) admission = await resolveAndDecide(g, next, admission);
  let keep = isAllowed(admission);
  // A scoped event stream is filtered by the scope it started with: a changed scope ends it.
  const endpointId = ctx.admission.endpoint?.id ?? '';
  if (keep && endpointId === 'system.events' && next.hash !== ctx.policy.hash && (next.scope !== null || ctx.policy.scope !== null)) keep = false;
  if (!keep && g.streams.has(stream)) {
    // An audit record: with --audit-file it goes to the audit file, like every other one.
    g.auditor.streamClosed({ reqId: ctx.reqId, listener: g.listener, profile: g.profileName, endpoint: endpointId, policyHash: next.hash, reason: admission.decision.reason, code: admission.code ?? 'SOCKGATE_DENY_POLICY' });
    stream.close();
  }
  return keep;
}

/**
 * Switch the listener to a new profile (a reload). Requests admitted before keep the policy that
 * admitted them; open streams and hijacked connections are decided again and closed when the new
 * policy would not allow them. Resolves with how many were checked and closed.
 */
export async function reloadProfile(g: Gateway, profile: Profile): Promise<{ streamsChecked: number; streamsClosed: number }> {
  const next = bindOwner(profile.policy, profile.name);
  g.policy = next;
  const streams = [...g.streams];
  const kept = await Promise.all(streams.map((s) => recheck(g, s, next).catch(() => (s.close(), false))));
  return { streamsChecked: streams.length, streamsClosed: kept.filter((k) => !k).length };
}

/** Shutdown: end open streams and hijacked connections; other requests are left to finish. */
export function closeStreams(g: Gateway): void {
  for (const s of g.streams) s.close();
  for (const s of g.hijacked) s.destroy();
}
