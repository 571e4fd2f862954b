import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSuggest } from '../../../src/commands/suggest.js';
import { captureIO, thrown } from '../../helpers/command-io.js';
import { tempDir } from '../../helpers/temp.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => (tmp = tempDir('sg-suggest-')));
afterEach(() => tmp.cleanup());

describe('runSuggest', () => {
  it('reads "-" from standard input, counts what it skipped on stderr, and refuses logs with nothing to learn', () => {
    const c = captureIO({ stdin: 'not json\n' });
    expect(thrown(() => runSuggest(['-'], null, c.io))).toMatchObject({ code: 'SOCKGATE_ERR_CONFIG_INVALID' });
    expect(c.stderr()).toBe('sockgate suggest: 0 decision records: 0 learned (0 denied by the learning policy), 0 not learned; skipped 0 completion records, 0 other records, 1 non-JSON lines\n');
    expect(c.stdout()).toBe('');
  });

  it('names the audit log it cannot read', () => {
    const c = captureIO();
    expect(() => runSuggest(['-'], null, c.io)).toThrow('cannot read audit log -: EAGAIN: no standard input');
    const missing = join(tmp.dir, 'missing.log');
    expect(() => runSuggest([missing], null, c.io)).toThrow(`cannot read audit log ${missing}`);
  });

  it('prints the suggested policy on stdout and returns 0 when a log shows allowed requests', () => {
    const log = join(tmp.dir, 'audit.log');
    const record = { kind: 'audit', listener: '/s.sock', profile: 'p', method: 'GET', path: '/containers/json', endpoint: 'containers.list', effect: 'allow', rule: 'r', reason: 'x', query: {} };
    writeFileSync(log, JSON.stringify(record) + '\n');
    const c = captureIO();
    expect(runSuggest([log], null, c.io)).toBe(0);
    expect(c.stdout()).toContain('containers.list');
    expect(c.stderr()).toMatch(/^sockgate suggest: 1 decision records: 1 learned/);
  });
});
