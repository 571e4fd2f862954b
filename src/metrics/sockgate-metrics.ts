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

/** Register sockgate's metric families on `registry`, in exposition order, with their always-present series at 0. */
function registerFamilies(registry: Registry, version: string) {
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
  buildInfo.set({ version }, 1);
  const auditLost = registry.counter('sockgate_audit_records_lost_total', 'Audit records that could not be written to the audit file (the request was still decided and served; see SOCKGATE_ERR_AUDIT_WRITE in the log).');
  auditLost.inc({}, 0);
  reloads.inc({ result: 'success' }, 0);
  reloads.inc({ result: 'failure' }, 0);
  return { requests, duration, openStreams, bytes, upstreamErrors, reloads, lastReloadSuccess, lastReloadTime, policyInfo, resident, uptime, auditLost };
}

type Families = ReturnType<typeof registerFamilies>;

/** What the metrics remember between calls. */
interface MetricsState {
  readonly deps: MetricsDeps;
  readonly m: Families;
  /** live client connections and how many of their bytes were already counted */
  readonly connections: Map<ObservedConnection, { listener: string; read: number; written: number }>;
  /** audit records lost that are already counted */
  auditLostSeen: number;
  policy: PolicyState;
}

/** Count the bytes a live connection moved since it was last counted (nothing once it is forgotten). */
function countBytes(s: MetricsState, c: ObservedConnection): void {
  const seen = s.connections.get(c);
  if (seen === undefined) return;
  const read = c.bytesRead;
  const written = c.bytesWritten;
  if (read > seen.read) s.m.bytes.inc({ listener: seen.listener, direction: 'in' }, read - seen.read);
  if (written > seen.written) s.m.bytes.inc({ listener: seen.listener, direction: 'out' }, written - seen.written);
  seen.read = Math.max(seen.read, read);
  seen.written = Math.max(seen.written, written);
}

/** Before each exposition: refresh process figures, connection bytes and the audit file's lost count. */
function collect(s: MetricsState): void {
  const p = s.deps.processFigures();
  s.m.resident.set({}, p.residentBytes);
  s.m.uptime.set({}, p.uptimeSeconds);
  for (const c of s.connections.keys()) countBytes(s, c);
  const lost = s.deps.auditRecordsLost?.() ?? 0;
  if (lost > s.auditLostSeen) s.m.auditLost.inc({}, lost - s.auditLostSeen);
  s.auditLostSeen = Math.max(s.auditLostSeen, lost);
}

/** Put `profiles` in force as sockgate_policy_info; before any reload attempt this is also the last successful load. */
function setProfiles(s: MetricsState, profiles: readonly PolicyInfo[]): void {
  s.m.policyInfo.reset();
  for (const p of profiles) s.m.policyInfo.set({ listener: p.listener, profile: p.profile, hash: p.hash }, 1);
  const at = s.deps.now();
  s.policy = { ...s.policy, loaded: profiles.length > 0, loadedAt: at };
  // The start-up load counts as the last successful load until a reload is attempted.
  if (s.policy.lastReload === null) {
    s.m.lastReloadSuccess.set({}, 1);
    s.m.lastReloadTime.set({}, at / 1000);
  }
}

/** Record a reload attempt's result and time (a failure keeps at most MAX_KEPT_PROBLEMS problems). */
function recordReload(s: MetricsState, ok: boolean, problems: readonly string[]): void {
  const at = s.deps.now();
  s.m.reloads.inc({ result: ok ? 'success' : 'failure' });
  s.policy = { ...s.policy, lastReload: { ok, at, problems: ok ? [] : problems.slice(0, MAX_KEPT_PROBLEMS) } };
  s.m.lastReloadSuccess.set({}, ok ? 1 : 0);
  s.m.lastReloadTime.set({}, at / 1000);
}

/** The observer of one listener: each event it hears becomes a sample labelled with `listener`. */
function listenerObserver(s: MetricsState, listener: string): ServerObserver {
  const { requests, duration, openStreams, upstreamErrors } = s.m;
  return {
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
      s.connections.set(c, { listener, read: 0, written: 0 });
      c.once('close', () => {
        countBytes(s, c);
        s.connections.delete(c);
      });
    },
  };
}

/** Make a listener's series present from the start, so dashboards see 0, not "no data". */
function addListenerSeries(m: Families, listener: string): void {
  m.openStreams.inc({ listener, kind: 'stream' }, 0);
  m.openStreams.inc({ listener, kind: 'hijack' }, 0);
  m.upstreamErrors.inc({ listener }, 0);
  m.bytes.inc({ listener, direction: 'in' }, 0);
  m.bytes.inc({ listener, direction: 'out' }, 0);
}

/** The metrics of one sockgate process (see the file comment for who calls what). */
export function createSockgateMetrics(deps: MetricsDeps): SockgateMetrics {
  const registry = new Registry();
  const s: MetricsState = {
    deps,
    m: registerFamilies(registry, deps.version),
    connections: new Map(),
    auditLostSeen: 0,
    policy: { loaded: false, loadedAt: null, lastReload: null },
  };
  registry.onCollect(() => collect(s));
  return {
    registry,
    observer(listener) {
      addListenerSeries(s.m, listener);
      return listenerObserver(s, listener);
    },
    setProfiles: (profiles) => setProfiles(s, profiles),
    reloadSucceeded(profiles) {
      recordReload(s, true, []);
      setProfiles(s, profiles);
    },
    reloadFailed: (problems) => recordReload(s, false, problems),
    policyState: () => s.policy,
    render: () => registry.render(),
  };
}
