import { describe, expect, it } from 'vitest';
import { evaluate, needsTarget, type RequestFacts } from '../../../src/policy/evaluate.js';
import type { TargetFacts } from '../../../src/inspect/engine-answers.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { targetRefOf, targetWithContainerId, TARGETED_ENDPOINTS } from '../../../src/request/targets.js';
import { matchEndpoint } from '../../../src/request/endpoint-match.js';
import type { EndpointId } from '../../../src/request/endpoints.js';
import { normalizeRequest } from '../../../src/request/normalize.js';
import { policyFromYaml } from '../../helpers/proxy.js';

const POLICY = policyFromYaml(`version: 1
rules:
  - id: allow-web-ops
    effect: allow
    endpoints: [containers.logs, containers.restart, containers.inspect]
    target:
      labels:
        com.example.tier: { equals: web }
  - id: deny-protected
    effect: deny
    endpoints: [containers.restart]
    target:
      labels:
        com.example.protected: { exists: true }
  - id: allow-ci-by-name
    effect: allow
    endpoints: [containers.logs]
    target:
      name: { glob: "ci-*" }
      image: { glob: "registry.example.com/**" }
  - id: allow-list
    effect: allow
    endpoints: [containers.list]
`);

const facts = (method: string, path: string, endpoint: EndpointId): RequestFacts => ({ method, path, endpoint, query: new Map() });
const container = (over: Partial<TargetFacts> = {}): TargetFacts => ({ id: 'a'.repeat(64), name: 'web-1', image: 'nginx', labels: {}, ...over });

describe('target conditions', () => {
  it('are needed only for requests a rule with target conditions could match', () => {
    expect(needsTarget(POLICY, facts('GET', '/containers/web/logs', 'containers.logs'))).toBe(true);
    expect(needsTarget(POLICY, facts('GET', '/containers/json', 'containers.list'))).toBe(false);
  });

  it('decide on the labels, name and image of the container acted on', () => {
    const logs = facts('GET', '/containers/x/logs', 'containers.logs');
    expect(evaluate(POLICY, logs, undefined, container({ labels: { 'com.example.tier': 'web' } })).effect).toBe('allow');
    expect(evaluate(POLICY, logs, undefined, container({ labels: { 'com.example.tier': 'db' } })).effect).toBe('deny');
    expect(evaluate(POLICY, logs, undefined, container({ name: 'ci-42', image: 'registry.example.com/team/app:1' })).ruleId).toBe('allow-ci-by-name');
    expect(evaluate(POLICY, logs, undefined, container({ name: 'ci-42', image: 'nginx' })).effect).toBe('deny');
  });

  it('tell an absent label from an empty one, and let a matching deny win', () => {
    const restart = facts('POST', '/containers/x/restart', 'containers.restart');
    const web = { 'com.example.tier': 'web' };
    expect(evaluate(POLICY, restart, undefined, container({ labels: web })).effect).toBe('allow');
    expect(evaluate(POLICY, restart, undefined, container({ labels: { ...web, 'com.example.protected': '' } })).ruleId).toBe('deny-protected');
  });

  it('deny (by throwing, which the gate turns into a denial) when the target was not resolved', () => {
    expect(() => evaluate(POLICY, facts('GET', '/containers/x/logs', 'containers.logs'))).toThrow(/not resolved/);
  });

  it('are only accepted on endpoints that act on one container, named by endpoint id', () => {
    const r = loadPolicyText('version: 1\nrules:\n  - id: r\n    effect: allow\n    endpoints: [containers.list]\n    target:\n      name: { equals: x }\n', 'p.yaml');
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([expect.stringContaining('target conditions need endpoints that act on one container')]);
    const withPaths = loadPolicyText('version: 1\nrules:\n  - id: r\n    effect: allow\n    paths: ["/containers/*/logs"]\n    target:\n      name: { equals: x }\n', 'p.yaml');
    expect(withPaths.ok).toBe(false);
  });
});

describe('target references', () => {
  it('cover every endpoint under /containers/{name} and the exec endpoints, nothing else', () => {
    expect(TARGETED_ENDPOINTS.has('containers.logs')).toBe(true);
    expect(TARGETED_ENDPOINTS.has('exec.create')).toBe(true);
    expect(TARGETED_ENDPOINTS.has('exec.start')).toBe(true);
    expect(TARGETED_ENDPOINTS.has('containers.list')).toBe(false);
    expect(TARGETED_ENDPOINTS.has('containers.create')).toBe(false);
  });

  it('forward the request naming the resolved container by its full id', () => {
    const n = normalizeRequest('POST', '/v1.41/containers/web/restart?t=5');
    if (!n.ok) throw new Error('normalize');
    const e = matchEndpoint('POST', n.request.path)!;
    expect(targetRefOf(e)).toEqual({ via: 'container', ref: 'web' });
    expect(targetWithContainerId(n.request, e, 'b'.repeat(64))).toBe(`/v1.41/containers/${'b'.repeat(64)}/restart?t=5`);
    const x = normalizeRequest('POST', '/exec/abc/start');
    if (!x.ok) throw new Error('normalize');
    const xe = matchEndpoint('POST', x.request.path)!;
    expect(targetRefOf(xe)).toEqual({ via: 'exec', ref: 'abc' });
    expect(targetWithContainerId(x.request, xe, 'b'.repeat(64))).toBe('/exec/abc/start');
  });
});
