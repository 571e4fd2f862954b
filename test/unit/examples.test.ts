import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfigText } from '../../src/config/file.js';
import { parseCommand } from '../../src/config/options.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { checkPolicyFile } from '../../src/policy/files.js';

const ROOT = join(import.meta.dirname, '../..');
const EXAMPLES = join(ROOT, 'examples');

/** Every file under examples/, as a path relative to it. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [relative(EXAMPLES, join(dir, e.name))]));
}
const allFiles = walk(EXAMPLES);
const composeFiles = allFiles.filter((f) => /\.(compose|stack)\.ya?ml$/.test(f));
const configFiles = allFiles.filter((f) => /\.ya?ml$/.test(f) && /^listeners\s*:/m.test(readFileSync(join(EXAMPLES, f), 'utf8')));
const policyFiles = allFiles.filter((f) => f.startsWith('policies/'));

type Mount = string | { type?: string; source?: string; target?: string };

interface ComposeService {
  command?: string[];
  volumes?: Mount[];
  environment?: Record<string, string>;
  read_only?: boolean;
  cap_drop?: string[];
  group_add?: string[];
  user?: string;
}

function mountOf(m: Mount): { source: string; target: string } {
  if (typeof m !== 'string') return { source: m.source ?? '', target: m.target ?? '' };
  const [source = '', target = ''] = m.split(':');
  return { source, target };
}

/** A path inside the image (/app/...) as the file in this repository; else relative to `base`. */
function hostPath(path: string, base: string): string {
  return path.startsWith('/app/') ? join(ROOT, path.slice('/app/'.length)) : resolve(base, path);
}

/** Problems of a sockgate config file: its own, its policy files', and its inline profiles' compilation. */
function checkConfig(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const result = loadConfigText(text, file);
  if (!result.ok) return result.problems.map((p) => JSON.stringify(p));
  const problems: string[] = [];
  for (const l of result.config.listeners) {
    if (l.profile.policyFile !== null) problems.push(...checkPolicyFile(hostPath(l.profile.policyFile, dirname(file))).map((p) => JSON.stringify(p)));
    else if (l.profile.inline !== null) compilePolicy(l.profile.inline, `${file}#${l.profile.name}`, text);
  }
  return problems;
}

describe('examples', () => {
  it('has examples to check', () => expect(composeFiles.length).toBeGreaterThan(0));

  it('checks every file in examples/: each is a compose/stack file, a sockgate config or an example policy', () => {
    const unchecked = allFiles.filter((f) => !composeFiles.includes(f) && !configFiles.includes(f) && !policyFiles.includes(f));
    expect(unchecked).toEqual([]);
  });

  it.each(composeFiles)('%s: sockgate gets valid flags and a shipped, valid policy or config; no other service mounts the engine socket', (file) => {
    const doc = parse(readFileSync(join(EXAMPLES, file), 'utf8'), { strict: true, uniqueKeys: true }) as { services: Record<string, ComposeService> };
    const services = Object.entries(doc.services);
    const gates = services.filter(([, s]) => s.command?.includes('--listen') || s.command?.includes('--config'));
    expect(gates.length).toBeGreaterThan(0);
    for (const [name, s] of gates) {
      const cmd = parseCommand(s.command!, {}, { uid: 0, tmpdir: '/tmp' });
      expect(cmd.kind).toBe('run');
      if (cmd.kind !== 'run') continue;
      if (cmd.options.policyFile !== null) expect(checkPolicyFile(hostPath(cmd.options.policyFile, EXAMPLES))).toEqual([]);
      if (cmd.options.configFile !== null) {
        // the config is a file of this repository, mounted where --config names it
        const mount = (s.volumes ?? []).map(mountOf).find((m) => m.target === cmd.options.configFile);
        expect(mount, `${name} must mount the file --config names`).toBeDefined();
        const configFile = resolve(EXAMPLES, mount!.source);
        expect(existsSync(configFile), `${configFile} exists`).toBe(true);
        expect(configFiles).toContain(relative(EXAMPLES, configFile));
        expect(checkConfig(configFile)).toEqual([]);
      }
      // the image runs as uid 10001: the engine socket only through its group; hardened as the README says
      expect(s.group_add, `${name} needs group_add (the engine socket's group)`).toHaveLength(1);
      expect(s.read_only, `${name} runs with a read-only root filesystem`).toBe(true);
      expect(s.cap_drop).toEqual(['ALL']);
      expect(s.user, `${name} keeps the image's non-root user`).toBeUndefined();
    }
    for (const [name, s] of services) {
      if (gates.some(([g]) => g === name)) continue;
      for (const v of s.volumes ?? []) expect(mountOf(v).source, `${name} must not mount the engine socket`).not.toMatch(/docker\.sock$|DOCKER_SOCKET/);
    }
  });

  it.each(configFiles)('%s is a valid sockgate config whose policies are valid', (file) => {
    expect(checkConfig(join(EXAMPLES, file))).toEqual([]);
  });
});

describe('example policies', () => {
  const dir = join(EXAMPLES, 'policies');
  const policies = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  const e2e = readdirSync(join(ROOT, 'test/e2e')).map((f) => readFileSync(join(ROOT, 'test/e2e', f), 'utf8')).join('\n');

  it('has example policies to check', () => expect(policies.length).toBeGreaterThan(0));

  it.each(policies)('%s is a valid policy, exercised by an end-to-end test', (file) => {
    expect(checkPolicyFile(join(dir, file))).toEqual([]);
    expect(e2e, `no test in test/e2e/ names examples/policies/${file}`).toContain(file);
  });
});
