import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/policy/compile.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { compileGlob } from '../../../src/policy/glob.js';
import { renderPolicy } from '../../../src/suggest/render.js';
import { emptySuggestStats, exactPathGlob, notLearnedLines, parseLogLines, suggestPolicy } from '../../../src/suggest/suggest.js';
import { policyFromYaml } from '../../helpers/proxy.js';
import { allowed, decide, recordOf, type TestRequest } from '../../helpers/gate-record.js';

// Learn mode with a policy that allows only pings: everything else is recorded as "would be denied".
const LEARN = policyFromYaml(`version: 1
name: learn
mode: audit
default: deny
rules:
  - id: allow-ping
    effect: allow
    endpoints: [system.ping]
`);

const create = (hostConfig: Record<string, unknown>, image = 'sockgate-test:busybox'): TestRequest => ({
  method: 'POST',
  target: '/v1.41/containers/create?name=web',
  body: { Image: image, Cmd: ['true'], HostConfig: { NetworkMode: 'default', ...hostConfig } },
});

const WORKLOAD: TestRequest[] = [
  { method: 'GET', target: '/_ping' },
  { method: 'HEAD', target: '/_ping' },
  { method: 'GET', target: '/v1.41/containers/json?all=1' },
  create({ Binds: ['/tmp:/data'] }),
  create({ Binds: ['/tmp/sub/dir:/more:ro'] }),
  { method: 'POST', target: '/v1.41/containers/abc123/start' },
  { method: 'GET', target: '/v1.41/containers/abc123/logs?stdout=1' },
  { method: 'DELETE', target: '/v1.41/containers/abc123?force=1' },
  { method: 'POST', target: '/v1.41/exec/e1/json' }, // no such endpoint: learned by its exact path
];

function suggestText(records: unknown[], options = {}): string {
  const r = suggestPolicy(records, options);
  if (!r.ok) throw new Error(r.message);
  return renderPolicy(r.policy);
}

function compileText(text: string) {
  const loaded = loadPolicyText(text, 'suggested.yaml');
  if (!loaded.ok) throw new Error(`${text}\n${loaded.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n')}`);
  return compilePolicy(loaded.document, 'suggested.yaml', text);
}

