/**
 * decodeGoJson against Go's encoding/json: stream.go Decoder.Decode and readValue, the first JSON
 * value only, odd inputs (src/inspect/gojson/stream.ts).
 * Types, helpers and how the expectations were produced: ./fixtures.ts.
 */

import { describe, expect, it } from 'vitest';
import { i64, any, ptr, Config, latin1, dec, ok, err } from './fixtures.js';

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
