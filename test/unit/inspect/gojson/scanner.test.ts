/**
 * decodeGoJson against Go's encoding/json: scanner.go nesting depth (src/inspect/gojson/scanner.ts).
 * Types, helpers and how the expectations were produced: ./fixtures.ts.
 */

import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH } from '../../../../src/inspect/gojson/index.js';
import { any, Basic, dec, err } from './fixtures.js';

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
