import { describe, expect, it } from 'vitest';
import { admit } from '../../../src/gate.js';
import { forwardTarget } from '../../../src/pipeline/decide.js';
import { awaitsLookup, learnEngineVersion, type Gateway } from '../../../src/pipeline/gateway.js';
import { ALLOW_ALL, policyFromYaml } from '../../helpers/proxy.js';

const TARGETED = policyFromYaml(`version: 1
rules:
  - id: web-only
    effect: allow
    endpoints: [containers.inspect]
    target:
      labels:
        tier: { equals: web }
`);
const get = (target: string) => ({ method: 'GET', target, headers: {}, upgrade: false });

describe("the engine's API version, read off its answers", () => {
  it.each([
    [['Api-Version', '1.51', 'Content-Type', 'application/json'], '1.51'],
    [['api-version', '1.41'], '1.41'],
    [['Content-Type', 'text/plain'], null],
    [['Api-Version-Extra', '9.9'], null],
  ])('%j → %s', (rawHeaders, version) => {
    const g = { engineApiVersion: null } as Gateway;
    learnEngineVersion(g, rawHeaders);
    expect(g.engineApiVersion).toBe(version);
  });
});

describe('what waits for the engine before it is decided', () => {
  it('a request on a container under a target rule waits for the lookup; a plain one does not', () => {
    expect(awaitsLookup(admit(TARGETED, get('/v1.41/containers/abc/json')))).toBe(true);
    expect(awaitsLookup(admit(ALLOW_ALL, get('/v1.41/containers/abc/json')))).toBe(false);
  });

  it('a denied request waits for nothing', () => {
    expect(awaitsLookup(admit(TARGETED, get('/v1.41/images/json')))).toBe(false);
  });
});

describe('what is forwarded', () => {
  it('is the normalised target, not the client spelling', () => {
    expect(forwardTarget(admit(ALLOW_ALL, get('/v1.41/containers/%61bc/json?size=1')))).toBe('/v1.41/containers/abc/json?size=1');
  });
});
