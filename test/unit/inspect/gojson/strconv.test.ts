/**
 * decodeGoJson against Go's encoding/json: numbers, decode.go literalStore with strconv, and
 * ,string fields (src/inspect/gojson/strconv.ts, literal.ts).
 * Types, helpers and how the expectations were produced: ./fixtures.ts.
 */

import { describe, expect, it } from 'vitest';
import { goParseFloat } from '../../../../src/inspect/gojson/index.js';
import { ok, err } from './fixtures.js';

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
