import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyText } from '../../../src/policy/load.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/policies');

/** Each invalid fixture states its expected problems as `# expect: LINE:COL text` comments. */
function expectations(text: string): { line: number; col: number; text: string }[] {
  return [...text.matchAll(/^# expect: (\d+):(\d+) (.+)$/gm)].map((m) => ({ line: Number(m[1]), col: Number(m[2]), text: m[3]! }));
}

describe('loadPolicyText: invalid policies are refused with file:line:col', () => {
  const files = readdirSync(join(FIXTURES, 'invalid')).filter((f) => f.endsWith('.yaml'));
  it('has invalid fixtures to check', () => expect(files.length).toBeGreaterThan(5));
  it.each(files)('%s reports each expected problem at its position', (file) => {
    const text = readFileSync(join(FIXTURES, 'invalid', file), 'utf8');
    const result = loadPolicyText(text, file);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const want = expectations(text);
    expect(want.length).toBeGreaterThan(0);
    for (const w of want) {
      const found = result.problems.find((p) => p.line === w.line && p.col === w.col && p.message.includes(w.text));
      expect(found, `expected "${w.text}" at ${w.line}:${w.col}; got:\n${result.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n')}`).toBeDefined();
    }
    for (const p of result.problems) expect(p.file).toBe(file);
  });
});

describe('loadPolicyText: valid policies', () => {
  it('accepts every key of the schema', () => {
    const text = readFileSync(join(FIXTURES, 'valid/everything.yaml'), 'utf8');
    const result = loadPolicyText(text, 'everything.yaml');
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    expect(result.document.default).toBe('deny');
    expect(result.document.rules.map((r) => r.id)).toEqual(['allow-reads', 'allow-by-id', 'deny-force']);
    expect(result.document.rules[0]!.methods).toEqual(['GET']);
    expect(result.document.rules[0]!.paths).toEqual(['/containers/json']);
  });

  it('defaults to deny when the file says nothing', () => {
    const result = loadPolicyText('version: 1\nrules: []\n', 'p.yaml');
    expect(result.ok && result.document.default).toBe('deny');
  });

  it('gives a JSON pointer with every problem', () => {
    const result = loadPolicyText('version: 1\nrules:\n  - id: a\n    effect: allow\n    paths: [x]\n', 'p.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]!.pointer).toBe('/rules/0/paths/0');
  });
});


describe('allow-lists of fields', () => {
  const problems = (rules: string): string[] => {
    const r = loadPolicyText(`version: 1\nrules:\n${rules}`, 'p.yaml');
    return r.ok ? [] : r.problems.map((p) => `${p.line}:${p.col} ${p.message}`);
  };

  it('accept field paths of every endpoint named, "*" for elements, and an empty list (nothing may be set)', () => {
    expect(problems('  - {id: a, effect: allow, endpoints: [containers.create], fields: [Image, HostConfig.Mounts.*.Type, NetworkingConfig.EndpointsConfig.*.Aliases]}\n')).toEqual([]);
    expect(problems('  - {id: a, effect: allow, endpoints: [volumes.create], fields: []}\n')).toEqual([]);
  });

  it('refuse a path that names no field, saying where and why, and a list on a deny rule or an endpoint that is not decoded', () => {
    expect(problems('  - {id: a, effect: allow, endpoints: [containers.create], fields: [HostConfig.Privilegd]}\n')).toEqual([
      '3:69 "HostConfig.Privilegd" names no field of the containers.create body: container.HostConfig at "HostConfig" has no field "Privilegd" in any engine version sockgate knows',
    ]);
    expect(problems('  - {id: a, effect: allow, endpoints: [containers.create], fields: [HostConfig.Mounts.Type]}\n')[0]).toContain('reached with ".*"');
    expect(problems('  - {id: a, effect: deny, endpoints: [containers.create], fields: [Image]}\n')[0]).toContain('a deny rule cannot have one');
    expect(problems('  - {id: a, effect: allow, endpoints: [containers.start], fields: [Image]}\n').join('\n')).toContain('an allow-list of fields need endpoints whose body sockgate decodes');
  });
});

describe('Dockerfile conditions', () => {
  const problems = (rules: string): string[] => {
    const r = loadPolicyText(`version: 1\nrules:\n${rules}`, 'p.yaml');
    return r.ok ? [] : r.problems.map((p) => p.message);
  };

  it('are accepted on an allow rule for images.build, with registry hosts as image references name them', () => {
    expect(problems('  - {id: b, effect: allow, endpoints: [images.build], dockerfile: {registries: [docker.io, "registry.example.com:5000", "[::1]:5000"]}}\n')).toEqual([]);
  });

  it('are refused elsewhere, on deny rules, without registries, or with a registry that is no host', () => {
    expect(problems('  - {id: b, effect: allow, endpoints: [containers.create], dockerfile: {registries: [docker.io]}}\n').join()).toContain('Dockerfile conditions need the build endpoint');
    expect(problems('  - {id: b, effect: deny, endpoints: [images.build], dockerfile: {registries: [docker.io]}}\n').join()).toContain('a deny rule cannot have one');
    expect(problems('  - {id: b, effect: allow, endpoints: [images.build], dockerfile: {}}\n').join()).toContain('needs "registries"');
    expect(problems('  - {id: b, effect: allow, endpoints: [images.build], dockerfile: {registries: ["http://x"]}}\n').join()).toContain('is not a registry host');
  });
});
