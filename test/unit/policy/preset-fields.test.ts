/**
 * Generated from the decoder's schemas (every field of every engine version sockgate knows, 20.10
 * and current): for each field of the bodies untrusted-create lets through (container create,
 * exec create, volume create, network create), a body that sets that field alone to a value that is
 * not its default is sent through the preset. A field off its allow-list must be refused. The
 * classification of every field is pinned in test/fixtures/untrusted-create-fields.txt: a field
 * added to the schemas fails here until someone lists it there (and, to allow it, in the preset).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goStructFields, type GoType } from '../../../src/inspect/gojson/index.js';
import { BODY_SCHEMAS, type BodyEndpointId } from '../../../src/inspect/schemas/index.js';
import { loadPolicyFile } from '../../../src/policy/files.js';
import { decide } from '../../helpers/gate-record.js';

const ROOT = join(import.meta.dirname, '../../..');
const policy = loadPolicyFile(join(ROOT, 'policies/untrusted-create.yaml'));
const CLASSIFICATION = join(ROOT, 'test/fixtures/untrusted-create-fields.txt');

const ENDPOINTS = {
  'containers.create': '/containers/create',
  'exec.create': '/containers/abc/exec',
  'volumes.create': '/volumes/create',
  'networks.create': '/networks/create',
} as const;

const unwrap = (t: GoType): GoType => (t.kind === 'ptr' ? unwrap(t.elem) : t);

/** A value of type t that is not its default (a 7, an "x", a list or map of one such element). */
function notDefault(t: GoType, depth = 0): unknown {
  const u = unwrap(t);
  switch (u.kind) {
    case 'bool':
      return true;
    case 'string':
      return 'x';
    case 'int':
      return 7;
    case 'float':
      return 1.5;
    case 'slice':
      return u.elem.kind === 'int' && u.elem.bits === 8 ? 'eA==' : [notDefault(u.elem, depth + 1)];
    case 'array':
      return Array.from({ length: u.length }, () => notDefault(u.elem, depth + 1));
    case 'map':
      return { [u.key === 'int' ? '1' : 'k']: notDefault(u.elem, depth + 1) };
    case 'struct': {
      const first = goStructFields(u)[0];
      return first === undefined ? {} : { [first.name]: notDefault(first.type, depth + 1) };
    }
    case 'any':
    case 'rawMessage':
      return { x: 1 };
    case 'custom':
      return ['x'];
    case 'ptr':
      return null;
  }
}

interface Leaf {
  readonly path: string;
  readonly type: GoType;
}

/** Every field path (`*` for list elements and map values), down to fields that hold no structs. */
function leaves(t: GoType, prefix: string, depth: number, out: Leaf[]): Leaf[] {
  const u = unwrap(t);
  if (depth > 8) return out;
  if (u.kind === 'struct') {
    for (const f of goStructFields(u)) {
      const p = prefix === '' ? f.name : `${prefix}.${f.name}`;
      const inner = unwrap(f.type);
      const fields = inner.kind === 'struct' ? goStructFields(inner) : [];
      if (inner.kind === 'struct' && fields.length > 0) leaves(inner, p, depth + 1, out);
      else if ((inner.kind === 'slice' || inner.kind === 'array' || inner.kind === 'map') && unwrap(inner.elem).kind === 'struct' && goStructFields(unwrap(inner.elem)).length > 0) leaves(inner.elem, `${p}.*`, depth + 1, out);
      else out.push({ path: p, type: f.type });
    }
  }
  return out;
}

/** A body that sets `path` alone (the schema's types on the way). */
function bodySetting(schema: GoType, path: string, leafType: GoType): unknown {
  const build = (t: GoType, parts: readonly string[]): unknown => {
    if (parts.length === 0) return notDefault(leafType);
    const u = unwrap(t);
    const [head, ...rest] = parts;
    if (head === '*') {
      if (u.kind === 'map') return { k: build(u.elem, rest) };
      if (u.kind === 'slice' || u.kind === 'array') return [build(u.elem, rest)];
      throw new Error(`"*" in ${path} at a ${u.kind}`);
    }
    if (u.kind !== 'struct') throw new Error(`${head!} in ${path} at a ${u.kind}`);
    const f = goStructFields(u).find((x) => x.name === head);
    if (f === undefined) throw new Error(`no field ${head!} in ${path}`);
    return { [head!]: build(f.type, rest) };
  };
  return build(schema, path.split('.'));
}

const allowListOf = (endpoint: BodyEndpointId): readonly string[] => policy.rules.find((r) => r.effect === 'allow' && r.endpointIds.has(endpoint) && r.fields !== null)?.fields?.listed ? [...policy.rules.find((r) => r.effect === 'allow' && r.endpointIds.has(endpoint) && r.fields !== null)!.fields!.listed] : [];

const onList = (list: readonly string[], path: string): boolean => list.some((p) => path === p || path.startsWith(`${p}.`));

const rows: { endpoint: string; path: string; listed: boolean; body: unknown }[] = [];
for (const [endpoint, target] of Object.entries(ENDPOINTS) as [BodyEndpointId, string][]) {
  const schema = BODY_SCHEMAS[endpoint];
  const list = allowListOf(endpoint);
  for (const leaf of leaves(schema, '', 0, [])) rows.push({ endpoint: `${endpoint} ${target}`, path: leaf.path, listed: onList(list, leaf.path), body: bodySetting(schema, leaf.path, leaf.type) });
}

describe('untrusted-create against every field sockgate\'s schemas know', () => {
  it('has every schema field classified in test/fixtures/untrusted-create-fields.txt, as its allow-lists classify it', () => {
    const current = rows.map((r) => `${r.listed ? 'allowed' : 'refused'} ${r.endpoint.split(' ')[0]!} ${r.path}`).join('\n') + '\n';
    if (process.env['SOCKGATE_WRITE_FIXTURES'] === '1') writeFileSync(CLASSIFICATION, current);
    // A new schema field, or a changed allow-list, shows up here: look at the field, decide, and
    // update the fixture (SOCKGATE_WRITE_FIXTURES=1 npx vitest run test/unit/policy/preset-fields.test.ts).
    expect(current).toBe(readFileSync(CLASSIFICATION, 'utf8'));
  });

  it.each(rows.filter((r) => !r.listed).map((r) => [r.endpoint, r.path, r]))('%s refuses %s set to a value that is not its default', (_e, _p, row) => {
    const [, target] = row.endpoint.split(' ') as [string, string];
    const base = row.endpoint.startsWith('containers.create') ? { Image: 'busybox', Cmd: ['true'] } : row.endpoint.startsWith('exec.create') ? { Cmd: ['true'] } : {};
    const body = { ...base, ...(row.body as Record<string, unknown>) };
    const a = decide(policy, { method: 'POST', target, body });
    expect(a.decision.effect, JSON.stringify(body)).toBe('deny');
  });

  it('lets through, for contrast, a body that sets only listed fields', () => {
    const a = decide(policy, { method: 'POST', target: '/containers/create', body: { Image: 'busybox', Cmd: ['true'], HostConfig: { Memory: 1 << 26, RestartPolicy: { Name: 'always' } } } });
    expect(a.decision.effect).toBe('allow');
  });
});
