/**
 * The Go types and helpers of the decodeGoJson tests (test/unit/inspect/gojson/*.test.ts), which
 * check decodeGoJson against Go's encoding/json, rule by rule (docs/go-json-decoding.md).
 *
 * Every expected value in those tests was produced by running the same body through
 * `json.NewDecoder(bytes.NewReader(body)).Decode(&v)` with go1.19.8 (moby 20.10's Go) on the
 * equivalent Go types below; the comments cite the Go source (go1.19 src/encoding/json, and fold.go
 * of Go ≥1.21) that makes it so.
 */

import { decodeGoJson } from '../../../../src/inspect/gojson/index.js';
import type { GoDecodeOptions, GoDecodeResult } from '../../../../src/inspect/gojson/index.js';
import type { GoField, GoType } from '../../../../src/inspect/go-types.js';
import { StrSlice } from '../../../../src/inspect/schemas/strslice.js';

// ---- Go types (mirrors of the Go declarations the expectations were produced with) ----

export const b: GoType = { kind: 'bool' };
export const s: GoType = { kind: 'string' };
export const i64: GoType = { kind: 'int', bits: 64 };
export const i8: GoType = { kind: 'int', bits: 8 };
export const u8: GoType = { kind: 'int', bits: 8, unsigned: true };
export const u64: GoType = { kind: 'int', bits: 64, unsigned: true };
export const f32: GoType = { kind: 'float', bits: 32 };
export const f64: GoType = { kind: 'float', bits: 64 };
export const any: GoType = { kind: 'any' };
export const ptr = (elem: GoType): GoType => ({ kind: 'ptr', elem });
export const slice = (elem: GoType): GoType => ({ kind: 'slice', elem });
export const F = (name: string, type: GoType, extra: Partial<GoField> = {}): GoField => ({ name, type, ...extra });

// type Sub struct { A string; N int; L []int; P *Sub }
const subFields: GoField[] = [];
export const Sub: GoType = { kind: 'struct', name: 'Sub', fields: subFields };
subFields.push(F('A', s), F('N', i64), F('L', slice(i64)), F('P', ptr(Sub)));

export const Basic: GoType = {
  kind: 'struct',
  name: 'Basic',
  fields: [
    F('B', b),
    F('S', s),
    F('I', i64),
    F('I8', i8),
    F('U8', u8),
    F('U64', u64),
    F('F32', f32),
    F('F64', f64),
    F('P', ptr(i64)),
    F('PP', ptr(ptr(i64))),
    F('L', slice(s)),
    F('A', { kind: 'array', elem: i64, length: 3 }),
    F('M', { kind: 'map', key: 'string', elem: i64 }),
    F('MI', { kind: 'map', key: 'int', elem: s }),
    F('X', any),
    F('R', { kind: 'rawMessage' }),
    F('By', slice(u8)),
    F('Q', i64, { string: true }), // `json:",string"`
    F('QS', s, { json: 'qs', string: true }),
    F('QB', b, { json: 'qb,string' }), // a full tag is split like encode.go parseTag
    F('QF', f64, { json: 'qf', string: true }),
    F('QP', ptr(i64), { json: 'qp', string: true }),
    F('Sub', Sub),
    F('PSub', ptr(Sub)),
    F('LSub', slice(Sub)),
    F('MSub', { kind: 'map', key: 'string', elem: Sub }),
    F('Name', s, { json: 'name' }),
    F('Under', s, { json: 'a_b' }),
    F('Cmd', StrSlice),
    F('Uni', s, { json: 'ǅx' }),
    F('Mu', s, { json: 'µ' }),
    F('Ign', s, { json: '-' }),
    F('Minus', s, { json: '-,' }),
    F('Bad', s, { json: 'bad"tag' }),
    F('lower', s),
  ],
};

