/**
 * The entry point: go1.19.8 `src/encoding/json/stream.go` Decoder.Decode over a body that is all
 * there is. readValue drives the scanner (./scanner.ts) to the end of the first JSON value, so a
 * syntax error anywhere in it wins over any type error; then decodeState (./decode.ts) decodes that
 * value into the Go type. Pure; part of ./index.ts (docs/go-json-decoding.md, rules 1, 1a, 4a, 9).
 */

import type { DecodeError, DecodeOk, GoType } from '../go-types.js';
import { Decoder } from './decode.js';
import { isSpace, Scanner, SC_END, SC_END_ARRAY, SC_END_OBJECT, SC_ERROR, SC_SKIP_SPACE } from './scanner.js';

/**
 * Which Go's encoding/json to reproduce where versions differ. The only difference found between
 * Go 1.19 and Go 1.21+ for Decode is the Unicode tables behind case-insensitive key matching
 * (Unicode 13.0.0 vs 15.0.0): it changes nothing for ASCII field names.
 */
export type GoVersion = '1.19' | '1.21';

export interface GoDecodeOptions {
  /** default '1.19' (moby 20.10); '1.21' stands for every Go from 1.21 on */
  readonly goVersion?: GoVersion;
}

export interface GoDecodeOk extends DecodeOk {
  /** non-whitespace follows the first JSON value (Decode ignores it; callers may deny) */
  readonly trailing: boolean;
  /** some object key matched a different struct field (or none) under the other Go version's folding */
  readonly versionDependent: boolean;
}

export type GoDecodeResult = GoDecodeOk | DecodeError;

type ScanResult = { readonly ok: true; readonly start: number; readonly end: number } | DecodeError;

/**
 * stream.go Decoder.readValue over a body that is all there is: the bounds of the first JSON
 * value, or the error Decode returns before decoding anything.
 */
function scanFirstValue(buf: Uint8Array): ScanResult {
  const s = new Scanner(buf);
  const n = buf.length;
  let start = -1;
  for (let i = 0; i < n; i++) {
    s.bytes++;
    s.pos = i;
    const op = s.step(buf[i]!);
    if (start < 0 && op !== SC_SKIP_SPACE && op !== SC_ERROR) start = i;
    if (op === SC_END) return { ok: true, start, end: i };
    if (op === SC_END_OBJECT || op === SC_END_ARRAY) {
      // "scanEnd is delayed one byte … so instead invent a space byte"
      if (s.endValue(0x20) === SC_END) return { ok: true, start, end: i + 1 };
    }
    if (op === SC_ERROR) {
      return { ok: false, pointer: s.pointer(), message: s.err ?? 'syntax error', kind: 'syntax', offset: s.bytes };
    }
  }
  // io.EOF from the reader: feed a space; if that does not end the value, the body was cut short.
  s.pos = n;
  if (s.step(0x20) === SC_END) return { ok: true, start, end: n };
  if (start >= 0) return { ok: false, pointer: s.pointer(), message: 'unexpected EOF', kind: 'unexpected-eof', offset: n };
  return { ok: false, pointer: '', message: 'empty body (io.EOF)', kind: 'eof', offset: n };
}

/**
 * Decode the first JSON value of `body` into Go type `type` exactly as
 * `json.NewDecoder(bytes.NewReader(body)).Decode(&v)` does (v of that type, initially zero).
 *
 * ok:false carries the error Decode would return: a syntax error, io.EOF (empty body),
 * io.ErrUnexpectedEOF, the first type error, or an error that stopped decoding — with an RFC 6901
 * pointer (keys as spelled in the body) to where it happened.
 */
export function decodeGoJson(body: Uint8Array, type: GoType, options: GoDecodeOptions = {}): GoDecodeResult {
  const scan = scanFirstValue(body);
  if (!scan.ok) return scan;
  const d = new Decoder(body, scan.start, scan.end, options.goVersion === '1.21');
  const value = d.run(type);
  if (d.aborted !== null) return d.aborted;
  if (d.saved !== null) return d.saved;
  let trailing = false;
  for (let i = scan.end; i < body.length; i++) {
    if (!isSpace(body[i]!)) {
      trailing = true;
      break;
    }
  }
  return { ok: true, value, trailing, versionDependent: d.versionDependent };
}
