import { describe, expect, it } from 'vitest';
import { createPrettyDestination, formatRecord, printable } from '../../../src/audit/pretty.js';

const TIME = Date.UTC(2026, 10, 29, 9, 12, 3);
const plain = { color: false, utc: true };

const DENIAL = {
  level: 40,
  time: TIME,
  pid: 1,
  kind: 'audit',
  reqId: '4f1c0b9e2a7d3e11',
  listener: '/run/sockgate/traefik.sock',
  profile: 'traefik',
  method: 'POST',
  path: '/containers/create',
  apiVersion: '1.41',
  endpoint: 'containers.create',
  effect: 'deny',
  rule: 'deny-privileged',
  reason: 'denied by rule deny-privileged (no privileged containers)',
  code: 'SOCKGATE_DENY_POLICY',
  policyHash: '9c1e',
  upgrade: false,
  client: { listener: '/run/sockgate/traefik.sock', profile: 'traefik', conn: 3 },
  bodyPointer: '/HostConfig/Privileged',
  msg: 'request denied',
};

describe('pretty log lines', () => {
  it('renders a denial as one line: time, DENY, profile, request, endpoint, rule with the body pointer, reason', () => {
    expect(formatRecord(JSON.stringify(DENIAL), plain)).toBe(
      '09:12:03 DENY   traefik  POST /containers/create  containers.create  rule=deny-privileged /HostConfig/Privileged  "denied by rule deny-privileged (no privileged containers)"  req=4f1c0b9e',
    );
  });

  it('renders an allowance decided by the default, and shows codes other than a policy denial', () => {
    const allowed = { ...DENIAL, level: 30, effect: 'allow', rule: null, reason: 'no rule matched', code: null, bodyPointer: undefined, msg: 'request allowed' };
    expect(formatRecord(JSON.stringify(allowed), plain)).toBe('09:12:03 ALLOW  traefik  POST /containers/create  containers.create  rule=(default)  "no rule matched"  req=4f1c0b9e');
    const malformed = { ...DENIAL, code: 'SOCKGATE_DENY_BODY', rule: null, bodyPointer: '/HostConfig/Binds/0' };
    expect(formatRecord(JSON.stringify(malformed), plain)).toContain('rule=(default) /HostConfig/Binds/0  SOCKGATE_DENY_BODY  "denied');
  });

  it('renders a completion with the client status, the engine status and the duration', () => {
    const done = { level: 30, time: TIME, kind: 'audit', reqId: '4f1c0b9e2a7d3e11', listener: 'l', client: { profile: 'traefik', conn: 3 }, endpoint: 'containers.create', effect: 'allow', status: 201, engineStatus: 201, durationMs: 12.5, aborted: false, msg: 'request completed' };
    expect(formatRecord(JSON.stringify(done), plain)).toBe('09:12:03 DONE   traefik  containers.create  201  engine=201  12.5ms  req=4f1c0b9e');
    expect(formatRecord(JSON.stringify({ ...done, status: 403, engineStatus: null }), plain)).toContain('403  engine=-');
  });

  it('renders other records as level, message and fields', () => {
    const rec = { level: 50, time: TIME, pid: 1, msg: 'audit record not written', code: 'SOCKGATE_ERR_AUDIT_WRITE', lost: 2 };
    expect(formatRecord(JSON.stringify(rec), plain)).toBe('09:12:03 ERROR  audit record not written  code=SOCKGATE_ERR_AUDIT_WRITE lost=2');
  });

  it('escapes control characters a client may have put in a path or reason, so a terminal never receives them', () => {
    const hostile = { ...DENIAL, path: '/x\x1b[2J\n\u009b31m', reason: 'r\x07' };
    const out = formatRecord(JSON.stringify(hostile), plain)!;
    expect([...out].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f))).toBe(false);
    expect(out).toContain('/x\\u001b[2J\\u000a\\u009b31m');
    expect(printable('a\tb')).toBe('a\\u0009b');
  });

  it('colours the label only when asked', () => {
    expect(formatRecord(JSON.stringify(DENIAL), { color: true, utc: true })).toContain('\x1b[31mDENY \x1b[0m');
    expect(formatRecord(JSON.stringify(DENIAL), plain)).not.toContain('\x1b');
  });

  it('writes one line per record and passes anything that is not a JSON object through, escaped', () => {
    let out = '';
    const dest = createPrettyDestination({ write: (s: string) => (out += s) }, plain);
    dest.write(JSON.stringify(DENIAL) + '\n');
    dest.write('not json \x1b\n');
    expect(out.split('\n')).toHaveLength(3);
    expect(out.split('\n')[1]).toBe('not json \\u001b');
  });
});
