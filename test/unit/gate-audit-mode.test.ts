import { describe, expect, it } from 'vitest';
import { admit, admitTarget, isAllowed } from '../../src/gate.js';
import { loadConfigText } from '../../src/config/file.js';
import { loadPolicyText } from '../../src/policy/load.js';
import { policyFromYaml } from '../helpers/proxy.js';
import { decide } from '../helpers/gate-record.js';

const rules = `rules:
  - id: allow-reads
    effect: allow
    methods: [GET]
    endpoints: [containers.list, system.ping]
  - id: deny-privileged
    effect: deny
    endpoints: [containers.create]
    body:
      - path: HostConfig.Privileged
        equals: true
`;
const AUDIT = policyFromYaml(`version: 1\nname: learn\nmode: audit\ndefault: deny\n${rules}`);
const ENFORCE = policyFromYaml(`version: 1\nname: strict\ndefault: deny\n${rules}`);
const NO_BODY_RULES = policyFromYaml('version: 1\nname: learn\nmode: audit\ndefault: deny\nrules: []\n');

const privileged = { method: 'POST', target: '/v1.41/containers/create', body: { Image: 'x', HostConfig: { Privileged: true } } };

describe('learn mode (mode: audit) in the gate', () => {
  it('forwards a request the default would deny, keeping the denial as wouldBe', () => {
    const a = decide(AUDIT, { method: 'POST', target: '/v1.41/containers/abc/kill' });
    expect(isAllowed(a)).toBe(true);
    expect(a.wouldBe).toEqual({ effect: 'deny', rule: null, reason: expect.stringContaining('defaults to deny') as string, code: 'SOCKGATE_DENY_POLICY' });
    expect(a.decision.reason).toMatch(/^audit mode: forwarded; the policy would deny it: no rule matched POST/);
  });

  it('forwards a request a deny rule matches, naming the rule in wouldBe', () => {
    const a = decide(AUDIT, privileged);
    expect(isAllowed(a)).toBe(true);
    expect(a.wouldBe).toMatchObject({ rule: 'deny-privileged', code: 'SOCKGATE_DENY_POLICY' });
    expect(a.bodySummary).toMatchObject({ 'HostConfig.Privileged': true, Image: 'x', '$facts.hostPaths': null });
  });

  it('leaves requests the policy allows as they are, without wouldBe', () => {
    const a = decide(AUDIT, { method: 'GET', target: '/v1.41/containers/json' });
    expect(a).toMatchObject({ code: null, decision: { effect: 'allow', ruleId: 'allow-reads' } });
    expect(a.wouldBe).toBeUndefined();
  });

  it('enforces the same policy in enforce mode', () => {
    const a = decide(ENFORCE, privileged);
    expect(a).toMatchObject({ code: 'SOCKGATE_DENY_POLICY', decision: { effect: 'deny', ruleId: 'deny-privileged' } });
    expect(a.wouldBe).toBeUndefined();
    expect(a.bodySummary).toBeUndefined();
  });

  it('still refuses a request target sockgate cannot read unambiguously', () => {
    const a = decide(AUDIT, { method: 'GET', target: '/containers/../info' });
    expect(a.code).toBe('SOCKGATE_DENY_REQUEST_TARGET');
    expect(isAllowed(a)).toBe(false);
  });

  it('still refuses an ambiguous body, even when no rule reads bodies', () => {
    for (const [target, body] of [
      ['/containers/create', '{"Image":"x","HostConfig":{"Privileged":false,"privileged":true}}'],
      ['/containers/abc/exec', '{"Cmd":["sh"],"Privileged":false,"Privileged":true}'],
    ] as const) {
      const a = decide(NO_BODY_RULES, { method: 'POST', target, body });
      expect(a.code, target).toBe('SOCKGATE_DENY_BODY');
      expect(isAllowed(a)).toBe(false);
    }
  });

  it('reads every body it can decode, so the record shows what the request asked for', () => {
    const pending = admit(NO_BODY_RULES, { method: 'POST', target: '/containers/create', headers: { 'content-length': '2' }, upgrade: false });
    expect(pending.needsBody).toBe(true);
    const a = decide(NO_BODY_RULES, { method: 'POST', target: '/containers/create', body: { Image: 'x', HostConfig: { Binds: ['/srv/data:/data'], CapAdd: ['NET_ADMIN'] } } });
    expect(isAllowed(a)).toBe(true);
    expect(a.bodySummary).toMatchObject({ '$facts.hostPaths': ['/srv/data'], 'HostConfig.CapAdd': ['NET_ADMIN'], 'HostConfig.Privileged': false });
    // Endpoints without a decoder are forwarded unread.
    expect(admit(NO_BODY_RULES, { method: 'POST', target: '/build', headers: { 'content-length': '10' }, upgrade: false }).needsBody).toBe(false);
  });

  it('forwards a request whose container fails a target rule, and still refuses one whose container cannot be looked up', () => {
    const p = policyFromYaml(`version: 1
name: learn
mode: audit
rules:
  - id: allow-web-logs
    effect: allow
    endpoints: [containers.logs]
    target: { labels: { tier: { equals: web } } }
`);
    const pending = admit(p, { method: 'GET', target: '/containers/db/logs', headers: {}, upgrade: false });
    expect(pending.targetRef).toBeDefined();
    const db = { id: 'f'.repeat(64), name: 'db', image: 'postgres', labels: { tier: 'db' } };
    const a = admitTarget(p, pending, { ok: true, facts: db });
    expect(isAllowed(a)).toBe(true);
    expect(a.wouldBe).toMatchObject({ code: 'SOCKGATE_DENY_POLICY', rule: null });
    const missing = admitTarget(p, pending, { ok: false, reason: 'No such container: db' });
    expect(missing.code).toBe('SOCKGATE_DENY_TARGET');
    expect(isAllowed(missing)).toBe(false);
  });

  it('never records environment values or commands in the body summary', () => {
    const a = decide(NO_BODY_RULES, { method: 'POST', target: '/containers/create', body: { Image: 'x', Env: ['TOKEN=s3cret'], Cmd: ['echo', 's3cret'] } });
    expect(JSON.stringify(a.bodySummary)).not.toContain('s3cret');
  });
});

describe('the mode key', () => {
  it('defaults to enforce', () => {
    expect(ENFORCE.mode).toBe('enforce');
    expect(AUDIT.mode).toBe('audit');
  });

  it('refuses any other value with file:line:col', () => {
    const r = loadPolicyText('version: 1\nmode: learn\nrules: []\n', 'p.yaml');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toMatchObject({ line: 2, col: 7, pointer: '/mode', message: expect.stringContaining('mode must be "enforce" or "audit"') as string });
  });

  it('is accepted in an inline profile of a config file', () => {
    const r = loadConfigText('version: 1\nlisteners:\n  - socket: /run/a.sock\n    profile:\n      name: learner\n      mode: audit\n      rules: []\n', 'c.yaml');
    expect(r.ok && r.config.listeners[0]!.profile.inline?.mode).toBe('audit');
  });
});
