import { describe, expect, it } from 'vitest';
import { ruleMatches, type RequestFacts } from '../../../src/policy/evaluate.js';
import { candidatesFor } from '../../../src/policy/rule-index.js';
import type { CompiledPolicy } from '../../../src/policy/compile.js';
import { matchEndpoint } from '../../../src/request/endpoint-match.js';
import { normalizeRequest } from '../../../src/request/normalize.js';
import { policyFromYaml } from '../../helpers/proxy.js';

const POLICY = policyFromYaml(`version: 1
default: deny
rules:
  - id: allow-reads
    effect: allow
    methods: [GET, HEAD]
    endpoints: ["containers.*", "system.*"]
  - id: deny-team-paths
    effect: deny
    paths: ["/containers/team1-*/**", "/images/private/**"]
  - id: deny-list-filter
    effect: deny
    endpoints: [containers.list]
    query:
      filters: { glob: "*secret*" }
  - id: allow-by-path
    effect: allow
    methods: [POST]
    paths: ["/containers/*/start", "/{_ping,version}"]
  - id: deny-privileged
    effect: deny
    endpoints: [containers.create]
    body:
      - path: HostConfig.Privileged
        equals: true
  - id: allow-create
    effect: allow
    endpoints: [containers.create]
  - id: deny-named-and-path
    effect: deny
    endpoints: [images.delete]
    paths: ["/images/keep-*"]
`);

const TARGETS: readonly [string, string][] = [
  ['GET', '/_ping'],
  ['POST', '/_ping'],
  ['GET', '/version'],
  ['GET', '/containers/json?all=1'],
  ['GET', '/containers/json?filters=top-secret'],
  ['GET', '/containers/team1-web/json'],
  ['GET', '/containers/team2-web/json'],
  ['POST', '/containers/web/start'],
  ['POST', '/containers/team1-web/start'],
  ['POST', '/containers/create'],
  ['DELETE', '/images/keep-me'],
  ['DELETE', '/images/private/app'],
  ['GET', '/images/private/app/json'],
  ['GET', '/no/such/endpoint'],
];

function factsOf(method: string, target: string): RequestFacts {
  const n = normalizeRequest(method, target);
  if (!n.ok) throw new Error(`cannot normalise ${target}`);
  return { method, path: n.request.path, endpoint: matchEndpoint(method, n.request.path)?.id ?? null, query: n.request.query };
}

/** The rules a full scan finds matching the request's head (method, target, query). */
function scan(policy: CompiledPolicy, facts: RequestFacts): string[] {
  return policy.rules.filter((r) => r.body.length === 0 && ruleMatches(r, facts)).map((r) => r.id);
}

describe('rule candidates', () => {
  it('keep every rule a full scan finds matching, for named endpoints, path globs and unknown paths', () => {
    for (const [method, target] of TARGETS) {
      const facts = factsOf(method, target);
      const c = candidatesFor(POLICY, facts);
      const indexed = [...c.deny, ...c.allow].filter((r) => r.body.length === 0 && ruleMatches(r, facts)).map((r) => r.id);
      expect(indexed.sort(), `${method} ${target}`).toEqual(scan(POLICY, facts).sort());
    }
  });

  it('leave out rules that only match by path when no path glob matches', () => {
    const c = candidatesFor(POLICY, factsOf('GET', '/containers/team2-web/json'));
    expect([...c.deny, ...c.allow].map((r) => r.id)).toEqual(['allow-reads']);
  });

  it('keep every rule with path globs, in file order, when one of those globs matches', () => {
    const c = candidatesFor(POLICY, factsOf('GET', '/containers/team1-web/json'));
    expect(c.deny.map((r) => r.id)).toEqual(['deny-team-paths', 'deny-named-and-path']);
  });

  it('list the body rules of the endpoint, in file order', () => {
    expect(candidatesFor(POLICY, factsOf('POST', '/containers/create')).body.map((r) => r.id)).toEqual(['deny-privileged']);
    expect(candidatesFor(POLICY, factsOf('GET', '/_ping')).body).toEqual([]);
  });
});
