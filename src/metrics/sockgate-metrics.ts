/**
 * The metrics sockgate exposes on /metrics, and the API the server, the CLI and hot reload call.
 * Pure: process figures (memory, clock) are passed in (cli.ts reads them from process).
 *
 * Cardinality is bounded by configuration, never by clients: labels are listener and profile
 * names, endpoint ids from the endpoint table ("unknown" otherwise), rule ids from the policy,
 * sockgate error codes, and fixed words.
 *
 * Hot reload calls:
 *   - setProfiles(profiles)      the policies now in force (replaces sockgate_policy_info); at
 *                                start-up the daemon calls it once, which counts as a successful load
 *   - reloadSucceeded(profiles)  a reload applied: counts it, records the time, setProfiles(profiles)
 *   - reloadFailed(problems)     a reload refused (old policies stay): counts it, keeps the problems
 *                                for /healthz; sockgate_policy_info is unchanged
 */

import type { ObservedCompletion, ObservedConnection, ObservedDecision, ServerObserver, StreamKind } from '../observe.js';
import { Registry } from './registry.js';

/** One listener's policy in force. */
export interface PolicyInfo {
  readonly listener: string;
  readonly profile: string;
  /** the compiled policy's hash */
  readonly hash: string;
}

export interface ReloadState {
  readonly ok: boolean;
  /** ms since the epoch */
  readonly at: number;
  /** why the last reload failed; empty when it succeeded */
  readonly problems: readonly string[];
}

export interface PolicyState {
  /** some policy is in force (setProfiles or reloadSucceeded was called with at least one profile) */
  readonly loaded: boolean;
  /** ms since the epoch of the load in force, null before any */
  readonly loadedAt: number | null;
  /** the last reload attempt since start, null if none was made */
  readonly lastReload: ReloadState | null;
}

export interface ProcessFigures {
  readonly residentBytes: number;
  readonly uptimeSeconds: number;
}

export interface MetricsDeps {
  readonly version: string;
  /** ms since the epoch */
  readonly now: () => number;
  readonly processFigures: () => ProcessFigures;
  /** audit records that could not be written to the audit file so far (absent: no audit file) */
  readonly auditRecordsLost?: () => number;
}

export interface SockgateMetrics {
  readonly registry: Registry;
  /** the observer to give buildServer for one listener */
  observer(listener: string): ServerObserver;
  setProfiles(profiles: readonly PolicyInfo[]): void;
  reloadSucceeded(profiles: readonly PolicyInfo[]): void;
  reloadFailed(problems: readonly string[]): void;
  policyState(): PolicyState;
  /** the exposition text (refreshes process figures and connection byte counts first) */
  render(): string;
}

/** Most reload problems kept for /healthz (the log has all of them). */
const MAX_KEPT_PROBLEMS = 20;

