/**
 * decodeGoJson against Go's encoding/json: decode.go decodeState (src/inspect/gojson/decode.ts):
 * repeated keys, errors, map keys, cost.
 * Types, helpers and how the expectations were produced: ./fixtures.ts.
 */

import { describe, expect, it } from 'vitest';
import { i64, any, Basic, utf8, latin1, dec, ok, err } from './fixtures.js';

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
