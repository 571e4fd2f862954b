/**
 * decodeGoJson against Go's encoding/json, rule by rule (docs/go-json-decoding.md).
 *
 * Every expected value below was produced by running the same body through
 * `json.NewDecoder(bytes.NewReader(body)).Decode(&v)` with go1.19.8 (moby 20.10's Go) on the
 * equivalent Go types; the comments cite the Go source (go1.19 src/encoding/json, and fold.go of
 * Go ≥1.21) that makes it so.
 */

import { describe, expect, it } from 'vitest';
import { decodeGoJson, goFoldName, goParseFloat, goStructFields, MAX_NESTING_DEPTH, StrSlice } from '../../../src/inspect/go-json.js';
import type { GoDecodeOptions, GoDecodeResult } from '../../../src/inspect/go-json.js';
import type { GoField, GoType } from '../../../src/inspect/go-types.js';

// ---- Go types (mirrors of the Go declarations the expectations were produced with) ----

const b: GoType = { kind: 'bool' };
const s: GoType = { kind: 'string' };
const i64: GoType = { kind: 'int', bits: 64 };
const i8: GoType = { kind: 'int', bits: 8 };
const u8: GoType = { kind: 'int', bits: 8, unsigned: true };
const u64: GoType = { kind: 'int', bits: 64, unsigned: true };
const f32: GoType = { kind: 'float', bits: 32 };
const f64: GoType = { kind: 'float', bits: 64 };
const any: GoType = { kind: 'any' };
const ptr = (elem: GoType): GoType => ({ kind: 'ptr', elem });
const slice = (elem: GoType): GoType => ({ kind: 'slice', elem });
const F = (name: string, type: GoType, extra: Partial<GoField> = {}): GoField => ({ name, type, ...extra });

// type Sub struct { A string; N int; L []int; P *Sub }
const subFields: GoField[] = [];
const Sub: GoType = { kind: 'struct', name: 'Sub', fields: subFields };
subFields.push(F('A', s), F('N', i64), F('L', slice(i64)), F('P', ptr(Sub)));

