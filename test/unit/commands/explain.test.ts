import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runExplain } from '../../../src/commands/explain.js';
import { captureIO, thrown } from '../../helpers/command-io.js';
import { tempDir } from '../../helpers/temp.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => (tmp = tempDir('sg-explain-')));
afterEach(() => tmp.cleanup());

const explain = (over: { method: string; target: string; policyFile?: string; configFile?: string; listener?: string; bodyFile?: string }) => ({
  kind: 'explain' as const,
  policyFile: over.policyFile ?? null,
  configFile: over.configFile ?? null,
  listener: over.listener ?? null,
  bodyFile: over.bodyFile ?? null,
  method: over.method,
  target: over.target,
});

const CONFIG = (dir: string): string => `version: 1
listeners:
  - socket: ${join(dir, 'ci.sock')}
    profile:
      name: ci
      rules:
        - { id: allow-create, effect: allow, endpoints: [containers.create] }
        - id: deny-privileged
          effect: deny
          endpoints: [containers.create]
          body: [{ path: HostConfig.Privileged, equals: true }]
`;

describe('runExplain', () => {
  it('prints the built-in policy\'s denial with the deciding rule as JSON on stdout and returns 2', () => {
    const c = captureIO();
    expect(runExplain(explain({ method: 'POST', target: '/v1.41/containers/create' }), c.io)).toBe(2);
    const out = JSON.parse(c.stdout()) as Record<string, unknown>;
    expect(out).toMatchObject({ effect: 'deny', rule: 'deny-writes', endpoint: 'containers.create', path: '/containers/create', apiVersion: '1.41', bodyInspected: false });
    expect(c.stdout().endsWith('}\n')).toBe(true);
    expect(c.stderr()).toBe('');
  });

  it('returns 0 for a request the policy allows', () => {
    const c = captureIO();
    expect(runExplain(explain({ method: 'GET', target: '/containers/json' }), c.io)).toBe(0);
    expect(JSON.parse(c.stdout())).toMatchObject({ effect: 'allow', endpoint: 'containers.list' });
  });

  it('decides as a config listener\'s profile, with the --body file read and its deny rule deciding', () => {
    const config = join(tmp.dir, 'sockgate.yaml');
    writeFileSync(config, CONFIG(tmp.dir));
    const body = join(tmp.dir, 'body.json');
    writeFileSync(body, '{"Image":"x","HostConfig":{"Privileged":true}}');
    const c = captureIO();
    expect(runExplain(explain({ method: 'POST', target: '/containers/create', configFile: config, listener: 'ci', bodyFile: body }), c.io)).toBe(2);
    expect(JSON.parse(c.stdout())).toMatchObject({ profile: 'ci', bodyInspected: true, rule: 'deny-privileged', bodyPointer: '/HostConfig/Privileged' });
  });

  it('refuses a listener the config does not have, naming the ones it has', () => {
    const config = join(tmp.dir, 'sockgate.yaml');
    writeFileSync(config, CONFIG(tmp.dir));
    const c = captureIO();
    expect(thrown(() => runExplain(explain({ method: 'GET', target: '/info', configFile: config, listener: 'nope' }), c.io))).toMatchObject({
      code: 'SOCKGATE_ERR_CONFIG_INVALID',
      message: `config ${config} has no listener "nope"`,
      details: [`listener ${join(tmp.dir, 'ci.sock')} (profile ci)`],
    });
    expect(c.stdout()).toBe('');
  });

  it('refuses a --body file it cannot read, before printing anything', () => {
    const c = captureIO();
    const missing = join(tmp.dir, 'missing.json');
    expect(() => runExplain(explain({ method: 'POST', target: '/containers/create', bodyFile: missing }), c.io)).toThrow(`cannot read --body ${missing}`);
    expect(c.stdout()).toBe('');
  });
});
