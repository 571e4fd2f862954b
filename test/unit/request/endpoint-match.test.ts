import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/policy/evaluate.js';
import { compileEndpointPattern, endpointIdsMatching, ENDPOINT_IDS, matchEndpoint } from '../../../src/request/endpoint-match.js';
import { ENDPOINTS } from '../../../src/request/endpoints.js';
import { normalizeRequest } from '../../../src/request/normalize.js';
import { policyFromYaml } from '../../helpers/proxy.js';

/** A concrete request path for a template: each variable becomes a plausible value. */
function concrete(template: string): string {
  return template.replace(/\{[A-Za-z_]+\*\}/g, 'registry.example.com/team/app').replace(/\{[A-Za-z_]+\}/g, 'x1');
}

// Trailing-slash routes: sockgate refuses trailing slashes before matching (the engine's router
// would redirect or route them differently), so these two ids can never be reached.
const UNREACHABLE = new Set(['networks.listSlash', 'debug.pprofIndex']);

describe('matchEndpoint', () => {
  it.each([
    ['GET', '/containers/json', 'containers.list', {}],
    ['GET', '/containers/abc/json', 'containers.inspect', { name: 'abc' }],
    ['GET', '/containers/a/b/json', 'containers.inspect', { name: 'a/b' }],
    ['POST', '/containers/create', 'containers.create', {}],
    ['POST', '/containers/abc/start', 'containers.start', { name: 'abc' }],
    ['DELETE', '/containers/abc', 'containers.delete', { name: 'abc' }],
    ['DELETE', '/containers/abc/checkpoints/cp1', 'checkpoints.delete', { name: 'abc', checkpoint: 'cp1' }],
    ['GET', '/images/json', 'images.list', {}],
    ['GET', '/images/library/busybox:latest/json', 'images.inspect', { name: 'library/busybox:latest' }],
    ['GET', '/images/get', 'images.getAll', {}],
    ['POST', '/exec/abc/start', 'exec.start', { name: 'abc' }],
    ['HEAD', '/_ping', 'system.pingHead', {}],
    ['HEAD', '/containers/abc/archive', 'containers.archiveInfo', { name: 'abc' }],
  ])('%s %s is %s', (method, path, id, params) => {
    const m = matchEndpoint(method, path);
    expect(m?.id).toBe(id);
    expect(m?.params).toEqual(params);
  });

  it('finds no endpoint for a method the engine does not route there (gorilla matches methods exactly)', () => {
    expect(matchEndpoint('HEAD', '/containers/json')).toBeNull();
    expect(matchEndpoint('PUT', '/containers/create')).toBeNull();
    expect(matchEndpoint('GET', '/nope')).toBeNull();
  });

  it('reaches every endpoint in the table through its own template', () => {
    for (const e of ENDPOINTS) {
      if (UNREACHABLE.has(e.id) || e.method === 'OPTIONS') continue;
      const n = normalizeRequest(e.method, concrete(e.template));
      expect(n.ok, `${e.id}: ${concrete(e.template)}`).toBe(true);
      if (!n.ok) continue;
      expect(matchEndpoint(e.method, n.request.path)?.id, `${e.method} ${n.request.path}`).toBe(e.id);
    }
  });

  it('has unique ids', () => {
    expect(new Set(ENDPOINTS.map((e) => e.id)).size).toBe(ENDPOINTS.length);
  });
});

describe('every endpoint can be allowed and denied by id', () => {
  const reachable = ENDPOINTS.filter((e) => !UNREACHABLE.has(e.id) && e.method !== 'OPTIONS');
  it.each(reachable.map((e) => [e.id, e.method, concrete(e.template)]))('%s', (id, method, target) => {
    const allow = policyFromYaml(`version: 1\nrules:\n  - id: a\n    effect: allow\n    endpoints: [${id}]\n`);
    const deny = policyFromYaml(`version: 1\ndefault: allow\nrules:\n  - id: d\n    effect: deny\n    endpoints: [${id}]\n`);
    const n = normalizeRequest(method, target);
    if (!n.ok) throw new Error(n.rejection.reason);
    const facts = { method, path: n.request.path, endpoint: matchEndpoint(method, n.request.path)?.id ?? null, query: n.request.query };
    expect(evaluate(allow, facts)).toMatchObject({ effect: 'allow', ruleId: 'a' });
    expect(evaluate(deny, facts)).toMatchObject({ effect: 'deny', ruleId: 'd' });
  });
});

describe('endpoint patterns', () => {
  it('lets "*" match within one dotted part and "**" across', () => {
    expect(endpointIdsMatching('containers.*')).toContain('containers.create');
    expect(endpointIdsMatching('containers.*')).not.toContain('exec.start');
    expect(endpointIdsMatching('**')).toEqual(ENDPOINT_IDS);
    expect(endpointIdsMatching('*')).toEqual(['session', 'grpc']);
  });

  it('refuses characters outside ids', () => {
    expect(() => compileEndpointPattern('containers/*')).toThrow();
    expect(() => compileEndpointPattern('')).toThrow();
  });
});
