import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/policy/evaluate.js';
import { loadBuiltInPolicy } from '../../src/policy/files.js';
import { loadPolicyText } from '../../src/policy/load.js';
import { matchEndpoint } from '../../src/request/endpoint-match.js';
import { normalizeRequest } from '../../src/request/normalize.js';

const ROOT = join(import.meta.dirname, '../..');

function yamlFilesUnder(dir: string): string[] {
  let out: string[] = [];
  let entries: import('node:fs').Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('every shipped policy compiles', () => {
  // (bench/policy.yaml is the benchmark's copy of untrusted-create: it must keep loading too)
  const files = [...yamlFilesUnder(join(ROOT, 'policies')), join(ROOT, 'bench/policy.yaml')];
  it('ships at least the read-only preset', () => expect(files.map((f) => f.slice(ROOT.length))).toContain('/policies/read-only.yaml'));
  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s is a valid policy', (_name, file) => {
    const r = loadPolicyText(readFileSync(file, 'utf8'), file);
    expect(r.ok ? [] : r.problems).toEqual([]);
  });
  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s comments every rule', (_name, file) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^\s*- id:/.test(line)) expect(lines[i - 1], `${file}:${i + 1} has no comment above it`).toMatch(/^\s*#/);
    });
  });
});

function decide(method: string, target: string) {
  const policy = loadBuiltInPolicy();
  const n = normalizeRequest(method, target);
  if (!n.ok) throw new Error(n.rejection.reason);
  return evaluate(policy, { method, path: n.request.path, endpoint: matchEndpoint(method, n.request.path)?.id ?? null, query: n.request.query });
}

describe('the built-in read-only policy', () => {
  it.each([
    ['GET', '/_ping'],
    ['HEAD', '/_ping'],
    ['GET', '/v1.41/version'],
    ['GET', '/info'],
    ['GET', '/events?filters=%7B%7D'],
    ['GET', '/containers/json?all=1'],
    ['GET', '/containers/abc/json'],
    ['GET', '/images/json'],
    ['GET', '/images/registry.example.com/team/app:1.0/json'],
    ['GET', '/networks'],
    ['GET', '/networks/bridge'],
    ['GET', '/volumes'],
    ['GET', '/volumes/data'],
    ['GET', '/services'],
    ['GET', '/tasks'],
    ['GET', '/nodes'],
  ])('allows discovery: %s %s', (method, target) => {
    expect(decide(method, target).effect).toBe('allow');
  });

  it.each([
    ['POST', '/containers/create'],
    ['POST', '/containers/abc/start'],
    ['DELETE', '/containers/abc'],
    ['POST', '/containers/abc/exec'],
    ['POST', '/exec/abc/start'],
    ['POST', '/build'],
    ['POST', '/images/create'],
    ['PUT', '/containers/abc/archive'],
    ['POST', '/volumes/create'],
    ['POST', '/swarm/init'],
  ])('denies writes by rule deny-writes: %s %s', (method, target) => {
    expect(decide(method, target)).toMatchObject({ effect: 'deny', ruleId: 'deny-writes' });
  });

  it.each([
    ['GET', '/containers/abc/logs?stdout=1'],
    ['GET', '/containers/abc/export'],
    ['GET', '/containers/abc/archive?path=/etc'],
    ['HEAD', '/containers/abc/archive?path=/etc'],
    ['GET', '/containers/abc/attach/ws'],
    ['GET', '/images/abc/get'],
    ['GET', '/images/get?names=abc'],
    ['GET', '/swarm'],
    ['GET', '/secrets'],
    ['GET', '/configs'],
    ['GET', '/services/abc/logs'],
  ])('denies reads that expose files or secrets: %s %s', (method, target) => {
    expect(decide(method, target).effect).toBe('deny');
  });
});