export function createSockgateMetrics(deps: MetricsDeps): SockgateMetrics {
  const registry = new Registry();
  const requests = registry.counter(
    'sockgate_requests_total',
    'Requests decided, by listener, profile, endpoint id, effect, deciding rule ("" when none) and sockgate code ("" when allowed).',
    ['listener', 'profile', 'endpoint', 'effect', 'rule', 'code'],
  );
  const duration = registry.histogram(
    'sockgate_request_duration_seconds',
    'Time from receiving a request to the end of its response (for streams and hijacked connections: until they close).',
    ['listener', 'endpoint'],
  );
  const openStreams = registry.gauge(
    'sockgate_open_streams',
    'Open long-lived exchanges: kind "stream" is a forwarded response without Content-Length still being sent, "hijack" an upgraded (attach, exec) connection.',
    ['listener', 'kind'],
  );
  const bytes = registry.counter('sockgate_bytes_total', 'Bytes on client connections (HTTP heads included): "in" read from clients, "out" written to them.', ['listener', 'direction']);
  const upstreamErrors = registry.counter('sockgate_upstream_errors_total', 'Forwarded requests that failed because the engine was unreachable, timed out or broke off.', ['listener']);
  const reloads = registry.counter('sockgate_reloads_total', 'Policy reload attempts, by result.', ['result']);
  const lastReloadSuccess = registry.gauge('sockgate_last_reload_success', '1 if the last policy load or reload succeeded, 0 if it failed (the previous policies stay in force).');
  const lastReloadTime = registry.gauge('sockgate_last_reload_timestamp_seconds', 'Time of the last policy load or reload attempt, in seconds since the epoch.');
  const policyInfo = registry.gauge('sockgate_policy_info', 'The policy in force on each listener (value 1).', ['listener', 'profile', 'hash']);
  const resident = registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.');
  const uptime = registry.gauge('sockgate_uptime_seconds', 'Seconds since sockgate started.');
  const buildInfo = registry.gauge('sockgate_build_info', 'The running sockgate version (value 1).', ['version']);
  buildInfo.set({ version: deps.version }, 1);
  const auditLost = registry.counter('sockgate_audit_records_lost_total', 'Audit records that could not be written to the audit file (the request was still decided and served; see SOCKGATE_ERR_AUDIT_WRITE in the log).');
  let auditLostSeen = 0;
  auditLost.inc({}, 0);
  reloads.inc({ result: 'success' }, 0);
  reloads.inc({ result: 'failure' }, 0);

  // Live client connections and how many of their bytes were already counted.
  const connections = new Map<ObservedConnection, { listener: string; read: number; written: number }>();
  const countBytes = (c: ObservedConnection): void => {
    const seen = connections.get(c);
    if (seen === undefined) return;
    const read = c.bytesRead;
    const written = c.bytesWritten;
    if (read > seen.read) bytes.inc({ listener: seen.listener, direction: 'in' }, read - seen.read);
    if (written > seen.written) bytes.inc({ listener: seen.listener, direction: 'out' }, written - seen.written);
    seen.read = Math.max(seen.read, read);
    seen.written = Math.max(seen.written, written);
  };

  registry.onCollect(() => {
    const p = deps.processFigures();
    resident.set({}, p.residentBytes);
    uptime.set({}, p.uptimeSeconds);
    for (const c of connections.keys()) countBytes(c);
    const lost = deps.auditRecordsLost?.() ?? 0;
    if (lost > auditLostSeen) auditLost.inc({}, lost - auditLostSeen);
    auditLostSeen = Math.max(auditLostSeen, lost);
  });

  let policy: PolicyState = { loaded: false, loadedAt: null, lastReload: null };

  const setProfiles = (profiles: readonly PolicyInfo[]): void => {
    policyInfo.reset();
    for (const p of profiles) policyInfo.set({ listener: p.listener, profile: p.profile, hash: p.hash }, 1);
    const at = deps.now();
    policy = { ...policy, loaded: profiles.length > 0, loadedAt: at };
    // The start-up load counts as the last successful load until a reload is attempted.
    if (policy.lastReload === null) {
      lastReloadSuccess.set({}, 1);
      lastReloadTime.set({}, at / 1000);
    }
  };

  const observer = (listener: string): ServerObserver => ({
    onDecision(r: ObservedDecision) {
      requests.inc({ listener, profile: r.profile, endpoint: r.endpoint, effect: r.effect, rule: r.rule ?? '', code: r.code ?? '' });
    },
    onCompleted(r: ObservedCompletion) {
      duration.observe({ listener, endpoint: r.endpoint }, r.durationMs / 1000);
    },
    onStreamOpen(kind: StreamKind) {
      openStreams.inc({ listener, kind });
    },
    onStreamClose(kind: StreamKind) {
      openStreams.dec({ listener, kind });
    },
    onUpstreamError() {
      upstreamErrors.inc({ listener });
    },
    onConnection(c: ObservedConnection) {
      connections.set(c, { listener, read: 0, written: 0 });
      c.once('close', () => {
        countBytes(c);
        connections.delete(c);
      });
    },
  });

  return {
    registry,
    observer(listener) {
      // Present from the start so dashboards see 0, not "no data".
      openStreams.inc({ listener, kind: 'stream' }, 0);
      openStreams.inc({ listener, kind: 'hijack' }, 0);
      upstreamErrors.inc({ listener }, 0);
      bytes.inc({ listener, direction: 'in' }, 0);
      bytes.inc({ listener, direction: 'out' }, 0);
      return observer(listener);
    },
    setProfiles,
    reloadSucceeded(profiles) {
      const at = deps.now();
      reloads.inc({ result: 'success' });
      policy = { ...policy, lastReload: { ok: true, at, problems: [] } };
      lastReloadSuccess.set({}, 1);
      lastReloadTime.set({}, at / 1000);
      setProfiles(profiles);
    },
    reloadFailed(problems) {
      const at = deps.now();
      reloads.inc({ result: 'failure' });
      policy = { ...policy, lastReload: { ok: false, at, problems: problems.slice(0, MAX_KEPT_PROBLEMS) } };
      lastReloadSuccess.set({}, 0);
      lastReloadTime.set({}, at / 1000);
    },
    policyState: () => policy,
    render: () => registry.render(),
  };
}