describe('sockgate suggest', () => {
  const records = WORKLOAD.map((req, i) => recordOf(LEARN, req, 1_700_000_000_000 + i * 1000));
  const text = suggestText(records);
  const suggested = compileText(text);

  it('learn mode forwarded the whole workload, recording what the policy would have denied', () => {
    expect(records.every((r) => r['effect'] === 'allow')).toBe(true);
    expect(records.filter((r) => r['wouldBe'] !== undefined)).toHaveLength(WORKLOAD.length - 1); // only GET /_ping (system.ping) is allowed by the rules
    expect(records[3]).toMatchObject({ endpoint: 'containers.create', bodySummary: { 'HostConfig.Privileged': false, '$facts.hostPaths': ['/tmp'] } });
  });

  it('writes a policy that passes the loader, in enforce mode, with default deny', () => {
    expect(suggested.mode).toBe('enforce');
    expect(suggested.defaultEffect).toBe('deny');
    expect(text).toMatch(/^# Suggested by `sockgate suggest` from 9 audit records of profile "learn"/);
  });

  it('allows every request of the observed workload', () => {
    for (const req of WORKLOAD) expect(allowed(suggested, req), `${req.method} ${req.target}`).toBe(true);
  });

  it.each<[string, TestRequest]>([
    ['an endpoint never seen', { method: 'POST', target: '/v1.41/volumes/create', body: { Name: 'v' } }],
    ['a method never seen on a seen path', { method: 'POST', target: '/v1.41/containers/abc123/kill' }],
    ['a privileged create', create({ Privileged: true })],
    ['a bind of a host path never seen', create({ Binds: ['/etc:/etc'] })],
    ['a bind next to a seen one', create({ Binds: ['/tmpx:/data'] })],
    ['a device', create({ Devices: [{ PathOnHost: '/dev/tmp', PathInContainer: '/dev/x', CgroupPermissions: 'rwm' }] })],
    ['an added capability', create({ CapAdd: ['SYS_ADMIN'] })],
    ['the host network', create({ NetworkMode: 'host' })],
    ['the host PID namespace', create({ PidMode: 'host' })],
    ['another image', create({}, 'alpine')],
    ['a path next to an unknown one', { method: 'POST', target: '/v1.41/exec/e2/json' }],
  ])('denies %s', (_what, req) => {
    const a = decide(suggested, req);
    expect(a.decision.effect).toBe('deny');
    expect(a.code).toBe('SOCKGATE_DENY_POLICY');
  });

  it('writes an allow-list of the fields the workload set (their names only, never values), refusing any other field', () => {
    expect(records[3]!['bodySummary']).toMatchObject({ $fields: ['Cmd', 'HostConfig.Binds', 'Image'] });
    expect(JSON.stringify((records[3]!['bodySummary'] as Record<string, unknown>)['$fields'])).not.toContain('/tmp');
    expect(text).toContain('    fields:\n      - "Cmd"\n      - "HostConfig.Binds"\n      - "Image"\n');
    const a = decide(suggested, create({ Binds: ['/tmp:/data'], Memory: 1 }));
    expect(a.decision.effect).toBe('deny');
    expect(a.decision.bodyPointer).toBe('/HostConfig/Memory');
  });

  it('explains each rule and body condition in comments', () => {
    expect(text).toContain('# 2 requests (POST; 2 denied by the learning policy), 2023-11-14T22:13:23.000Z to 2023-11-14T22:13:24.000Z');
    expect(text).toContain('# HostConfig.Privileged: seen only unset');
    expect(text).toContain('# $facts.hostPaths: seen "/tmp" (each allowed with what lies under it)');
    expect(text).toContain('# no known endpoint: allowed on this exact path only');
  });

  it('allows what was seen set: a privileged create in the workload leaves Privileged unconstrained', () => {
    const seen = [create({ Privileged: true, CapAdd: ['NET_ADMIN'] }), create({})].map((req, i) => recordOf(LEARN, req, i));
    const p = compileText(suggestText(seen));
    expect(allowed(p, create({ Privileged: true, CapAdd: ['NET_ADMIN'] }))).toBe(true);
    expect(allowed(p, create({ Privileged: true }))).toBe(true);
    expect(allowed(p, create({ CapAdd: ['SYS_ADMIN'] }))).toBe(false);
    expect(allowed(p, create({ Binds: ['/tmp:/x'] }))).toBe(false);
  });

  it('does not learn a mode naming another container (a name is no reference check): the suggestion loads, and refuses it', () => {
    const seen = [create({ NetworkMode: 'container:db' }), create({ NetworkMode: 'none' }), create({ IpcMode: 'container:/db' })].map((req, i) => recordOf(LEARN, req, i));
    const out = suggestText(seen);
    const p = compileText(out);
    expect(out).toContain('not learned: "container:db" (another container\'s namespace: allow it by hand with containerRef: true');
    expect(allowed(p, create({ NetworkMode: 'none' }))).toBe(true);
    for (const mode of ['container:db', 'container:/db', 'host']) expect(allowed(p, create({ NetworkMode: mode })), mode).toBe(false);
    expect(allowed(p, create({ IpcMode: 'container:/db' }))).toBe(false);
  });

  it('does not learn refusals or enforce-mode denials; it lists them in comments', () => {
    const enforcing = policyFromYaml('version: 1\nname: learn\ndefault: deny\nrules:\n  - { id: allow-ping, effect: allow, endpoints: [system.ping] }\n');
    const mixed = [
      recordOf(LEARN, { method: 'GET', target: '/_ping' }, 1),
      recordOf(LEARN, { method: 'POST', target: '/containers/create', body: '{"Image":"x","image":"y"}' }, 2),
      recordOf(enforcing, { method: 'GET', target: '/info' }, 3),
    ];
    expect(mixed[1]).toMatchObject({ effect: 'deny', code: 'SOCKGATE_DENY_BODY' });
    const r = suggestPolicy(mixed);
    expect(r.ok && r.stats).toMatchObject({ decisions: 3, learned: 1, notLearned: 2 });
    const out = suggestText(mixed);
    expect(out).toContain('#   POST /containers/create (containers.create): refused by sockgate [SOCKGATE_DENY_BODY]');
    expect(out).toContain('#   GET /info (system.info): denied by the policy in enforce mode');
    const p = compileText(out);
    expect(allowed(p, { method: 'GET', target: '/_ping' })).toBe(true);
    expect(allowed(p, { method: 'GET', target: '/info' })).toBe(false);
    expect(allowed(p, { method: 'POST', target: '/containers/create', body: { Image: 'x' } })).toBe(false);
  });

  it('skips completion records, other log lines and non-JSON lines, counting each', () => {
    const stats = emptySuggestStats();
    const lines = [
      JSON.stringify(recordOf(LEARN, { method: 'GET', target: '/_ping' }, 1)),
      JSON.stringify({ level: 30, time: 2, kind: 'audit', reqId: 'r1', listener: 'l', status: 200, durationMs: 1.5, aborted: false, effect: 'allow' }),
      JSON.stringify({ level: 30, time: 0, msg: 'sockgate listening' }),
      'sockgate: listening on /tmp/x.sock',
      '[1, 2]',
      '',
    ].join('\n');
    const r = suggestPolicy(parseLogLines(lines, stats), {}, stats);
    expect(r.ok).toBe(true);
    expect(r.stats).toMatchObject({ decisions: 1, learned: 1, completions: 1, other: 1, nonJson: 2 });
  });

  it('asks for --profile when the log holds several profiles, and learns only the one chosen', () => {
    const two = [recordOf(LEARN, { method: 'GET', target: '/_ping' }, 1, 'a'), recordOf(LEARN, { method: 'GET', target: '/info' }, 2, 'b')];
    const r = suggestPolicy(two);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain('several profiles (a, b); choose one with --profile');
    const b = compileText(suggestText(two, { profile: 'b' }));
    expect(allowed(b, { method: 'GET', target: '/info' })).toBe(true);
    expect(allowed(b, { method: 'GET', target: '/_ping' })).toBe(false);
    expect(suggestPolicy(two, { profile: 'c' })).toMatchObject({ ok: false, message: 'no decision records of profile "c" (profiles seen: a, b)' });
  });

  it('leaves a body unconstrained, and says so, when a record carries no body summary', () => {
    const enforcingAll = policyFromYaml('version: 1\nname: learn\ndefault: allow\nrules: []\n');
    const out = suggestText([recordOf(enforcingAll, create({}), 1)]);
    expect(out).toContain('carried no body summary (recorded outside audit mode): the body is not constrained');
    expect(allowed(compileText(out), create({ Privileged: true }))).toBe(true);
  });

  it('matches an unknown path exactly, whatever glob characters it holds', () => {
    for (const path of ['/a/*/b', '/x/[y]', '/p/{a,b}', '/q?x', '/r/!s', '/t/+(u)', '/w/\\v']) {
      const re = compileGlob(exactPathGlob(path));
      expect(re.test(path), path).toBe(true);
    }
    expect(compileGlob(exactPathGlob('/a/*/b')).test('/a/c/b')).toBe(false);
    expect(compileGlob(exactPathGlob('/p/{a,b}')).test('/p/a')).toBe(false);
  });
});

describe('notLearnedLines', () => {
  it.each([
    ['nothing', [], []],
    ['one request', [['GET /x (unknown): refused by sockgate [SOCKGATE_DENY_REQUEST_TARGET]', 1]], ['GET /x (unknown): refused by sockgate [SOCKGATE_DENY_REQUEST_TARGET]']],
    ['a repeated request, with its count', [['POST /b (b): denied by the policy in enforce mode', 3]], ['POST /b (b): denied by the policy in enforce mode x3']],
    ['several kinds, sorted', [['POST /b (b): why', 2], ['GET /a (a): why', 1]], ['GET /a (a): why', 'POST /b (b): why x2']],
  ] as const)('lists %s one line per kind', (_what, counts, lines) => {
    expect(notLearnedLines(new Map(counts))).toEqual(lines);
  });
});
