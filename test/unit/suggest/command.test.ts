import { describe, expect, it } from 'vitest';
import { helpText, parseCommand } from '../../../src/config/options.js';

const platform = { uid: 1000, tmpdir: '/tmp' };

describe('sockgate suggest arguments', () => {
  it('takes audit logs ("-" = stdin) and an optional --profile', () => {
    expect(parseCommand(['suggest', 'a.log', '-'], {}, platform)).toEqual({ kind: 'suggest', files: ['a.log', '-'], profile: null });
    expect(parseCommand(['suggest', '--profile', 'ci', 'a.log'], {}, platform)).toEqual({ kind: 'suggest', files: ['a.log'], profile: 'ci' });
  });

  it('refuses no log, and unknown flags, with the usage', () => {
    expect(() => parseCommand(['suggest'], {}, platform)).toThrow(/usage: sockgate suggest \[--profile NAME\] AUDIT_LOG/);
    expect(() => parseCommand(['suggest', '--policy', 'x', 'a.log'], {}, platform)).toThrow(/usage: sockgate suggest/);
  });

  it('is listed in --help', () => {
    expect(helpText('0')).toContain('sockgate suggest [--profile NAME] AUDIT_LOG...');
  });
});
