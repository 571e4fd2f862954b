/**
 * decodeGoJson against Go's encoding/json: encode.go typeFields / dominantField and promoted
 * UnmarshalJSON methods (src/inspect/gojson/fields.ts).
 * Types, helpers and how the expectations were produced: ./fixtures.ts.
 */

import { describe, expect, it } from 'vitest';
import { goStructFields } from '../../../../src/inspect/gojson/index.js';
import type { GoType } from '../../../../src/inspect/go-types.js';
import { StrSlice } from '../../../../src/inspect/schemas/strslice.js';
import { i64, ptr, F, Wrapper, Dom, TwiceTop, utf8, ok, err } from './fixtures.js';

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
