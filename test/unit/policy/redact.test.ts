import { describe, expect, it } from 'vitest';
import { loadPolicyText } from '../../../src/policy/load.js';
import { redactAnswer } from '../../../src/policy/redact.js';
import { policyFromYaml } from '../../helpers/proxy.js';

describe('redaction of answers', () => {
  it('keeps environment names, hides values, keeps the shape, and leaves other fields alone', () => {
    const answer = { Id: 'x', Config: { Env: ['PATH=/bin', 'TOKEN=abc=def', 'FLAG'], Labels: { a: 'b' } }, State: { Pid: 7 } };
    expect(redactAnswer(answer, [['Config', 'Env']])).toEqual({ Id: 'x', Config: { Env: ['PATH=[redacted]', 'TOKEN=[redacted]', '[redacted]'], Labels: { a: 'b' } }, State: { Pid: 7 } });
    expect(redactAnswer(answer, [['Config', 'Labels']])).toMatchObject({ Config: { Labels: { a: '[redacted]' } } });
  });

  it('applies to each element of a list answer, and ignores paths the answer does not have', () => {
    expect(redactAnswer([{ Spec: { Env: ['A=1'] } }, { Other: 1 }], [['Spec', 'Env'], ['No', 'Such']])).toEqual([{ Spec: { Env: ['A=[redacted]'] } }, { Other: 1 }]);
  });

  it('compiles per endpoint, and refuses endpoints whose answer cannot be redacted', () => {
    const p = policyFromYaml('version: 1\nredact:\n  - { endpoints: [containers.inspect, services.inspect], fields: [Config.Env, Spec.TaskTemplate.ContainerSpec.Env] }\nrules: []\n');
    expect(p.redactions.get('containers.inspect')).toEqual([['Config', 'Env'], ['Spec', 'TaskTemplate', 'ContainerSpec', 'Env']]);
    const bad = loadPolicyText('version: 1\nredact:\n  - { endpoints: [containers.logs], fields: [$facts.x] }\nrules: []\n', 'p.yaml');
    expect(bad.ok ? [] : bad.problems.map((x) => x.message)).toEqual([
      expect.stringContaining('"containers.logs" is not an endpoint whose answer sockgate can redact'),
      expect.stringContaining('"$facts.x" is not a dotted field path'),
    ]);
  });
});
