/**
 * decodeGoJson against Go's encoding/json: []byte (encoding/base64), json.RawMessage and
 * interface{} values (src/inspect/gojson/literal.ts, base64.ts).
 * Types, helpers and how the expectations were produced: ./fixtures.ts.
 */

import { describe, expect, it } from 'vitest';
import { ok, err } from './fixtures.js';

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
