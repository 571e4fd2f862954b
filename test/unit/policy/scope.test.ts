import { describe, expect, it } from 'vitest';
import { eventVisible, filterContainerList } from '../../../src/policy/scope.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { policyFromYaml } from '../../helpers/proxy.js';

const POLICY = policyFromYaml(`version: 1
scope:
  containers:
    labels:
      tier: { equals: web }
rules: []
`);
const scope = POLICY.scope!;

describe('scoped views', () => {
  it('keep only the containers of a list that the scope covers', () => {
    const list = [
      { Id: 'a', Names: ['/web-1'], Image: 'nginx', Labels: { tier: 'web' } },
      { Id: 'b', Names: ['/db-1'], Image: 'postgres', Labels: { tier: 'db' } },
      { Id: 'c', Names: ['/nolabels'], Image: 'x', Labels: null },
      'not an object',
    ];
    expect(filterContainerList(list, scope).map((c) => (c as { Id: string }).Id)).toEqual(['a']);
    expect(filterContainerList({ not: 'a list' }, scope)).toEqual([]);
  });

  it('show only events about containers the scope covers', () => {
    const event = (type: string, attributes: Record<string, string>) => ({ Type: type, Action: 'start', Actor: { ID: 'x', Attributes: attributes } });
    expect(eventVisible(event('container', { name: 'web-1', image: 'nginx', tier: 'web' }), scope)).toBe(true);
    expect(eventVisible(event('container', { name: 'db-1', image: 'postgres', tier: 'db' }), scope)).toBe(false);
    expect(eventVisible(event('network', { name: 'bridge', tier: 'web' }), scope)).toBe(false);
    expect(eventVisible({ status: 'start', id: 'x' }, scope)).toBe(false);
  });

  it('is a closed schema: only containers, with target conditions', () => {
    const r = loadPolicyText('version: 1\nscope:\n  images: {}\nrules: []\n', 'p.yaml');
    expect(r.ok).toBe(false);
    const empty = loadPolicyText('version: 1\nscope:\n  containers: {}\nrules: []\n', 'p.yaml');
    expect(empty.ok ? [] : empty.problems.map((p) => p.message)).toEqual(['expected at least one of: name, image, labels']);
  });
});
