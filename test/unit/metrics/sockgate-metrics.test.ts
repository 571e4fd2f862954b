import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createSockgateMetrics } from '../../../src/metrics/sockgate-metrics.js';

function setup() {
  let now = 1_700_000_000_000;
  const metrics = createSockgateMetrics({
    version: '9.9.9',
    now: () => now,
    processFigures: () => ({ residentBytes: 12345, uptimeSeconds: 42.5 }),
  });
  return { metrics, advance: (ms: number) => (now += ms), now: () => now };
}

/** Lines of the exposition text for one metric name (samples only). */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '));
}

class FakeConnection extends EventEmitter {
  bytesRead = 0;
  bytesWritten = 0;
}

describe('sockgate metrics', () => {
  it('counts audit records the audit file lost, from the file\'s own count', () => {
    let lost = 0;
    const metrics = createSockgateMetrics({ version: '1', now: () => 0, processFigures: () => ({ residentBytes: 1, uptimeSeconds: 1 }), auditRecordsLost: () => lost });
    expect(samples(metrics.render(), 'sockgate_audit_records_lost_total')).toEqual(['sockgate_audit_records_lost_total 0']);
    lost = 3;
    expect(samples(metrics.render(), 'sockgate_audit_records_lost_total')).toEqual(['sockgate_audit_records_lost_total 3']);
    expect(samples(metrics.render(), 'sockgate_audit_records_lost_total')).toEqual(['sockgate_audit_records_lost_total 3']);
  });

  it('counts decisions by listener, profile, endpoint, effect, rule and code, with "" for none', () => {
    const { metrics } = setup();
    const o = metrics.observer('/run/a.sock');
    o.onDecision({ listener: '/run/a.sock', profile: 'p', endpoint: 'system.info', effect: 'allow', rule: 'allow-info', code: null });
    o.onDecision({ listener: '/run/a.sock', profile: 'p', endpoint: 'system.info', effect: 'allow', rule: 'allow-info', code: null });
    o.onDecision({ listener: '/run/a.sock', profile: 'p', endpoint: 'unknown', effect: 'deny', rule: null, code: 'SOCKGATE_DENY_REQUEST_TARGET' });
    const lines = samples(metrics.render(), 'sockgate_requests_total');
    expect(lines).toEqual([
      'sockgate_requests_total{listener="/run/a.sock",profile="p",endpoint="system.info",effect="allow",rule="allow-info",code=""} 2',
      'sockgate_requests_total{listener="/run/a.sock",profile="p",endpoint="unknown",effect="deny",rule="",code="SOCKGATE_DENY_REQUEST_TARGET"} 1',
    ]);
  });

  it('observes durations in seconds per listener and endpoint', () => {
    const { metrics } = setup();
    metrics.observer('l').onCompleted({ listener: 'l', endpoint: 'system.ping', status: 200, durationMs: 3, aborted: false });
    const text = metrics.render();
    expect(text).toContain('sockgate_request_duration_seconds_bucket{listener="l",endpoint="system.ping",le="0.0025"} 0\n');
    expect(text).toContain('sockgate_request_duration_seconds_bucket{listener="l",endpoint="system.ping",le="0.005"} 1\n');
    expect(text).toContain('sockgate_request_duration_seconds_sum{listener="l",endpoint="system.ping"} 0.003\n');
  });

  it('shows open streams and hijacks per listener from zero, up while open and back down', () => {
    const { metrics } = setup();
    const o = metrics.observer('l');
    expect(samples(metrics.render(), 'sockgate_open_streams')).toEqual(['sockgate_open_streams{listener="l",kind="stream"} 0', 'sockgate_open_streams{listener="l",kind="hijack"} 0']);
    o.onStreamOpen('hijack');
    o.onStreamOpen('stream');
    o.onStreamOpen('stream');
    expect(samples(metrics.render(), 'sockgate_open_streams')).toEqual(['sockgate_open_streams{listener="l",kind="stream"} 2', 'sockgate_open_streams{listener="l",kind="hijack"} 1']);
    o.onStreamClose('stream');
    o.onStreamClose('stream');
    o.onStreamClose('hijack');
    expect(samples(metrics.render(), 'sockgate_open_streams')).toEqual(['sockgate_open_streams{listener="l",kind="stream"} 0', 'sockgate_open_streams{listener="l",kind="hijack"} 0']);
  });

  it('counts connection bytes as they flow (at every scrape) and once more at close, never twice', () => {
    const { metrics } = setup();
    const o = metrics.observer('l');
    const c = new FakeConnection();
    o.onConnection(c);
    c.bytesRead = 100;
    c.bytesWritten = 1000;
    expect(samples(metrics.render(), 'sockgate_bytes_total')).toEqual(['sockgate_bytes_total{listener="l",direction="in"} 100', 'sockgate_bytes_total{listener="l",direction="out"} 1000']);
    c.bytesRead = 150;
    c.bytesWritten = 1200;
    c.emit('close');
    c.bytesRead = 999; // after close, nothing more is counted
    expect(samples(metrics.render(), 'sockgate_bytes_total')).toEqual(['sockgate_bytes_total{listener="l",direction="in"} 150', 'sockgate_bytes_total{listener="l",direction="out"} 1200']);
  });

  it('counts upstream errors per listener', () => {
    const { metrics } = setup();
    const o = metrics.observer('l');
    o.onUpstreamError();
    o.onUpstreamError();
    expect(samples(metrics.render(), 'sockgate_upstream_errors_total')).toEqual(['sockgate_upstream_errors_total{listener="l"} 2']);
  });

  it('records the start-up load as a success and lists the policies in force', () => {
    const { metrics, now } = setup();
    expect(metrics.policyState()).toEqual({ loaded: false, loadedAt: null, lastReload: null });
    metrics.setProfiles([{ listener: '/a.sock', profile: 'a', hash: 'h1' }]);
    const text = metrics.render();
    expect(samples(text, 'sockgate_policy_info')).toEqual(['sockgate_policy_info{listener="/a.sock",profile="a",hash="h1"} 1']);
    expect(samples(text, 'sockgate_last_reload_success')).toEqual(['sockgate_last_reload_success 1']);
    expect(samples(text, 'sockgate_last_reload_timestamp_seconds')).toEqual([`sockgate_last_reload_timestamp_seconds ${now() / 1000}`]);
    expect(samples(text, 'sockgate_reloads_total')).toEqual(['sockgate_reloads_total{result="success"} 0', 'sockgate_reloads_total{result="failure"} 0']);
    expect(metrics.policyState()).toEqual({ loaded: true, loadedAt: now(), lastReload: null });
  });

  it('keeps the old policy info on a failed reload, shows the failure, and clears it on the next success', () => {
    const { metrics, advance, now } = setup();
    metrics.setProfiles([{ listener: '/a.sock', profile: 'a', hash: 'h1' }]);
    advance(5000);
    metrics.reloadFailed(['a.yaml:3:1: unknown key "rulez"']);
    let text = metrics.render();
    expect(samples(text, 'sockgate_policy_info')).toEqual(['sockgate_policy_info{listener="/a.sock",profile="a",hash="h1"} 1']);
    expect(samples(text, 'sockgate_last_reload_success')).toEqual(['sockgate_last_reload_success 0']);
    expect(samples(text, 'sockgate_reloads_total')).toContain('sockgate_reloads_total{result="failure"} 1');
    expect(metrics.policyState().lastReload).toEqual({ ok: false, at: now(), problems: ['a.yaml:3:1: unknown key "rulez"'] });
    expect(metrics.policyState().loaded).toBe(true);

    advance(5000);
    metrics.reloadSucceeded([{ listener: '/a.sock', profile: 'a', hash: 'h2' }]);
    text = metrics.render();
    expect(samples(text, 'sockgate_policy_info')).toEqual(['sockgate_policy_info{listener="/a.sock",profile="a",hash="h2"} 1']);
    expect(samples(text, 'sockgate_last_reload_success')).toEqual(['sockgate_last_reload_success 1']);
    expect(samples(text, 'sockgate_last_reload_timestamp_seconds')).toEqual([`sockgate_last_reload_timestamp_seconds ${now() / 1000}`]);
    expect(samples(text, 'sockgate_reloads_total')).toEqual(['sockgate_reloads_total{result="success"} 1', 'sockgate_reloads_total{result="failure"} 1']);
    expect(metrics.policyState()).toEqual({ loaded: true, loadedAt: now(), lastReload: { ok: true, at: now(), problems: [] } });
  });

  it('exposes memory, uptime and the version', () => {
    const text = setup().metrics.render();
    expect(samples(text, 'process_resident_memory_bytes')).toEqual(['process_resident_memory_bytes 12345']);
    expect(samples(text, 'sockgate_uptime_seconds')).toEqual(['sockgate_uptime_seconds 42.5']);
    expect(samples(text, 'sockgate_build_info')).toEqual(['sockgate_build_info{version="9.9.9"} 1']);
  });
});
