import { describe, expect, it } from 'vitest';
import { evaluate, type RequestFacts } from '../../../src/policy/evaluate.js';
import type { EndpointId } from '../../../src/request/endpoints.js';
import { policyFromYaml } from '../../helpers/proxy.js';

function facts(method: string, path: string, query: Record<string, string[]> = {}, endpoint: EndpointId | null = null): RequestFacts {
  return { method, path, endpoint, query: new Map(Object.entries(query)) };
}

const POLICY = `version: 1
rules:
  - id: allow-containers
    effect: allow
    methods: [GET, POST, DELETE]
    paths: ["/containers/**"]
  - id: deny-create
    effect: deny
    methods: [POST]
    paths: [/containers/create]
  - id: deny-force-delete
    effect: deny
    methods: [DELETE]
    paths: ["/containers/*"]
    query:
      force: { truthy: true }
  - id: allow-named
    effect: allow
    methods: [POST]
    paths: [/images/create]
    query:
      fromImage: { glob: "library/*" }
`;

describe('evaluate', () => {
  const policy = policyFromYaml(POLICY);

  it('allows what an allow rule matches', () => {
    const d = evaluate(policy, facts('GET', '/containers/json'));
    expect(d).toMatchObject({ effect: 'allow', ruleId: 'allow-containers' });
  });

  it('lets a matching deny rule win over a matching allow rule', () => {
    const d = evaluate(policy, facts('POST', '/containers/create'));
    expect(d).toMatchObject({ effect: 'deny', ruleId: 'deny-create' });
    expect(d.reason).toContain('deny-create');
  });

  it('falls to the default (deny) when nothing matches, and says so', () => {
    const d = evaluate(policy, facts('GET', '/info'));
    expect(d).toMatchObject({ effect: 'deny', ruleId: null });
    expect(d.reason).toMatch(/no rule matched GET \/info .*defaults to deny/);
  });

  it('honours an explicit allow default', () => {
    const p = policyFromYaml('version: 1\ndefault: allow\nrules:\n  - id: d\n    effect: deny\n    paths: [/info]\n');
    expect(evaluate(p, facts('GET', '/version')).effect).toBe('allow');
    expect(evaluate(p, facts('GET', '/info')).effect).toBe('deny');
  });

  it('never changes a decision when rules are reordered', () => {
    const header = 'version: 1\nrules:\n';
    const blocks = POLICY.split('\n  - ').slice(1).map((b) => '  - ' + b.trimEnd() + '\n');
    const reversed = policyFromYaml(header + [...blocks].reverse().join(''));
    const cases = [
      facts('GET', '/containers/json'),
      facts('POST', '/containers/create'),
      facts('DELETE', '/containers/abc', { force: ['1'] }),
      facts('DELETE', '/containers/abc', { force: ['0'] }),
      facts('POST', '/images/create', { fromImage: ['library/busybox'] }),
      facts('POST', '/images/create', { fromImage: ['evil/busybox'] }),
      facts('GET', '/info'),
    ];
    for (const c of cases) expect(evaluate(reversed, c).effect).toBe(evaluate(policy, c).effect);
  });

  it('does not let "*" cross a "/"', () => {
    expect(evaluate(policy, facts('DELETE', '/containers/a/b', { force: ['1'] })).effect).toBe('allow');
    expect(evaluate(policy, facts('DELETE', '/containers/a', { force: ['1'] })).effect).toBe('deny');
  });

  it('reads a query condition with the engine boolean semantics', () => {
    for (const v of ['1', 'true', 'True', 'yes']) expect(evaluate(policy, facts('DELETE', '/containers/a', { force: [v] })).effect).toBe('deny');
    for (const v of ['0', 'false', 'no', '']) expect(evaluate(policy, facts('DELETE', '/containers/a', { force: [v] })).effect).toBe('allow');
  });

  it('makes a deny rule match when any copy of a repeated parameter matches', () => {
    expect(evaluate(policy, facts('DELETE', '/containers/a', { force: ['0', '1'] })).effect).toBe('deny');
    expect(evaluate(policy, facts('DELETE', '/containers/a', { force: ['1', '0'] })).effect).toBe('deny');
  });

  it('makes an allow rule match only when every copy of a repeated parameter matches', () => {
    expect(evaluate(policy, facts('POST', '/images/create', { fromImage: ['library/busybox'] })).effect).toBe('allow');
    expect(evaluate(policy, facts('POST', '/images/create', { fromImage: ['library/busybox', 'evil/x'] })).effect).toBe('deny');
    expect(evaluate(policy, facts('POST', '/images/create', { fromImage: ['evil/x', 'library/busybox'] })).effect).toBe('deny');
  });

  it('reads an absent parameter as the empty string, as the engine does', () => {
    expect(evaluate(policy, facts('POST', '/images/create')).effect).toBe('deny');
  });

  it('matches rules by endpoint id as well as by path', () => {
    const p = policyFromYaml('version: 1\nrules:\n  - id: ping\n    effect: allow\n    endpoints: [system.ping]\n');
    expect(evaluate(p, facts('GET', '/_ping', {}, 'system.ping')).effect).toBe('allow');
    expect(evaluate(p, facts('GET', '/_ping', {}, null)).effect).toBe('deny');
  });

  it('restricts by method', () => {
    expect(evaluate(policy, facts('PUT', '/containers/a/archive')).effect).toBe('deny');
  });

  it('matches exists: false only when the parameter is absent', () => {
    const p = policyFromYaml('version: 1\nrules:\n  - id: a\n    effect: allow\n    paths: [/x]\n    query:\n      v: { exists: false }\n');
    expect(evaluate(p, facts('GET', '/x')).effect).toBe('allow');
    expect(evaluate(p, facts('GET', '/x', { v: [''] })).effect).toBe('deny');
  });
});

describe('query pathPrefix', () => {
  const policy = policyFromYaml(`version: 1
rules:
  - id: allow-put-workspace
    effect: allow
    endpoints: [containers.putArchive]
    query:
      path: { pathPrefix: [/workspace] }
`);
  const put = (path: string[]): ReturnType<typeof evaluate> =>
    evaluate(policy, facts('PUT', '/containers/c1/archive', { path }, 'containers.putArchive'));

  it('holds for the prefix itself and paths under it, read as the engine reads them', () => {
    expect(put(['/workspace']).effect).toBe('allow');
    expect(put(['/workspace/src/']).effect).toBe('allow');
    // the engine joins a relative path to "/" and cleans it
    expect(put(['workspace/src']).effect).toBe('allow');
    expect(put(['//workspace//a']).effect).toBe('allow');
  });

  it('does not hold for paths that leave the prefix once cleaned, or merely share its spelling', () => {
    expect(put(['/workspace/../etc']).effect).toBe('deny');
    expect(put(['/workspace-evil']).effect).toBe('deny');
    expect(put(['../../etc']).effect).toBe('deny');
    expect(put(['/']).effect).toBe('deny');
    expect(put(['']).effect).toBe('deny');
  });

  it('allows a repeated parameter only when every copy is under the prefix', () => {
    expect(put(['/workspace/a', '/etc']).effect).toBe('deny');
  });
});