// Keys that differ only by case, and keys that fold specially.
// type Fold struct { Lower string `json:"k"`; Upper string `json:"K"`; Sk string `json:"sk"`; Id string `json:"id"` }
export const Fold: GoType = {
  kind: 'struct',
  fields: [F('Lower', s, { json: 'k' }), F('Upper', s, { json: 'K' }), F('Sk', s, { json: 'sk' }), F('Id', s, { json: 'id' })],
};

// moby runconfig.ContainerConfigWrapper (v20.10), reduced:
// type Wrapper struct { *Config; InnerHostConfig *HostConfig `json:"HostConfig,omitempty"`; Cpuset string `json:",omitempty"`; *HostConfig }
export const Config: GoType = { kind: 'struct', name: 'Config', fields: [F('Hostname', s), F('Cmd', StrSlice), F('Image', s), F('Env', slice(s))] };
export const Resources: GoType = { kind: 'struct', name: 'Resources', fields: [F('Memory', i64), F('CPUShares', i64)] };
export const HostConfig: GoType = {
  kind: 'struct',
  name: 'HostConfig',
  fields: [F('Binds', slice(s)), F('Privileged', b), F('Resources', Resources, { embedded: true })],
};
export const Wrapper: GoType = {
  kind: 'struct',
  name: 'Wrapper',
  fields: [
    F('Config', ptr(Config), { embedded: true }),
    F('InnerHostConfig', ptr(HostConfig), { json: 'HostConfig', omitempty: true }),
    F('Cpuset', s, { omitempty: true }),
    F('HostConfig', ptr(HostConfig), { embedded: true }),
  ],
};

// Dominance: type Dom struct { E1; E2; E3; *inner; F int `json:"F"`; G int }
export const E1: GoType = { kind: 'struct', fields: [F('A', i64), F('B', i64, { json: 'B' }), F('C', i64), F('D', i64)] };
export const E2: GoType = { kind: 'struct', fields: [F('A', i64), F('B', i64), F('C', i64, { json: 'C' }), F('F', i64)] };
export const Deep: GoType = { kind: 'struct', fields: [F('D', i64), F('G', i64)] };
export const E3: GoType = { kind: 'struct', fields: [F('Deep', Deep, { embedded: true }), F('H', i64)] };
export const inner: GoType = { kind: 'struct', name: 'main.inner', fields: [F('Hidden', i64), F('V', i64)] };
export const Dom: GoType = {
  kind: 'struct',
  fields: [
    F('E1', E1, { embedded: true }),
    F('E2', E2, { embedded: true }),
    F('E3', E3, { embedded: true }),
    F('inner', ptr(inner), { embedded: true }),
    F('F', i64, { json: 'F' }),
    F('G', i64),
  ],
};
// The same struct type reached twice at one depth: type TwiceTop struct { Twice1; Twice2; Z int }
export const Shared: GoType = { kind: 'struct', fields: [F('S1', i64)] };
export const Twice1: GoType = { kind: 'struct', fields: [F('Shared', Shared, { embedded: true })] };
export const Twice2: GoType = { kind: 'struct', fields: [F('Shared', Shared, { embedded: true })] };
export const TwiceTop: GoType = { kind: 'struct', fields: [F('Twice1', Twice1, { embedded: true }), F('Twice2', Twice2, { embedded: true }), F('Z', i64)] };

// ---- helpers ----

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

export function dec(body: string | Uint8Array, type: GoType, options?: GoDecodeOptions): GoDecodeResult {
  return decodeGoJson(typeof body === 'string' ? utf8(body) : body, type, options);
}

/** the decoded value; fails the test when decoding failed */
export function ok(body: string | Uint8Array, type: GoType = Basic, options?: GoDecodeOptions): Record<string, unknown> {
  const r = dec(body, type, options);
  if (!r.ok) throw new Error(`expected success, got ${r.message} at ${r.pointer}`);
  return r.value as Record<string, unknown>;
}

export function err(body: string | Uint8Array, type: GoType = Basic): { pointer: string; message: string; kind?: string; offset?: number } {
  const r = dec(body, type);
  if (r.ok) throw new Error('expected an error');
  return r;
}
