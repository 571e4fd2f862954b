import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCommand } from '../../src/config/options.js';
import { checkPolicyFile } from '../../src/policy/files.js';

const ROOT = join(import.meta.dirname, '../..');
const files = readdirSync(join(ROOT, 'examples')).filter((f) => /\.ya?ml$/.test(f));

interface ComposeService {
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
}

describe('examples', () => {
  it('has examples to check', () => expect(files.length).toBeGreaterThan(0));

  it.each(files)('%s: sockgate gets valid flags and a shipped, valid policy; no other service mounts the engine socket', (file) => {
    const doc = parse(readFileSync(join(ROOT, 'examples', file), 'utf8'), { strict: true, uniqueKeys: true }) as { services: Record<string, ComposeService> };
    const services = Object.entries(doc.services);
    const gates = services.filter(([, s]) => s.command?.includes('--listen'));
    expect(gates.length).toBeGreaterThan(0);
    for (const [, s] of gates) {
      const cmd = parseCommand(s.command!, {}, { uid: 0, tmpdir: '/tmp' });
      expect(cmd.kind).toBe('run');
      if (cmd.kind !== 'run') continue;
      if (cmd.options.policyFile !== null) {
        const local = cmd.options.policyFile.replace(/^\/app\//, '');
        expect(checkPolicyFile(join(ROOT, local))).toEqual([]);
      }
    }
    for (const [name, s] of services) {
      if (gates.some(([g]) => g === name)) continue;
      for (const v of s.volumes ?? []) expect(v, `${name} must not mount the engine socket`).not.toMatch(/docker\.sock:/);
    }
  });
});

describe('example policies', () => {
  const dir = join(ROOT, 'examples/policies');
  const policies = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  const e2e = readdirSync(join(ROOT, 'test/e2e')).map((f) => readFileSync(join(ROOT, 'test/e2e', f), 'utf8')).join('\n');

  it('has example policies to check', () => expect(policies.length).toBeGreaterThan(0));

  it.each(policies)('%s is a valid policy, exercised by an end-to-end test', (file) => {
    expect(checkPolicyFile(join(dir, file))).toEqual([]);
    expect(e2e, `no test in test/e2e/ names examples/policies/${file}`).toContain(file);
  });
});