const Basic: GoType = {
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
const Fold: GoType = {
  kind: 'struct',
  fields: [F('Lower', s, { json: 'k' }), F('Upper', s, { json: 'K' }), F('Sk', s, { json: 'sk' }), F('Id', s, { json: 'id' })],
};

// moby runconfig.ContainerConfigWrapper (v20.10), reduced:
// type Wrapper struct { *Config; InnerHostConfig *HostConfig `json:"HostConfig,omitempty"`; Cpuset string `json:",omitempty"`; *HostConfig }
const Config: GoType = { kind: 'struct', name: 'Config', fields: [F('Hostname', s), F('Cmd', StrSlice), F('Image', s), F('Env', slice(s))] };
const Resources: GoType = { kind: 'struct', name: 'Resources', fields: [F('Memory', i64), F('CPUShares', i64)] };
const HostConfig: GoType = {
  kind: 'struct',
  name: 'HostConfig',
  fields: [F('Binds', slice(s)), F('Privileged', b), F('Resources', Resources, { embedded: true })],
};
const Wrapper: GoType = {
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
const E1: GoType = { kind: 'struct', fields: [F('A', i64), F('B', i64, { json: 'B' }), F('C', i64), F('D', i64)] };
const E2: GoType = { kind: 'struct', fields: [F('A', i64), F('B', i64), F('C', i64, { json: 'C' }), F('F', i64)] };
const Deep: GoType = { kind: 'struct', fields: [F('D', i64), F('G', i64)] };
const E3: GoType = { kind: 'struct', fields: [F('Deep', Deep, { embedded: true }), F('H', i64)] };
const inner: GoType = { kind: 'struct', name: 'main.inner', fields: [F('Hidden', i64), F('V', i64)] };
const Dom: GoType = {
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
const Shared: GoType = { kind: 'struct', fields: [F('S1', i64)] };
const Twice1: GoType = { kind: 'struct', fields: [F('Shared', Shared, { embedded: true })] };
const Twice2: GoType = { kind: 'struct', fields: [F('Shared', Shared, { embedded: true })] };
const TwiceTop: GoType = { kind: 'struct', fields: [F('Twice1', Twice1, { embedded: true }), F('Twice2', Twice2, { embedded: true }), F('Z', i64)] };

// ---- helpers ----

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

function dec(body: string | Uint8Array, type: GoType, options?: GoDecodeOptions): GoDecodeResult {
  return decodeGoJson(typeof body === 'string' ? utf8(body) : body, type, options);
}

/** the decoded value; fails the test when decoding failed */
function ok(body: string | Uint8Array, type: GoType = Basic, options?: GoDecodeOptions): Record<string, unknown> {
  const r = dec(body, type, options);
  if (!r.ok) throw new Error(`expected success, got ${r.message} at ${r.pointer}`);
  return r.value as Record<string, unknown>;
}

function err(body: string | Uint8Array, type: GoType = Basic): { pointer: string; message: string; kind?: string; offset?: number } {
  const r = dec(body, type);
  if (r.ok) throw new Error('expected an error');
  return r;
}

// ---- 1. only the first JSON value is decoded ----

describe('1. Decoder.Decode reads the first JSON value only (stream.go readValue)', () => {
  it('decodes the first value and reports trailing non-whitespace', () => {
    const r = dec('{"Image":"a"} {"Image":"b"}', Config);
    expect(r.ok && r.value).toMatchObject({ Image: 'a' });
    expect(r.ok && r.trailing).toBe(true);
  });

  it('ignores trailing whitespace', () => {
    const r = dec('{"Image":"a"} \n\t\r ', Config);
    expect(r.ok && r.trailing).toBe(false);
  });

  it('ends a top-level number or literal at the first byte that cannot continue it (scanner stateEndValue)', () => {
    // "12abc" decodes 12: readValue breaks at scanEnd, the 'a' error is only seen by a second Decode
    expect(dec('12abc', i64)).toMatchObject({ ok: true, value: 12n, trailing: true });
    // "0123": state0 ends the number after 0
    expect(dec('0123', i64)).toMatchObject({ ok: true, value: 0n, trailing: true });
    expect(dec('truex', any)).toMatchObject({ ok: true, value: true, trailing: true });
    expect(dec('  7  ', i64)).toMatchObject({ ok: true, value: 7n, trailing: false });
  });

  it('does not look at the syntax of what follows', () => {
    expect(dec('{}{"x":', Config)).toMatchObject({ ok: true, trailing: true });
  });
});

// ---- 2. key → field matching ----

describe('2. object key → struct field (decode.go object; encode.go typeFields; fold.go)', () => {
  it('prefers the exact JSON name, then a case-insensitive match', () => {
    expect(ok('{"name":"x"}').name).toBe('x');
    expect(ok('{"NAME":"x"}').name).toBe('x');
    expect(ok('{"nAmE":"x"}').name).toBe('x');
    // each occurrence decodes into the same field: last wins
    expect(ok('{"name":"x","NAME":"y"}').name).toBe('y');
    expect(ok('{"NAME":"x","name":"y"}').name).toBe('y');
  });

  it('keeps two fields whose names differ only by case apart; a folded key goes to the first declared', () => {
    // byExactName first; byFoldedName keeps the first field ("For historical reasons, first folded match takes precedence.")
    expect(ok('{"k":"l","K":"u"}', Fold)).toMatchObject({ k: 'l', K: 'u' });
    expect(ok('{"K":"u"}', Fold)).toMatchObject({ k: '', K: 'u' });
    // U+212A KELVIN SIGN folds to K: not an exact match, so the first folded field, "k", gets it
    expect(ok('{"\u212a":"kelvin"}', Fold)).toMatchObject({ k: 'kelvin', K: '' });
  });

  it('folds U+212A (Kelvin sign) with k/K and U+017F (long s) with s/S, in every Go version', () => {
    // go1.19 fold.go equalFoldRight: "S maps to s and to U+017F ... k maps to K and to U+212A"
    expect(ok('{"\u017f\u212a":"x"}', Fold).sk).toBe('x');
    expect(ok('{"\u017fk":"x"}', Fold).sk).toBe('x');
    expect(ok('{"\u017fK":"x"}', Fold, { goVersion: '1.21' }).sk).toBe('x');
    expect(goFoldName('\u212a\u017f', false)).toBe('KS');
    expect(goFoldName('\u212a\u017f', true)).toBe('KS');
  });

  it('compares non-letters exactly and folds nothing else into ASCII', () => {
    expect(ok('{"A_B":"x"}').a_b).toBe('x');
    expect(ok('{"a-b":"x"}').a_b).toBe(''); // '-' is not '_'
    expect(ok('{"ab":"x"}').a_b).toBe('');
    // dotless ı (U+0131) and dotted İ (U+0130) are not in i/I's SimpleFold orbit
    expect(ok('{"ıd":"y","İD":"z"}', Fold).id).toBe('');
    expect(ok('{"ıd":"y"}', Fold, { goVersion: '1.21' }).id).toBe('');
  });

  it('folds non-ASCII names by Unicode simple case folding orbits', () => {
    // tag "ǅx": Ǆ/ǅ/ǆ are one orbit (bytes.EqualFold in go1.19, foldName in go1.21)
    expect(ok('{"Ǆx":"1"}').ǅx).toBe('1');
    expect(ok('{"ǆX":"1"}').ǅx).toBe('1');
    // tag "µ" (U+00B5 MICRO SIGN) folds with Greek Μ/μ
    expect(ok('{"Μ":"mu"}').µ).toBe('mu');
    expect(ok('{"μ":"mu"}').µ).toBe('mu');
  });

  it('differs between Go versions only through the Unicode tables (13.0.0 in go1.19, 15.0.0 from go1.21)', () => {
    // U+2C2F/U+2C5F (Glagolitic caudate chrivi) became a case pair in Unicode 14.0. go1.19 (checked):
    // no match; Go ≥1.21 (Unicode 15.0.0 tables, api/go1.21.txt; not run here): foldName matches.
    const T: GoType = { kind: 'struct', fields: [F('X', s, { json: '\u2c5f' })] };
    const body = '{"\u2c2f":"v"}';
    const r19 = dec(body, T, { goVersion: '1.19' });
    const r21 = dec(body, T, { goVersion: '1.21' });
    expect(r19).toMatchObject({ ok: true, versionDependent: true });
    expect(r19.ok && (r19.value as Record<string, unknown>)['\u2c5f']).toBe('');
    expect(r21.ok && (r21.value as Record<string, unknown>)['\u2c5f']).toBe('v');
    expect(dec('{"NAME":"x"}', Basic)).toMatchObject({ ok: true, versionDependent: false });
  });

  it('ignores unknown keys, "-" fields and unexported fields; "-," names a field "-"; an invalid tag falls back to the Go name', () => {
    const v = ok('{"zzz":[1,{"a":2}],"Ign":"i","-":"m","lower":"l","Bad":"b","bad\\"tag":"x"}');
    expect(v).not.toHaveProperty('Ign');
    expect(v).not.toHaveProperty('lower');
    expect(v['-']).toBe('m');
    expect(v.Bad).toBe('b');
  });
});

describe('2b. embedded (promoted) fields: encode.go typeFields / dominantField', () => {
  it('flattens the fields of embedded structs, as moby reads legacy top-level HostConfig fields', () => {
    const v = ok(
      '{"Hostname":"h","Cmd":"sh","HostConfig":{"Privileged":false,"Memory":5},"Privileged":true,"Binds":["/:/h"],"Memory":7,"Cpuset":"1"}',
      Wrapper,
    );
    // "HostConfig" is InnerHostConfig's tag; the embedded *HostConfig is not a field of its own
    expect(v.HostConfig).toMatchObject({ Privileged: false, Memory: 5n, CPUShares: 0n, Binds: null });
    // the embedded *HostConfig's fields (and its embedded Resources') are promoted to the top
    expect(v).toMatchObject({ Hostname: 'h', Cmd: ['sh'], Privileged: true, Binds: ['/:/h'], Memory: 7n, Cpuset: '1' });
    expect(goStructFields(Wrapper).map((f) => f.name)).toEqual([
      'Hostname',
      'Cmd',
      'Image',
      'Env',
      'HostConfig',
      'Cpuset',
      'Binds',
      'Privileged',
      'Memory',
      'CPUShares',
    ]);
  });

  it('folds keys to the promoted fields too', () => {
    expect(ok('{"hostconfig":{"privileged":true},"PRIVILEGED":true}', Wrapper)).toMatchObject({
      HostConfig: { Privileged: true },
      Privileged: true,
    });
  });

  it('keeps the shallowest field, a tagged one among equals, and drops ambiguous names', () => {
    const v = ok('{"A":1,"B":2,"C":3,"D":4,"F":5,"G":6,"H":7}', Dom);
    // A: E1.A and E2.A, same depth, both untagged → ambiguous, ignored
    expect(v).not.toHaveProperty('A');
    // B tagged in E1, C tagged in E2 win over the untagged ones at the same depth;
    // D: E1.D (depth 1) hides Deep.D (depth 2); F, G: top-level fields hide the embedded ones
    expect(v).toMatchObject({ B: 2n, C: 3n, D: 4n, F: 5n, G: 6n, H: 7n });
  });

  it('drops a field reached twice at the same depth through the same embedded type', () => {
    // typeFields: "If there were multiple instances, add a second, so that the annihilation code will see a duplicate"
    const v = ok('{"S1":1,"Z":2}', TwiceTop);
    expect(v).toEqual({ Z: 2n });
  });

  it('cannot set a field promoted through a nil embedded pointer to an unexported struct type', () => {
    // decode.go object: "json: cannot set embedded pointer to unexported struct" (golang.org/issue/21357)
    expect(err('{"Hidden":8}', Dom)).toMatchObject({
      pointer: '/Hidden',
      message: 'json: cannot set embedded pointer to unexported struct: main.inner',
    });
  });
});

describe('2c. an UnmarshalJSON promoted from an embedded field makes the whole struct an Unmarshaler', () => {
  // Go method promotion + decode.go indirect: `if u, ok := v.Interface().(Unmarshaler)` on *Outer
  const Tagged: GoType = { kind: 'struct', fields: [F('T1', i64)] };
  // type Emb struct { Tagged `json:"tg"`; StrSlice; A int }
  const Emb: GoType = { kind: 'struct', fields: [F('Tagged', Tagged, { embedded: true, json: 'tg' }), F('StrSlice', StrSlice, { embedded: true }), F('A', i64)] };
  // type Emb2 struct { StrSlice; json.RawMessage; A int } — two at one depth: ambiguous, no method
  const Emb2: GoType = {
    kind: 'struct',
    fields: [F('StrSlice', StrSlice, { embedded: true }), F('RawMessage', { kind: 'rawMessage' }, { embedded: true }), F('A', i64)],
  };
  // type E4 struct { StrSlice }; type Emb3 struct { E4; json.RawMessage; A int } — the shallower one wins
  const E4: GoType = { kind: 'struct', fields: [F('StrSlice', StrSlice, { embedded: true })] };
  const Emb3: GoType = { kind: 'struct', fields: [F('E4', E4, { embedded: true }), F('RawMessage', { kind: 'rawMessage' }, { embedded: true }), F('A', i64)] };
  // type Emb4 struct { *StrSlice; A int } — the method runs on a nil receiver
  const Emb4: GoType = { kind: 'struct', fields: [F('StrSlice', ptr(StrSlice), { embedded: true }), F('A', i64)] };

  it('hands the whole value to the embedded type\'s method, whatever the keys', () => {
    expect(err('{"tg":{"T1":1},"A":2}', Emb)).toMatchObject({ pointer: '', message: 'json: cannot unmarshal object into Go value of type string' });
    expect(ok('["a","b"]', Emb)).toEqual({ tg: { T1: 0n }, StrSlice: ['a', 'b'], A: 0n });
    expect(ok('{"A":1}', Emb3)).toMatchObject({ A: 0n, RawMessage: utf8('{"A":1}') });
  });

  it('does nothing when two embedded types at the same depth have the method', () => {
    expect(ok('{"StrSlice":"x","RawMessage":[1],"A":3}', Emb2)).toEqual({ StrSlice: ['x'], RawMessage: utf8('[1]'), A: 3n });
  });

  it('fails through a nil embedded pointer (the engine\'s handler would panic)', () => {
    expect(err('"x"', Emb4)).toMatchObject({ kind: 'value' });
    expect(err('{"A":1}', Emb4)).toMatchObject({ message: 'json: cannot unmarshal object into Go value of type string' });
  });
});

// ---- 3. repeated keys ----

describe('3. repeated keys decode into the same destination, in order', () => {
  it('scalars: last wins', () => {
    expect(ok('{"I":1,"I":2}').I).toBe(2n);
  });

  it('structs merge: a later object only sets the fields it names', () => {
    expect(ok('{"Sub":{"A":"a"},"Sub":{"N":3}}').Sub).toMatchObject({ A: 'a', N: 3n });
  });

  it('pointers: decode into the existing pointee, so a pointer to a struct merges (decode.go indirect)', () => {
    expect(ok('{"PSub":{"A":"a"},"psub":{"N":3}}').PSub).toMatchObject({ A: 'a', N: 3n });
    expect(ok('{"P":5,"P":6}').P).toBe(6n);
  });

  it('maps merge: the existing map is reused, keys added or overwritten', () => {
    expect(ok('{"M":{"a":1},"M":{"b":2}}').M).toEqual({ a: 1n, b: 2n });
    expect(ok('{"M":{"a":1},"M":null,"M":{"c":3}}').M).toEqual({ c: 3n });
  });

  it('map values are never merged: each entry decodes into a fresh zero element (decode.go object mapElem)', () => {
    expect(ok('{"MSub":{"x":{"A":"a"}},"MSub":{"x":{"N":1}}}').MSub).toEqual({ x: { A: '', N: 1n, L: null, P: null } });
  });

  it('slices: the length becomes the new array\'s, but elements decode into the old backing array', () => {
    // decode.go array: "if i < v.Len() { d.value(v.Index(i)) }" — the old element is reused, so structs merge
    expect(ok('{"LSub":[{"A":"a"},{"A":"b","N":2}],"LSub":[{"N":1}]}').LSub).toEqual([{ A: 'a', N: 1n, L: null, P: null }]);
    expect(ok('{"L":["a","b","c"],"L":["d"]}').L).toEqual(['d']);
    // SetLen(i+1) within capacity exposes the old elements again; null leaves them as they were
    expect(ok('{"L":["a","b","c"],"L":["d"],"L":[null,null,null]}').L).toEqual(['d', 'b', 'c']);
    expect(ok('{"LSub":[{"A":"a"},{"A":"b","N":2}],"LSub":[{"N":1}],"LSub":[{},{}]}').LSub).toEqual([
      { A: 'a', N: 1n, L: null, P: null },
      { A: 'b', N: 2n, L: null, P: null },
    ]);
    // "to unmarshal an empty JSON array into a slice, Unmarshal replaces the slice with a new empty slice"
    expect(ok('{"L":["a","b","c"],"L":[],"L":[null,null]}').L).toEqual(['', '']);
  });

  it('arrays: elements beyond the JSON array are zeroed, extra JSON elements dropped', () => {
    expect(ok('{"A":[1,2,3],"A":[null]}').A).toEqual([1n, 0n, 0n]);
    expect(ok('{"A":[1,2,3,4,5]}').A).toEqual([1n, 2n, 3n]);
  });

  it('null sets pointers, slices, maps and interfaces to nil and leaves everything else alone (decode.go literalStore)', () => {
    const v = ok('{"B":true,"B":null,"S":"s","S":null,"I":1,"I":null,"Sub":{"A":"x"},"Sub":null,"P":5,"P":null,"L":["a"],"L":null,"M":{"a":1},"M":null,"X":1,"X":null}');
    expect(v).toMatchObject({ B: true, S: 's', I: 1n, Sub: { A: 'x' }, P: null, L: null, M: null, X: null });
    // pointer to pointer: the first settable pointer becomes nil (indirect, decodingNull)
    expect(ok('{"PP":5,"PP":null}').PP).toBeNull();
  });

  it('interface{} values are replaced, never merged', () => {
    expect(ok('{"X":{"a":1},"X":{"b":2}}').X).toEqual({ b: 2 });
  });
});

// ---- 4. errors ----

describe('4. type mismatches and syntax errors', () => {
  it('reports the first type error (decodeState.saveError) with a pointer into the body', () => {
    expect(err('{"I":"x","S":2}')).toMatchObject({
      pointer: '/I',
      kind: 'type',
      message: 'json: cannot unmarshal string into Go value of type int64',
    });
    expect(err('{"Sub":{"L":[1,"x"]}}')).toMatchObject({ pointer: '/Sub/L/1', kind: 'type' });
    // keys are as spelled in the body, escaped per RFC 6901
    expect(err('{"sub":{"l":{}}}')).toMatchObject({ pointer: '/sub/l' });
    expect(err('{"M":{"a/b~c":"x"}}')).toMatchObject({ pointer: '/M/a~1b~0c' });
  });

  it('an UnmarshalJSON error stops decoding and is what Decode returns, even after a saved type error (go1.19)', () => {
    // go1.19 decode.go: `return u.UnmarshalJSON(...)` propagates; unmarshal() returns it before savedError
    expect(err('{"I":"x","Cmd":1}')).toMatchObject({
      pointer: '/Cmd',
      message: 'json: cannot unmarshal number into Go value of type string',
    });
  });

  it('reports syntax errors before any type error: the scanner reads the whole value first', () => {
    expect(err('{"I":"x", "S": tru}')).toMatchObject({
      kind: 'syntax',
      message: "invalid character '}' in literal true (expecting 'e')",
      offset: 19,
      pointer: '/S',
    });
    expect(err('{"L":["a" "b"]}')).toMatchObject({ message: "invalid character '\"' after array element", offset: 11, pointer: '/L/0' });
    expect(err('{"a":"\u0001"}')).toMatchObject({ message: "invalid character '\\x01' in string literal", offset: 7 });
    expect(err("{'a':1}")).toMatchObject({ message: "invalid character '\\'' looking for beginning of object key string", pointer: '' });
    expect(err(latin1('{"a":\x80}'))).toMatchObject({ message: "invalid character '\\u0080' looking for beginning of value" });
  });

  it('reports a body cut short as io.ErrUnexpectedEOF', () => {
    expect(err('{"B":tru')).toMatchObject({ kind: 'unexpected-eof', message: 'unexpected EOF' });
    expect(err('-', i64)).toMatchObject({ kind: 'unexpected-eof' });
  });
});

// ---- 5. strings ----

describe('5. strings (decode.go unquoteBytes)', () => {
  it('replaces each invalid UTF-8 byte with U+FFFD, as utf8.DecodeRune does', () => {
    // \xff \xfe: one each; \xe2\x82 (truncated): one per byte; \xed\xa0\x80 (a UTF-8 surrogate): three;
    // \xc0\xaf (overlong): two; \xf4\x90\x80\x80 (> U+10FFFF): four; a real U+FFFD stays one
    const v = ok(latin1('{"S":"\xff\xfe a \xe2\x82 b \xed\xa0\x80 c \xc0\xaf \xf4\x90\x80\x80 \xef\xbf\xbd"}'));
    expect(v.S).toBe('\ufffd\ufffd a \ufffd\ufffd b \ufffd\ufffd\ufffd c \ufffd\ufffd \ufffd\ufffd\ufffd\ufffd \ufffd');
  });

  it('replaces unpaired surrogate escapes with U+FFFD, without eating the next escape', () => {
    expect(ok('{"S":"\\ud800"}').S).toBe('\ufffd');
    expect(ok('{"S":"\\ud800\\u0041"}').S).toBe('\ufffdA');
    expect(ok('{"S":"\\udc00\\ud800"}').S).toBe('\ufffd\ufffd');
    expect(ok('{"S":"\\ud800\\ud800\\udc00"}').S).toBe('\ufffd\u{10000}');
    expect(ok('{"S":"\\ud83d\\ude00"}').S).toBe('😀');
  });

  it('allows \\u0000 and keeps a leading U+FEFF inside a string', () => {
    expect(ok('{"S":"a\\u0000b"}').S).toBe('a\u0000b');
    expect(ok('{"S":"\ufeffbom"}').S).toBe('\ufeffbom');
  });

  it('coerces keys the same way before matching them', () => {
    expect(ok(latin1('{"M":{"\xff":1,"\xef\xbf\xbd":2}}')).M).toEqual({ '\ufffd': 2n });
  });
});

// ---- 6. numbers ----

describe('6. numbers (decode.go literalStore; strconv)', () => {
  it('an integer field takes only integer literals in range', () => {
    expect(err('{"I":1e2}')).toMatchObject({ message: 'json: cannot unmarshal number 1e2 into Go value of type int64' });
    expect(err('{"I":1.0}')).toMatchObject({ kind: 'type' });
    expect(ok('{"I":-0}').I).toBe(0n);
    expect(ok('{"I":-9223372036854775808}').I).toBe(-9223372036854775808n);
    expect(err('{"I":9223372036854775808}')).toMatchObject({ kind: 'type' });
    expect(ok('{"U64":18446744073709551615}').U64).toBe(18446744073709551615n);
    expect(err('{"U64":18446744073709551616}')).toMatchObject({ kind: 'type' });
    expect(err('{"I8":128}')).toMatchObject({ message: 'json: cannot unmarshal number 128 into Go value of type int8' });
    expect(ok('{"I8":-128}').I8).toBe(-128n);
    expect(err('{"U8":-0}')).toMatchObject({ kind: 'type' }); // ParseUint takes no sign
  });

  it('floats round as strconv.ParseFloat(s, bits) does, correctly rounded to float32 (no double rounding)', () => {
    expect(ok('{"F32":1.00000005960464477539062500001}').F32).toBe(1.0000001192092896);
    expect(ok('{"F32":1.000000059604644775390625}').F32).toBe(1); // a tie: to even
    expect(ok('{"F32":16777217}').F32).toBe(16777216);
    // around half the smallest subnormal, 2^-150 = 7.00649232162408535461864791644958065640130970938257885878534141944895541342930300743319094181060791015625e-46
    expect(ok('{"F32":8e-46}').F32).toBe(1.401298464324817e-45);
    expect(ok('{"F32":7.00649232162408535461864791644958065640130970938257885878534141944895541342930300743319094181060791015625e-46}').F32).toBe(0);
    expect(ok('{"F32":7.006492321624085354618647916449580656401309709382578858785341419448955413429303007433190941810607910156251e-46}').F32).toBe(1.401298464324817e-45);
    expect(err('{"F32":3.4028236e38}')).toMatchObject({ kind: 'type' });
    expect(err('{"F64":1e400}')).toMatchObject({ kind: 'type' });
    expect(ok('{"F64":1e-400}').F64).toBe(0);
    expect(Object.is(ok('{"F64":-0}').F64, -0)).toBe(true);
    expect(ok('{"X":123456789012345678901234567890}').X).toBe(1.2345678901234568e29);
    expect(err('{"X":1e400}')).toMatchObject({ message: 'json: cannot unmarshal number 1e400 into Go value of type float64' });
  });

  it('a ,string field wants its value inside a JSON string', () => {
    expect(ok('{"Q":"12"}').Q).toBe(12n);
    expect(ok('{"Q":"012"}').Q).toBe(12n); // ParseInt accepts leading zeros
    expect(err('{"Q":"1e2"}')).toMatchObject({ kind: 'type' });
    expect(err('{"Q":12}')).toMatchObject({
      kind: 'value',
      message: 'json: invalid use of ,string struct tag, trying to unmarshal unquoted value into int64',
    });
    expect(err('{"Q":"+12"}')).toMatchObject({ kind: 'value' }); // returned, not saved: stops decoding
    expect(ok('{"Q":"null"}').Q).toBe(0n);
    expect(ok('{"qs":"\\"abc\\""}').qs).toBe('abc');
    expect(ok('{"qs":"\\"a\\\\\'b\\""}').qs).toBe("a'b"); // unquoteBytes accepts \' (the scanner never sees it)
    expect(err('{"qs":"abc"}')).toMatchObject({ message: 'json: invalid use of ,string struct tag, trying to unmarshal "abc" into string' });
    expect(ok('{"qb":"true"}').qb).toBe(true);
    expect(err('{"qb":"trues"}')).toMatchObject({ kind: 'value' });
    expect(ok('{"qf":"1_000"}').qf).toBe(1000); // strconv.ParseFloat allows _ between digits
    expect(ok('{"qf":"0x1p-2"}').qf).toBe(0.25);
    expect(ok('{"qf":"-Inf"}').qf).toBe(-Infinity);
    expect(err('{"qf":"1__0"}')).toMatchObject({ kind: 'type' });
    expect(ok('{"qp":"5"}').qp).toBe(5n);
    expect(ok('{"qp":"5","qp":null}').qp).toBeNull();
  });

  it('goParseFloat follows strconv.ParseFloat', () => {
    expect(goParseFloat('1.', 64)).toBe(1);
    expect(goParseFloat('.5', 64)).toBe(0.5);
    expect(goParseFloat('1e', 64)).toBeNull();
    expect(goParseFloat('infinity', 64)).toBe(Infinity);
    expect(goParseFloat('infinit', 64)).toBeNull();
    expect(goParseFloat('0x1.8p1', 64)).toBe(3);
    expect(goParseFloat('0x1.ffffffp127', 32)).toBeNull();
    expect(goParseFloat('0x1.fffffep127', 32)).toBe(3.4028234663852886e38);
  });
});

// ---- 7. maps ----

describe('7. map keys (decode.go object, map branch)', () => {
  it('keeps string keys exactly (no folding); a repeated key: last wins', () => {
    expect(ok('{"M":{"a":1,"A":2,"a":5}}').M).toEqual({ a: 5n, A: 2n });
  });

  it('parses int keys with strconv.ParseInt(key, 10, 64)', () => {
    expect(ok('{"MI":{"1":"a","01":"b","-0":"c","+5":"d"}}').MI).toEqual({ '0': 'c', '1': 'b', '5': 'd' });
    expect(err('{"MI":{"x":"a"}}')).toMatchObject({ kind: 'type', pointer: '/MI/x', message: 'json: cannot unmarshal number x into Go value of type int' });
  });

  it('keeps a "__proto__" key as a key', () => {
    const v = ok('{"M":{"__proto__":1}}').M as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(dec('{"__proto__":{"x":1}}', any)).toMatchObject({ ok: true });
  });
});

// ---- 8. depth ----

describe('8. nesting depth (scanner.go maxNestingDepth)', () => {
  it(`accepts ${String(MAX_NESTING_DEPTH)} levels and refuses one more`, () => {
    expect(dec('['.repeat(10000) + ']'.repeat(10000), any).ok).toBe(true);
    expect(err('['.repeat(10001) + ']'.repeat(10001), any)).toMatchObject({
      kind: 'syntax',
      message: "invalid character '[' exceeded max depth",
      offset: 10001,
    });
    // decoded without recursion: deep values inside typed ones, and deep recursive types
    expect(dec('{"X":' + '{"a":'.repeat(9999) + '1' + '}'.repeat(9999) + '}', Basic).ok).toBe(true);
    expect(dec('{"Sub":' + '{"P":'.repeat(9990) + '{}' + '}'.repeat(9990) + '}', Basic).ok).toBe(true);
  });
});

// ---- 9. odd inputs ----

describe('9. odd inputs', () => {
  it('rejects a byte-order mark like any other byte', () => {
    expect(err(latin1('\xef\xbb\xbf{}'))).toMatchObject({ kind: 'syntax', message: "invalid character 'ï' looking for beginning of value", offset: 1 });
  });

  it('skips leading whitespace', () => {
    expect(ok(' \r\n\t{"I":1}').I).toBe(1n);
  });

  it('an empty or all-whitespace body is io.EOF', () => {
    expect(err('')).toEqual({ ok: false, pointer: '', message: 'empty body (io.EOF)', kind: 'eof', offset: 0 });
    expect(err('  \n')).toMatchObject({ pointer: '', message: 'empty body (io.EOF)', kind: 'eof' });
  });

  it('a top-level null leaves a struct at its zero value and sets a pointer to nil', () => {
    expect(ok('null', Config)).toEqual({ Hostname: '', Cmd: null, Image: '', Env: null });
    expect(dec('null', ptr(Config))).toMatchObject({ ok: true, value: null });
  });
});

// ---- other kinds ----

describe('strslice.StrSlice (moby api/types/strslice)', () => {
  it('accepts a string or a list of strings; null is nil', () => {
    expect(ok('{"Cmd":"ls"}').Cmd).toEqual(['ls']);
    expect(ok('{"Cmd":["ls","-l"]}').Cmd).toEqual(['ls', '-l']);
    expect(ok('{"Cmd":[]}').Cmd).toEqual([]);
    expect(ok('{"Cmd":["x"],"Cmd":null}').Cmd).toBeNull();
    expect(err('{"Cmd":[1,"a"]}')).toMatchObject({ pointer: '/Cmd', message: 'json: cannot unmarshal array into Go value of type string' });
    expect(err('{"Cmd":{}}')).toMatchObject({ pointer: '/Cmd' });
  });
});

describe('[]byte, json.RawMessage, interface{}', () => {
  it('[]byte takes base64 (StdEncoding: padding required, \\r and \\n skipped) or a list of numbers', () => {
    expect(ok('{"By":"aGVsbG8="}').By).toEqual(new TextEncoder().encode('hello'));
    expect(ok('{"By":"aGVs\\nbG8="}').By).toEqual(new TextEncoder().encode('hello'));
    expect(err('{"By":"aGVsbG8"}')).toMatchObject({ kind: 'value', message: 'illegal base64 data at input byte 4', pointer: '/By' });
    expect(err('{"By":"aGVsbG8=x"}')).toMatchObject({ message: 'illegal base64 data at input byte 8' });
    expect(ok('{"By":[1,2,255]}').By).toEqual(Uint8Array.from([1, 2, 255]));
    expect(err('{"By":[256]}')).toMatchObject({ pointer: '/By/0' });
  });

  it('json.RawMessage keeps the exact bytes, null included', () => {
    expect(new TextDecoder().decode(ok('{"R":{"a" : [1, 2]}}').R as Uint8Array)).toBe('{"a" : [1, 2]}');
    expect(new TextDecoder().decode(ok('{"R":null}').R as Uint8Array)).toBe('null');
  });

  it('interface{} keeps the JSON structure, numbers as float64, a repeated key last', () => {
    expect(ok('{"X":{"a":[1,{"b":null}],"a":{"c":1.5e3},"B":"x"}}').X).toEqual({ a: { c: 1500 }, B: 'x' });
  });
});

describe('cost', () => {
  it('decodes a few MiB in linear time', () => {
    const body = utf8(
      '{"LSub":[' + Array.from({ length: 40000 }, (_, i) => `{"A":"name-${String(i)}","N":${String(i)},"L":[1,2,3]}`).join(',') + ']' +
        ',"L":["x"]'.repeat(50000) +
        '}',
    );
    const t0 = performance.now();
    const r = dec(body, Basic);
    expect(r.ok).toBe(true);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
