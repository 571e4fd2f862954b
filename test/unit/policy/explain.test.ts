import { describe, expect, it } from 'vitest';
import { inspectBody } from '../../../src/inspect/index.js';
import type { BodyView } from '../../../src/inspect/body-view.js';
import type { TargetFacts } from '../../../src/inspect/engine-answers.js';
import { evaluate, type RequestFacts } from '../../../src/policy/evaluate.js';
import type { EndpointId } from '../../../src/request/endpoints.js';
import { explainRules } from '../../../src/policy/explain.js';
import { policyFromYaml } from '../../helpers/proxy.js';

const POLICY = policyFromYaml(`version: 1
rules:
  - id: allow-ping
    effect: allow
    methods: [GET, HEAD]
    endpoints: [system.ping]
  - id: allow-containers-paths
    effect: allow
    methods: [GET]
    paths: ["/containers/**"]
  - id: deny-force-delete
    effect: deny
    methods: [DELETE]
    endpoints: [containers.delete]
    query:
      force: { truthy: true }
  - id: deny-privileged
    effect: deny
    endpoints: [containers.create]
    body:
      - { path: HostConfig.Privileged, equals: true }
  - id: allow-plain-create
    effect: allow
    endpoints: [containers.create]
    fields: [Image, Cmd]
  - id: allow-start-web
    effect: allow
    endpoints: [containers.start]
    target:
      labels:
        tier: { equals: web }
`);

const facts = (method: string, path: string, endpoint: EndpointId | null, query: Record<string, string[]> = {}): RequestFacts => ({ method, path, endpoint, query: new Map(Object.entries(query)) });
const createBody = (body: unknown): BodyView => {
  const r = inspectBody('containers.create', Buffer.from(JSON.stringify(body)), 'ignore');
  if (!r.ok) throw new Error(r.message);
  return r.view;
};
const target = (labels: Record<string, string>): TargetFacts => ({ id: 'a'.repeat(64), name: 'web', image: 'nginx', labels, imageId: '' });
const CREATE = facts('POST', '/containers/create', 'containers.create');
const START = facts('POST', '/containers/c/start', 'containers.start');

/** The explanation of one rule. */
const rule = (id: string, f: RequestFacts, body?: BodyView, t?: TargetFacts) => explainRules(POLICY, f, body, t).find((r) => r.id === id)!;

describe('explaining each rule of a policy against a request', () => {
  it('lists every rule in file order with its effect', () => {
    expect(explainRules(POLICY, facts('GET', '/_ping', 'system.ping')).map((r) => [r.id, r.effect])).toEqual([
      ['allow-ping', 'allow'],
      ['allow-containers-paths', 'allow'],
      ['deny-force-delete', 'deny'],
      ['deny-privileged', 'deny'],
      ['allow-plain-create', 'allow'],
      ['allow-start-web', 'allow'],
    ]);
  });

  it.each<[string, string, RequestFacts, string]>([
    ['a method the rule does not name', 'allow-ping', facts('POST', '/_ping', 'system.ping'), 'method POST is not one of GET, HEAD'],
    ['an endpoint the rule does not name', 'allow-ping', facts('GET', '/info', 'system.info'), 'endpoint system.info is not one of system.ping'],
    ['an unknown endpoint', 'allow-ping', facts('GET', '/nope', null), 'endpoint unknown is not one of system.ping'],
    ['a path outside the rule\'s globs', 'allow-containers-paths', facts('GET', '/info', 'system.info'), 'path /info matches none of /containers/**'],
    ['a query condition that does not hold', 'deny-force-delete', facts('DELETE', '/containers/c', 'containers.delete', { force: ['0'] }), 'query force=0 does not satisfy {"truthy":true}'],
    ['a query parameter that is absent', 'deny-force-delete', facts('DELETE', '/containers/c', 'containers.delete'), 'query force=(absent) does not satisfy {"truthy":true}'],
  ])('says the first reason a rule does not match: %s', (_what, id, f, why) => {
    expect(rule(id, f)).toMatchObject({ matched: false, why });
  });

  it.each<[string, string, RequestFacts, RegExp]>([
    ['body conditions, without the body', 'deny-privileged', CREATE, /need the request body \(give --body FILE\)/],
    ['an allow-list of fields, without the body', 'allow-plain-create', CREATE, /need the request body/],
    ['target conditions, without the container', 'allow-start-web', START, /need the container the request acts on/],
  ])('cannot say whether a rule with %s matches', (_what, id, f, why) => {
    const r = rule(id, f);
    expect(r.matched).toBe('unknown');
    expect(r.why).toMatch(why);
  });

  it.each<[string, string, RequestFacts, BodyView | undefined, TargetFacts | undefined, string]>([
    ['its body conditions do not hold', 'deny-privileged', CREATE, createBody({ Image: 'x' }), undefined, 'its body conditions do not all hold'],
    ['the body sets a field outside its allow-list', 'allow-plain-create', CREATE, createBody({ Image: 'x', HostConfig: { Privileged: true } }), undefined, '/HostConfig/Privileged is set, outside the fields it allows (HostConfig.Privileged)'],
    ['the container does not meet its target conditions', 'allow-start-web', START, undefined, target({ tier: 'db' }), 'the container does not meet its target conditions'],
  ])('says a rule does not match when %s', (_what, id, f, body, t, why) => {
    expect(rule(id, f, body, t)).toMatchObject({ matched: false, why });
  });

  it.each<[string, string, RequestFacts, BodyView | undefined, TargetFacts | undefined, string]>([
    ['method and endpoint', 'allow-ping', facts('HEAD', '/_ping', 'system.ping'), undefined, undefined, 'method, endpoint/path all match'],
    ['method, path and query', 'deny-force-delete', facts('DELETE', '/containers/c', 'containers.delete', { force: ['1'] }), undefined, undefined, 'method, endpoint/path, query all match'],
    ['endpoint and body', 'deny-privileged', CREATE, createBody({ Image: 'x', HostConfig: { Privileged: true } }), undefined, 'endpoint/path, body all match'],
    ['endpoint and allow-listed fields', 'allow-plain-create', CREATE, createBody({ Image: 'x', Cmd: ['true'] }), undefined, 'endpoint/path, body all match'],
    ['endpoint and target', 'allow-start-web', START, undefined, target({ tier: 'web' }), 'endpoint/path, target all match'],
  ])('names what made a rule match: %s', (_what, id, f, body, t, why) => {
    expect(rule(id, f, body, t)).toMatchObject({ matched: true, why });
  });

  it.each<[string, RequestFacts, BodyView | undefined, TargetFacts | undefined]>([
    ['a ping', facts('GET', '/_ping', 'system.ping'), undefined, undefined],
    ['a privileged create', CREATE, createBody({ Image: 'x', HostConfig: { Privileged: true } }), undefined],
    ['a plain create', CREATE, createBody({ Image: 'x' }), undefined],
    ['a start of a web container', START, undefined, target({ tier: 'web' })],
  ])('agrees with the decision for %s: the deciding rule is explained as matched', (_what, f, body, t) => {
    const decision = evaluate(POLICY, f, body, t);
    expect(decision.ruleId).not.toBeNull();
    expect(explainRules(POLICY, f, body, t).find((r) => r.id === decision.ruleId)?.matched).toBe(true);
  });
});
