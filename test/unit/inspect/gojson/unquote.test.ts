/**
 * decodeGoJson against Go's encoding/json: decode.go unquoteBytes, strings
 * (src/inspect/gojson/unquote.ts).
 * Types, helpers and how the expectations were produced: ./fixtures.ts.
 */

import { describe, expect, it } from 'vitest';
import { latin1, ok } from './fixtures.js';

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
