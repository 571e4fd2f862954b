import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/commands/check.js';
import { captureIO } from '../../helpers/command-io.js';
import { REPO_ROOT } from '../../helpers/engine.js';
import { tempDir } from '../../helpers/temp.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/policies');
const READ_ONLY = join(REPO_ROOT, 'policies/read-only.yaml');

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => (tmp = tempDir('sg-check-')));
afterEach(() => tmp.cleanup());

describe('runCheck', () => {
  it('says "FILE: ok" on stdout for every valid policy and returns 0', () => {
    const c = captureIO();
    const everything = join(FIXTURES, 'valid/everything.yaml');
    expect(runCheck([READ_ONLY, everything], c.io)).toBe(0);
    expect(c.stdout()).toBe(`${READ_ONLY}: ok\n${everything}: ok\n`);
    expect(c.stderr()).toBe('');
  });

  it('prints every problem of an invalid policy with file:line:col and returns 1, still checking the other files', () => {
    const c = captureIO();
    const bad = join(FIXTURES, 'invalid/wrong-types.yaml');
    expect(runCheck([bad, READ_ONLY], c.io)).toBe(1);
    const lines = c.stdout().split('\n').filter((l) => l.startsWith(bad));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.every((l) => /:\d+:\d+: /.test(l))).toBe(true);
    expect(c.stdout()).toContain(`${READ_ONLY}: ok\n`);
  });

  it('reports a file that cannot be read by its error code and returns 1', () => {
    const c = captureIO();
    expect(runCheck([join(tmp.dir, 'nope.yaml')], c.io)).toBe(1);
    expect(c.stdout()).toContain('SOCKGATE_ERR_POLICY_READ');
  });

  it('checks a config file together with the policy files it names, relative to the config file', () => {
    writeFileSync(join(tmp.dir, 'bad.yaml'), 'version: 1\nrules:\n  - { id: x, effect: allow, endpoints: [no.such.endpoint] }\n');
    const config = join(tmp.dir, 'sockgate.yaml');
    writeFileSync(config, `version: 1\nlisteners:\n  - socket: ${join(tmp.dir, 'a.sock')}\n    profile: { name: a, policy: bad.yaml }\n`);
    const c = captureIO();
    expect(runCheck([config], c.io)).toBe(1);
    expect(c.stdout()).toMatch(new RegExp(`^${join(tmp.dir, 'bad.yaml').replace(/[.]/g, '\\.')}:\\d+:\\d+: `));
    writeFileSync(join(tmp.dir, 'bad.yaml'), 'version: 1\nrules:\n  - { id: x, effect: allow, endpoints: [system.ping] }\n');
    const ok = captureIO();
    expect(runCheck([config], ok.io)).toBe(0);
    expect(ok.stdout()).toBe(`${config}: ok\n`);
  });
});
