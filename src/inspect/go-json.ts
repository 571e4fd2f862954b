/**
 * Decode a request body exactly as the engine's `json.NewDecoder(body).Decode(&v)` decodes it into
 * a Go type, so that policy rules judge what the engine will act on, not what JSON.parse sees.
 *
 * Pure: no I/O, no imports beyond the type descriptions. Linear time, no recursion over the input
 * (explicit stacks), bodies of a few MiB. Every rule, the Go source it comes from and the test
 * that covers it: docs/go-json-decoding.md.
 *
 * Two passes, like Go's Decoder: (1) the scanner (encoding/json/scanner.go, stream.go readValue)
 * finds the end of the first JSON value and reports syntax errors before anything is decoded;
 * (2) the decoder (decode.go) decodes that value into the Go type, keeping the first type error
 * and going on, as decodeState.saveError does.
 *
 * The value returned is a plain JS view of the Go value after decoding:
 *   bool → boolean; string → string; every integer kind → bigint (exact for all of int64/uint64);
 *   float32/float64 → number; struct → null-prototype object keyed by each field's JSON name,
 *   embedded fields promoted and flattened as Go resolves them, absent fields at their zero value;
 *   pointer → null or the pointee's view; slice → array or null (nil), []byte → Uint8Array;
 *   array → array; map → null-prototype object or null; interface{} → JSON structure (numbers as
 *   float64 numbers); json.RawMessage → Uint8Array of the exact bytes; custom → what decode returns.
 */

import type { DecodeError, DecodeErrorKind, DecodeOk, DecodeResult, GoField, GoType, JsonRaw } from './go-types.js';

export type { DecodeError, DecodeErrorKind, DecodeOk, DecodeResult, GoField, GoType, JsonRaw } from './go-types.js';

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

/** Go's scanner limit (scanner.go maxNestingDepth). */
export const MAX_NESTING_DEPTH = 10000;

// ---------------------------------------------------------------------------------------------
// Byte helpers

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const MINUS = 0x2d;
const N_LOWER = 0x6e;
const T_LOWER = 0x74;
const F_LOWER = 0x66;
const RUNE_ERROR = 0xfffd;

/** scanner.go isSpace */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** bytes known to be valid UTF-8 → JS string (exact) */
function utf8String(b: Uint8Array): string {
  if (b.length <= 64) {
    let out = '';
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c >= 0x80) return utf8Decoder.decode(b);
      out += String.fromCharCode(c);
    }
    return out;
  }
  return utf8Decoder.decode(b);
}

function asciiString(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
  return out;
}

/** RFC 6901 reference token */
function escapePointerToken(t: string): string {
  return t.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * unicode/utf8.DecodeRune: [rune, size]; any invalid or short sequence is (RuneError, 1).
 * (Surrogates encoded in UTF-8 and overlong forms are invalid.)
 */
function decodeRune(b: Uint8Array, i: number, end: number): [number, number] {
  const b0 = b[i]!;
  if (b0 < 0x80) return [b0, 1];
  if (b0 < 0xc2 || b0 > 0xf4) return [RUNE_ERROR, 1];
  if (b0 < 0xe0) {
    if (i + 1 >= end) return [RUNE_ERROR, 1];
    const b1 = b[i + 1]!;
    if (b1 < 0x80 || b1 > 0xbf) return [RUNE_ERROR, 1];
    return [((b0 & 0x1f) << 6) | (b1 & 0x3f), 2];
  }
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 === 0xe0) lo = 0xa0;
  else if (b0 === 0xed) hi = 0x9f;
  else if (b0 === 0xf0) lo = 0x90;
  else if (b0 === 0xf4) hi = 0x8f;
  if (i + 1 >= end) return [RUNE_ERROR, 1];
  const b1 = b[i + 1]!;
  if (b1 < lo || b1 > hi) return [RUNE_ERROR, 1];
  if (i + 2 >= end) return [RUNE_ERROR, 1];
  const b2 = b[i + 2]!;
  if (b2 < 0x80 || b2 > 0xbf) return [RUNE_ERROR, 1];
  if (b0 < 0xf0) return [((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f), 3];
  if (i + 3 >= end) return [RUNE_ERROR, 1];
  const b3 = b[i + 3]!;
  if (b3 < 0x80 || b3 > 0xbf) return [RUNE_ERROR, 1];
  return [((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f), 4];
}

/** A growable byte buffer (for unquoting). */
class ByteBuf {
  buf: Uint8Array;
  len = 0;
  constructor(cap: number) {
    this.buf = new Uint8Array(Math.max(cap, 16));
  }
  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
  push(c: number): void {
    this.grow(1);
    this.buf[this.len++] = c;
  }
  pushRune(r: number): void {
    this.grow(4);
    const b = this.buf;
    if (r < 0x80) b[this.len++] = r;
    else if (r < 0x800) {
      b[this.len++] = 0xc0 | (r >> 6);
      b[this.len++] = 0x80 | (r & 0x3f);
    } else if (r < 0x10000) {
      b[this.len++] = 0xe0 | (r >> 12);
      b[this.len++] = 0x80 | ((r >> 6) & 0x3f);
      b[this.len++] = 0x80 | (r & 0x3f);
    } else {
      b[this.len++] = 0xf0 | (r >> 18);
      b[this.len++] = 0x80 | ((r >> 12) & 0x3f);
      b[this.len++] = 0x80 | ((r >> 6) & 0x3f);
      b[this.len++] = 0x80 | (r & 0x3f);
    }
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** decode.go getu4: the \uXXXX at i (which must start with `\u`), or -1 */
function getu4(b: Uint8Array, i: number, end: number): number {
  if (i + 6 > end || b[i] !== BACKSLASH || b[i + 1] !== 0x75) return -1;
  let r = 0;
  for (let k = i + 2; k < i + 6; k++) {
    const c = b[k]!;
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
    else return -1;
    r = r * 16 + d;
  }
  return r;
}

/**
 * decode.go unquoteBytes: the quoted JSON string b[s:e] (quotes included) → its bytes, coerced to
 * valid UTF-8: invalid UTF-8 bytes and unpaired surrogate escapes become U+FFFD. null where Go
 * reports !ok (only reachable for the unscanned inner string of a `,string` field). Note Go also
 * accepts the escape `\'` here (the scanner does not, so only `,string` inner strings can use it).
 */
function unquoteBytes(b: Uint8Array, s: number, e: number): Uint8Array | null {
  if (e - s < 2 || b[s] !== QUOTE || b[e - 1] !== QUOTE) return null;
  const start = s + 1;
  const end = e - 1;
  // Fast path: nothing to unescape or coerce.
  let r = start;
  while (r < end) {
    const c = b[r]!;
    if (c === BACKSLASH || c === QUOTE || c < 0x20) break;
    if (c < 0x80) {
      r++;
      continue;
    }
    const [rr, size] = decodeRune(b, r, end);
    if (rr === RUNE_ERROR && size === 1) break;
    r += size;
  }
  if (r === end) return b.subarray(start, end);

  const out = new ByteBuf(end - start + 8);
  for (let k = start; k < r; k++) out.push(b[k]!);
  while (r < end) {
    const c = b[r]!;
    if (c === BACKSLASH) {
      r++;
      if (r >= end) return null;
      switch (b[r]!) {
        case QUOTE:
        case BACKSLASH:
        case 0x2f: // '/'
        case 0x27: // '\''
          out.push(b[r]!);
          r++;
          break;
        case 0x62: // b
          out.push(0x08);
          r++;
          break;
        case 0x66: // f
          out.push(0x0c);
          r++;
          break;
        case 0x6e: // n
          out.push(0x0a);
          r++;
          break;
        case 0x72: // r
          out.push(0x0d);
          r++;
          break;
        case 0x74: // t
          out.push(0x09);
          r++;
          break;
        case 0x75: {
          // u
          r--;
          let rr = getu4(b, r, end);
          if (rr < 0) return null;
          r += 6;
          if (rr >= 0xd800 && rr < 0xe000) {
            // utf16.IsSurrogate: try to pair with a following \uXXXX (utf16.DecodeRune)
            const rr1 = getu4(b, r, end);
            if (rr < 0xdc00 && rr1 >= 0xdc00 && rr1 < 0xe000) {
              r += 6;
              out.pushRune((((rr - 0xd800) << 10) | (rr1 - 0xdc00)) + 0x10000);
              break;
            }
            // Invalid surrogate: the replacement rune; the next escape is not consumed.
            rr = RUNE_ERROR;
          }
          out.pushRune(rr);
          break;
        }
        default:
          return null;
      }
    } else if (c === QUOTE || c < 0x20) {
      return null;
    } else if (c < 0x80) {
      out.push(c);
      r++;
    } else {
      const [rr, size] = decodeRune(b, r, end);
      r += size;
      out.pushRune(rr);
    }
  }
  return out.bytes();
}

/** Go's strconv.Quote-based quoteChar (scanner.go), for syntax error messages. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === QUOTE) return "'\"'";
  let s: string;
  if (c === BACKSLASH) s = '\\\\';
  else if (c >= 0x20 && c < 0x7f) s = String.fromCharCode(c);
  else if (c === 0x07) s = '\\a';
  else if (c === 0x08) s = '\\b';
  else if (c === 0x09) s = '\\t';
  else if (c === 0x0a) s = '\\n';
  else if (c === 0x0b) s = '\\v';
  else if (c === 0x0c) s = '\\f';
  else if (c === 0x0d) s = '\\r';
  else if (c < 0x20 || c === 0x7f) s = '\\x' + c.toString(16).padStart(2, '0');
  // string(byte) is the Latin-1 rune; U+0080–U+00A0 and U+00AD are not printable
  else if (c <= 0xa0 || c === 0xad) s = '\\u' + c.toString(16).padStart(4, '0');
  else s = String.fromCharCode(c);
  return "'" + s + "'";
}

/** a Go-ish %q of bytes, for messages only */
function goQuote(b: Uint8Array, s: number, e: number): string {
  return JSON.stringify(utf8Decoder.decode(b.subarray(s, e)));
}

// ---------------------------------------------------------------------------------------------
// Pass 1: the scanner (scanner.go), driven as Decoder.readValue (stream.go) drives it.

const SC_CONTINUE = 0;
const SC_BEGIN_LITERAL = 1;
const SC_BEGIN_OBJECT = 2;
const SC_OBJECT_KEY = 3;
const SC_OBJECT_VALUE = 4;
const SC_END_OBJECT = 5;
const SC_BEGIN_ARRAY = 6;
const SC_ARRAY_VALUE = 7;
const SC_END_ARRAY = 8;
const SC_SKIP_SPACE = 9;
const SC_END = 10;
const SC_ERROR = 11;

const PS_OBJECT_KEY = 0;
const PS_OBJECT_VALUE = 1;
const PS_ARRAY_VALUE = 2;

const ST_BEGIN_VALUE = 0;
const ST_BEGIN_VALUE_OR_EMPTY = 1;
const ST_BEGIN_STRING_OR_EMPTY = 2;
const ST_BEGIN_STRING = 3;
const ST_END_VALUE = 4;
const ST_END_TOP = 5;
const ST_IN_STRING = 6;
const ST_IN_STRING_ESC = 7;
const ST_U = 8;
const ST_U1 = 9;
const ST_U12 = 10;
const ST_U123 = 11;
const ST_NEG = 12;
const ST_1 = 13;
const ST_0 = 14;
const ST_DOT = 15;
const ST_DOT0 = 16;
const ST_E = 17;
const ST_ESIGN = 18;
const ST_E0 = 19;
const ST_T = 20;
const ST_TR = 21;
const ST_TRU = 22;
const ST_F = 23;
const ST_FA = 24;
const ST_FAL = 25;
const ST_FALS = 26;
const ST_N = 27;
const ST_NU = 28;
const ST_NUL = 29;
const ST_ERROR = 30;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** A transliteration of scanner.go's state functions, plus the bookkeeping for error pointers. */
class Scanner {
  state = ST_BEGIN_VALUE;
  readonly ps: number[] = [];
  err: string | null = null;
  /** bytes consumed (scanner.bytes as stream.go counts it) */
  bytes = 0;
  /** index of the byte being stepped */
  pos = 0;
  // Where we are, for the pointer of a syntax error: per nesting level, the current key or index.
  private readonly keyStart: number[] = [];
  private readonly keyEnd: number[] = [];
  private readonly index: number[] = [];
  private inKey = false;
  private keyBegin = 0;
  private depthError = false;

  constructor(private readonly buf: Uint8Array) {}

  private error(c: number, context: string): number {
    this.state = ST_ERROR;
    this.err = 'invalid character ' + quoteChar(c) + ' ' + context;
    return SC_ERROR;
  }

  private push(c: number, newParseState: number, success: number): number {
    this.ps.push(newParseState);
    this.keyStart.push(-1);
    this.keyEnd.push(-1);
    this.index.push(0);
    if (this.ps.length <= MAX_NESTING_DEPTH) return success;
    this.depthError = true;
    return this.error(c, 'exceeded max depth');
  }

  private pop(): void {
    this.ps.pop();
    this.keyStart.pop();
    this.keyEnd.pop();
    this.index.pop();
    this.state = this.ps.length === 0 ? ST_END_TOP : ST_END_VALUE;
  }

  /** RFC 6901 pointer of the innermost value being scanned. */
  pointer(): string {
    let p = '';
    const levels = this.depthError ? this.ps.length - 1 : this.ps.length;
    for (let d = 0; d < levels; d++) {
      if (this.ps[d] === PS_ARRAY_VALUE) {
        p += '/' + String(this.index[d]);
      } else {
        const ks = this.keyStart[d]!;
        if (ks < 0) break;
        const kb = unquoteBytes(this.buf, ks, this.keyEnd[d]!);
        p += '/' + escapePointerToken(kb === null ? '' : utf8String(kb));
      }
    }
    return p;
  }

  private beginValue(c: number): number {
    if (isSpace(c)) return SC_SKIP_SPACE;
    switch (c) {
      case LBRACE:
        this.state = ST_BEGIN_STRING_OR_EMPTY;
        return this.push(c, PS_OBJECT_KEY, SC_BEGIN_OBJECT);
      case LBRACKET:
        this.state = ST_BEGIN_VALUE_OR_EMPTY;
        return this.push(c, PS_ARRAY_VALUE, SC_BEGIN_ARRAY);
      case QUOTE:
        this.state = ST_IN_STRING;
        return SC_BEGIN_LITERAL;
      case MINUS:
        this.state = ST_NEG;
        return SC_BEGIN_LITERAL;
      case 0x30:
        this.state = ST_0;
        return SC_BEGIN_LITERAL;
      case T_LOWER:
        this.state = ST_T;
        return SC_BEGIN_LITERAL;
      case F_LOWER:
        this.state = ST_F;
        return SC_BEGIN_LITERAL;
      case N_LOWER:
        this.state = ST_N;
        return SC_BEGIN_LITERAL;
    }
    if (c >= 0x31 && c <= 0x39) {
      this.state = ST_1;
      return SC_BEGIN_LITERAL;
    }
    return this.error(c, 'looking for beginning of value');
  }

  private beginString(c: number): number {
    if (isSpace(c)) return SC_SKIP_SPACE;
    if (c === QUOTE) {
      this.state = ST_IN_STRING;
      this.inKey = true;
      this.keyBegin = this.pos;
      return SC_BEGIN_LITERAL;
    }
    return this.error(c, 'looking for beginning of object key string');
  }

  /** stateEndValue; public because stream.go calls it with an invented ' ' after a top-level } or ]. */
  endValue(c: number): number {
    const n = this.ps.length;
    if (n === 0) {
      this.state = ST_END_TOP;
      return this.endTop(c);
    }
    if (isSpace(c)) {
      this.state = ST_END_VALUE;
      return SC_SKIP_SPACE;
    }
    switch (this.ps[n - 1]!) {
      case PS_OBJECT_KEY:
        if (c === 0x3a) {
          this.ps[n - 1] = PS_OBJECT_VALUE;
          this.state = ST_BEGIN_VALUE;
          return SC_OBJECT_KEY;
        }
        return this.error(c, 'after object key');
      case PS_OBJECT_VALUE:
        if (c === COMMA) {
          this.ps[n - 1] = PS_OBJECT_KEY;
          this.keyStart[n - 1] = -1;
          this.state = ST_BEGIN_STRING;
          return SC_OBJECT_VALUE;
        }
        if (c === RBRACE) {
          this.pop();
          return SC_END_OBJECT;
        }
        return this.error(c, 'after object key:value pair');
      case PS_ARRAY_VALUE:
        if (c === COMMA) {
          this.index[n - 1]!++;
          this.state = ST_BEGIN_VALUE;
          return SC_ARRAY_VALUE;
        }
        if (c === RBRACKET) {
          this.pop();
          return SC_END_ARRAY;
        }
        return this.error(c, 'after array element');
    }
    return this.error(c, '');
  }

  private endTop(c: number): number {
    // Go records "after top-level value" here; Decode stops at scanEnd before looking at it.
    if (!isSpace(c)) this.state = ST_ERROR;
    return SC_END;
  }

  step(c: number): number {
    switch (this.state) {
      case ST_BEGIN_VALUE:
        return this.beginValue(c);
      case ST_BEGIN_VALUE_OR_EMPTY:
        if (isSpace(c)) return SC_SKIP_SPACE;
        if (c === RBRACKET) return this.endValue(c);
        return this.beginValue(c);
      case ST_BEGIN_STRING_OR_EMPTY:
        if (isSpace(c)) return SC_SKIP_SPACE;
        if (c === RBRACE) {
          this.ps[this.ps.length - 1] = PS_OBJECT_VALUE;
          return this.endValue(c);
        }
        return this.beginString(c);
      case ST_BEGIN_STRING:
        return this.beginString(c);
      case ST_END_VALUE:
        return this.endValue(c);
      case ST_END_TOP:
        return this.endTop(c);
      case ST_IN_STRING:
        if (c === QUOTE) {
          this.state = ST_END_VALUE;
          if (this.inKey) {
            const d = this.ps.length - 1;
            this.keyStart[d] = this.keyBegin;
            this.keyEnd[d] = this.pos + 1;
            this.inKey = false;
          }
          return SC_CONTINUE;
        }
        if (c === BACKSLASH) {
          this.state = ST_IN_STRING_ESC;
          return SC_CONTINUE;
        }
        if (c < 0x20) return this.error(c, 'in string literal');
        return SC_CONTINUE;
      case ST_IN_STRING_ESC:
        switch (c) {
          case 0x62:
          case 0x66:
          case 0x6e:
          case 0x72:
          case 0x74:
          case BACKSLASH:
          case 0x2f:
          case QUOTE:
            this.state = ST_IN_STRING;
            return SC_CONTINUE;
          case 0x75:
            this.state = ST_U;
            return SC_CONTINUE;
        }
        return this.error(c, 'in string escape code');
      case ST_U:
      case ST_U1:
      case ST_U12:
      case ST_U123:
        if (isHex(c)) {
          this.state = this.state === ST_U123 ? ST_IN_STRING : this.state + 1;
          return SC_CONTINUE;
        }
        return this.error(c, 'in \\u hexadecimal character escape');
      case ST_NEG:
        if (c === 0x30) {
          this.state = ST_0;
          return SC_CONTINUE;
        }
        if (c >= 0x31 && c <= 0x39) {
          this.state = ST_1;
          return SC_CONTINUE;
        }
        return this.error(c, 'in numeric literal');
      case ST_1:
        if (isDigit(c)) return SC_CONTINUE;
        return this.state0(c);
      case ST_0:
        return this.state0(c);
      case ST_DOT:
        if (isDigit(c)) {
          this.state = ST_DOT0;
          return SC_CONTINUE;
        }
        return this.error(c, 'after decimal point in numeric literal');
      case ST_DOT0:
        if (isDigit(c)) return SC_CONTINUE;
        if (c === 0x65 || c === 0x45) {
          this.state = ST_E;
          return SC_CONTINUE;
        }
        return this.endValue(c);
      case ST_E:
        if (c === 0x2b || c === MINUS) {
          this.state = ST_ESIGN;
          return SC_CONTINUE;
        }
        return this.stateESign(c);
      case ST_ESIGN:
        return this.stateESign(c);
      case ST_E0:
        if (isDigit(c)) return SC_CONTINUE;
        return this.endValue(c);
      case ST_T:
        return this.lit(c, 0x72, ST_TR, "in literal true (expecting 'r')");
      case ST_TR:
        return this.lit(c, 0x75, ST_TRU, "in literal true (expecting 'u')");
      case ST_TRU:
        return this.lit(c, 0x65, ST_END_VALUE, "in literal true (expecting 'e')");
      case ST_F:
        return this.lit(c, 0x61, ST_FA, "in literal false (expecting 'a')");
      case ST_FA:
        return this.lit(c, 0x6c, ST_FAL, "in literal false (expecting 'l')");
      case ST_FAL:
        return this.lit(c, 0x73, ST_FALS, "in literal false (expecting 's')");
      case ST_FALS:
        return this.lit(c, 0x65, ST_END_VALUE, "in literal false (expecting 'e')");
      case ST_N:
        return this.lit(c, 0x75, ST_NU, "in literal null (expecting 'u')");
      case ST_NU:
        return this.lit(c, 0x6c, ST_NUL, "in literal null (expecting 'l')");
      case ST_NUL:
        return this.lit(c, 0x6c, ST_END_VALUE, "in literal null (expecting 'l')");
      default:
        return SC_ERROR;
    }
  }

  private state0(c: number): number {
    if (c === 0x2e) {
      this.state = ST_DOT;
      return SC_CONTINUE;
    }
    if (c === 0x65 || c === 0x45) {
      this.state = ST_E;
      return SC_CONTINUE;
    }
    return this.endValue(c);
  }

  private stateESign(c: number): number {
    if (isDigit(c)) {
      this.state = ST_E0;
      return SC_CONTINUE;
    }
    return this.error(c, 'in exponent of numeric literal');
  }

  private lit(c: number, want: number, next: number, context: string): number {
    if (c === want) {
      this.state = next;
      return SC_CONTINUE;
    }
    return this.error(c, context);
  }
}

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

// Skipping over already-validated JSON (pass 2). All bounded by `limit`, the end of the value.

function stringEnd(b: Uint8Array, s: number): number {
  let i = s + 1;
  for (;;) {
    const c = b[i]!;
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i++;
  }
}

/** decode.go rescanLiteral: the end of the literal starting at s */
function literalEnd(b: Uint8Array, s: number, limit: number): number {
  if (b[s] === QUOTE) return stringEnd(b, s);
  let i = s + 1;
  while (i < limit) {
    const c = b[i]!;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS) i++;
    else if (c >= 0x61 && c <= 0x7a) i++; // the letters of true/false/null
    else break;
  }
  return i;
}

/** decode.go skip: the end of the value starting at s */
function skipValue(b: Uint8Array, s: number, limit: number): number {
  const c = b[s]!;
  if (c !== LBRACE && c !== LBRACKET) return literalEnd(b, s, limit);
  let depth = 0;
  let i = s;
  for (;;) {
    const x = b[i]!;
    if (x === QUOTE) {
      i = stringEnd(b, i);
      continue;
    }
    if (x === LBRACE || x === LBRACKET) depth++;
    else if (x === RBRACE || x === RBRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
}

// ---------------------------------------------------------------------------------------------
// Case folding for object key → struct field matching.
//
// Go ≤1.20 (fold.go foldFunc): a key matches a field name when bytes.EqualFold says so
// (specialised for ASCII names: equalFoldRight / asciiEqualFold / simpleLetterEqualFold).
// Go ≥1.21 (fold.go foldName): key and name match when foldName(key) == foldName(name), where
// foldName upper-cases ASCII a-z and maps every other rune to the smallest rune of its
// unicode.SimpleFold orbit. Both are "same SimpleFold orbit, rune by rune"; they differ only in the
// Unicode version of the tables (Go 1.19: 13.0.0; Go 1.21: 15.0.0).
//
// FOLD_RUNS: for every rune ≥ 0x80 whose orbit minimum is another rune, generated from Go 1.19's
// unicode.SimpleFold (Unicode 13.0.0): "start,count,stride,delta" in base 36, ';'-separated:
// foldRune(start + k*stride) = start + k*stride + delta for k < count. Only U+017F (ſ → S) and
// U+212A (Kelvin sign → K) fold to ASCII.
const FOLD_RUNS =
  '68,n,1,-w;6w,7,1,-w;75,o,2,-1;8j,3,2,-1;8q,8,2,-1;97,n,2,-1;ag,1,1,-3d;ai,3,2,-1;an,1,1,-8c;ar,2,2,-1;aw,1,1,-1;' +
  'b0,1,1,-1;b6,1,1,-1;bd,1,1,-1;bl,3,2,-1;bs,1,1,-1;bx,1,1,-1;c0,1,1,-1;c4,2,2,-1;c9,1,1,-1;cd,1,1,-1;cl,1,1,-1;' +
  'cm,1,1,-2;co,1,1,-1;cp,1,1,-2;cr,1,1,-1;cs,1,1,-2;cu,8,2,-1;d9,1,1,-27;db,9,2,-1;du,1,1,-1;dv,1,1,-2;dx,1,1,-1;' +
  'dy,1,1,-2p;dz,1,1,-1k;e1,k,2,-1;f4,1,1,-3m;f7,9,2,-1;fw,1,1,-1;fx,1,1,-4j;g2,1,1,-1;g3,1,1,-5f;g7,5,2,-1;' +
  'gj,1,1,-5u;gk,1,1,-5q;gm,2,1,-5p;gp,1,1,-5m;gr,1,1,-5n;gw,1,1,-5p;gz,1,1,-5r;h4,1,1,-5t;h5,1,1,-5v;hb,1,1,-5v;' +
  'he,1,1,-5x;hh,1,1,-5y;hs,1,1,-62;hv,1,1,-62;i0,1,1,-62;i1,1,1,-1x;i2,2,1,-61;i4,1,1,-1z;ia,1,1,-63;oh,2,2,-1;' +
  'on,1,1,-1;pl,1,1,-2c;po,1,1,-kn;q4,1,1,-12;q5,3,1,-11;q9,8,1,-w;qh,1,1,-38;qi,2,1,-w;qk,1,1,-lj;ql,5,1,-w;' +
  'qq,1,1,-v;qr,9,1,-w;r0,1,1,-1s;r1,2,1,-1r;r4,1,1,-1q;r5,1,1,-1l;r9,1,1,-1b;ra,1,1,-1i;rb,1,1,-8;rd,c,2,-1;' +
  's0,1,1,-2e;s1,1,1,-28;s3,1,1,-38;s4,1,1,-2k;s5,1,1,-2o;s8,1,1,-1;s9,1,1,-7;sb,1,1,-1;sd,3,1,-3m;ts,w,1,-w;' +
  'uo,g,1,-28;v5,h,2,-1;wb,r,2,-1;xu,7,2,-1;y7,1,1,-f;y9,1c,2,-1;129,12,1,-1c;3y0,6,1,-8;5mo,1,1,-4tq;' +
  '5mp,1,1,-4tp;5mq,1,1,-4tg;5mr,2,1,-4te;5mt,1,1,-4tf;5mu,1,1,-4t8;5mv,1,1,-4rp;5n4,17,1,-2bk;5od,3,1,-2bk;' +
  '5xd,23,2,-1;61n,1,1,-1n;61q,1,1,-5vj;61t,1c,2,-1;64o,8,1,-8;654,6,1,-8;65k,8,1,-8;660,8,1,-8;66g,6,1,-8;' +
  '66x,4,2,-8;67c,8,1,-8;688,8,1,-8;68o,8,1,-8;694,8,1,-8;69k,2,1,-8;69m,2,1,-22;69o,1,1,-9;69q,1,1,-5mh;' +
  '6a0,4,1,-2e;6a4,1,1,-9;6ag,2,1,-8;6ai,2,1,-2s;6aw,2,1,-8;6ay,2,1,-34;6b0,1,1,-7;6bc,2,1,-3k;6be,2,1,-3i;' +
  '6bg,1,1,-9;6jq,1,1,-5tp;6ju,1,1,-6hr;6jv,1,1,-6ee;6ku,1,1,-s;6ls,g,1,-g;6mc,1,1,-1;79s,q,1,-q;8q8,1b,1,-1c;' +
  '8rl,1,1,-1;8rm,1,1,-8af;8rn,1,1,-2xy;8ro,1,1,-89z;8rp,1,1,-8bv;8rq,1,1,-8bs;8rs,3,2,-1;8rx,1,1,-8bg;' +
  '8ry,1,1,-8al;8rz,1,1,-8bj;8s0,1,1,-8bi;8s3,1,1,-1;8s6,1,1,-1;8se,2,1,-8cf;8sh,1e,2,-1;8vg,2,2,-1;8vn,1,1,-1;' +
  '8w0,12,1,-5ls;8x3,1,1,-5ls;8x9,1,1,-5ls;wu9,5,2,-1;wui,1,1,-r7m;wuj,1,1,-r7n;wul,h,2,-1;ww1,e,2,-1;' +
  'x0j,7,2,-1;x0z,v,2,-1;x2y,2,2,-1;x31,1,1,-r9g;x33,5,2,-1;x3g,1,1,-1;x3h,1,1,-wmg;x3l,2,2,-1;x3r,a,2,-1;' +
  'x4a,1,1,-wn8;x4b,1,1,-wnj;x4c,1,1,-wnf;x4d,1,1,-wn5;x4e,1,1,-wn8;x4g,1,1,-wlu;x4h,1,1,-wmi;x4i,1,1,-wlx;' +
  'x4l,6,2,-1;x4z,1,1,-1;x50,1,1,-1c;x51,1,1,-wn7;x52,1,1,-raw;x54,2,2,-1;x6e,1,1,-1;xub,1,1,-ps;xv4,28,1,-tzk;' +
  '1ef5,q,1,-w;1fe0,14,1,-14;1fiw,10,1,-14;1h34,1f,1,-1s;1jgg,w,1,-w;20dc,w,1,-w;2oma,y,1,-y';

/**
 * Case pairs new in Unicode 14.0 (Unicode 15.0 added none), folded by Go ≥1.21 only:
 * U+2C2F/U+2C5F, U+A7C0/A7C1, U+A7D0/A7D1, U+A7D6/A7D7, U+A7D8/A7D9 and Vithkuqi
 * U+10570–U+10595 / U+10597–U+105BC. Format as FOLD_RUNS (hex here).
 */
const FOLD_RUNS_U14: readonly (readonly [number, number, number, number])[] = [
  [0x2c5f, 1, 1, -0x30],
  [0xa7c1, 1, 1, -1],
  [0xa7d1, 1, 1, -1],
  [0xa7d7, 1, 1, -1],
  [0xa7d9, 1, 1, -1],
  [0x10597, 11, 1, -0x27],
  [0x105a3, 15, 1, -0x27],
  [0x105b3, 7, 1, -0x27],
  [0x105bb, 2, 1, -0x27],
];

let fold13: Map<number, number> | null = null;
let fold15: Map<number, number> | null = null;

function foldTables(): [Map<number, number>, Map<number, number>] {
  if (fold13 === null || fold15 === null) {
    const m = new Map<number, number>();
    for (const run of FOLD_RUNS.split(';')) {
      const [a, b, c, d] = run.split(',') as [string, string, string, string];
      const start = parseInt(a, 36);
      const count = parseInt(b, 36);
      const stride = Number(c);
      const delta = d.startsWith('-') ? -parseInt(d.slice(1), 36) : parseInt(d, 36);
      for (let k = 0; k < count; k++) m.set(start + k * stride, start + k * stride + delta);
    }
    const m15 = new Map(m);
    for (const [start, count, stride, delta] of FOLD_RUNS_U14) {
      for (let k = 0; k < count; k++) m15.set(start + k * stride, start + k * stride + delta);
    }
    fold13 = m;
    fold15 = m15;
  }
  return [fold13, fold15];
}

/** fold.go (Go ≥1.21) foldName, with the Unicode 13 (Go 1.19/1.20) or 15 (Go ≥1.21) tables. */
export function goFoldName(s: string, unicode15 = true): string {
  let out = '';
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return s.toUpperCase(); // only a-z change for an ASCII string
  const table = foldTables()[unicode15 ? 1 : 0];
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r < 0x80) out += r >= 0x61 && r <= 0x7a ? String.fromCharCode(r - 0x20) : ch;
    else out += String.fromCodePoint(table.get(r) ?? r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Struct fields as encoding/json sees them (encode.go typeFields, dominantField).

type StructType = Extract<GoType, { kind: 'struct' }>;

interface ResolvedField {
  /** the JSON name: the tag name, or the Go field name when untagged */
  readonly name: string;
  readonly tag: boolean;
  readonly index: readonly number[];
  readonly type: GoType;
  /** the ,string option took effect */
  readonly quoted: boolean;
  /** reached through an embedded pointer to an unexported struct type: Go cannot set it */
  readonly unsettable: string | null;
}

/** An UnmarshalJSON method promoted from an embedded field: the struct itself is an Unmarshaler. */
interface PromotedUnmarshaler {
  readonly type: Extract<GoType, { kind: 'custom' | 'rawMessage' }>;
  /** the embedded field with the method, where it is visible in the view */
  readonly field: ResolvedField | undefined;
  /** reached through an embedded pointer (always nil here): Go calls the method on nil */
  readonly throughPtr: boolean;
}

interface StructInfo {
  readonly fields: readonly ResolvedField[];
  readonly unmarshaler: PromotedUnmarshaler | null;
  readonly byExact: ReadonlyMap<string, ResolvedField>;
  /** folded name → first field in index order with that folded name (Unicode 13 / 15 tables) */
  readonly byFold13: ReadonlyMap<string, ResolvedField>;
  readonly byFold15: ReadonlyMap<string, ResolvedField>;
}

const structInfoCache = new WeakMap<StructType, StructInfo>();

const TAG_PUNCT = '!#$%&()*+-./:;<=>?@[]^_{|}~ ';

/** encode.go isValidTag */
function isValidTag(s: string): boolean {
  if (s === '') return false;
  for (const ch of s) {
    if (TAG_PUNCT.includes(ch)) continue;
    if (!/^[\p{L}\p{Nd}]$/u.test(ch)) return false;
  }
  return true;
}

/** reflect.StructField.IsExported: the name starts with an upper-case letter */
function isExported(name: string): boolean {
  return /^\p{Lu}/u.test(name);
}

function compareIndex(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < a.length; k++) {
    if (k >= b.length) return 1;
    if (a[k] !== b[k]) return a[k]! - b[k]!;
  }
  return a.length === b.length ? 0 : -1;
}

function isQuotable(t: GoType): boolean {
  return t.kind === 'bool' || t.kind === 'int' || t.kind === 'float' || t.kind === 'string';
}

function structInfo(t: StructType): StructInfo {
  const cached = structInfoCache.get(t);
  if (cached) return cached;

  interface Pending {
    readonly typ: StructType;
    readonly index: readonly number[];
    readonly unsettable: string | null;
  }
  // Breadth-first over the struct and the embedded structs reachable from it.
  let next: Pending[] = [{ typ: t, index: [], unsettable: null }];
  let count = new Map<StructType, number>();
  let nextCount = new Map<StructType, number>();
  const visited = new Set<StructType>();
  const found: ResolvedField[] = [];

  while (next.length > 0) {
    const current = next;
    next = [];
    count = nextCount;
    nextCount = new Map();
    for (const f of current) {
      if (visited.has(f.typ)) continue;
      visited.add(f.typ);
      f.typ.fields.forEach((sf: GoField, i: number) => {
        const exported = isExported(sf.name);
        if (sf.embedded === true) {
          const et = sf.type.kind === 'ptr' ? sf.type.elem : sf.type;
          // Ignore embedded fields of unexported non-struct types.
          if (!exported && et.kind !== 'struct') return;
        } else if (!exported) {
          return; // unexported non-embedded field
        }
        // `json` is the tag's name; a full tag ("name,opt,…") is split as encode.go parseTag does.
        const tag = sf.json ?? '';
        if (tag === '-') return;
        const comma = tag.indexOf(',');
        let name = comma < 0 ? tag : tag.slice(0, comma);
        const stringOpt = sf.string === true || (comma >= 0 && tag.slice(comma + 1).split(',').includes('string'));
        if (!isValidTag(name)) name = '';
        const index = [...f.index, i];
        const ft = sf.type.kind === 'ptr' ? sf.type.elem : sf.type; // follow one (unnamed) pointer
        const quoted = stringOpt && isQuotable(ft);

        if (name !== '' || sf.embedded !== true || ft.kind !== 'struct') {
          const field: ResolvedField = {
            name: name !== '' ? name : sf.name,
            tag: name !== '',
            index,
            type: sf.type,
            quoted,
            unsettable: f.unsettable,
          };
          found.push(field);
          // Several instances of this struct at this depth: add a second copy so the
          // annihilation below sees a duplicate.
          if ((count.get(f.typ) ?? 0) > 1) found.push(field);
          return;
        }
        // Record a new embedded struct to explore in the next round.
        const n = (nextCount.get(ft) ?? 0) + 1;
        nextCount.set(ft, n);
        if (n === 1) {
          const viaUnexportedPtr = !exported && sf.type.kind === 'ptr' ? typeString(ft) : null;
          next.push({ typ: ft, index, unsettable: f.unsettable ?? viaUnexportedPtr });
        }
      });
    }
  }

  // Sort by name, then depth, then tagged first, then index sequence.
  found.sort((a, b) => {
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    if (a.index.length !== b.index.length) return a.index.length - b.index.length;
    if (a.tag !== b.tag) return a.tag ? -1 : 1;
    return compareIndex(a.index, b.index);
  });

  // Keep, per name, the dominant field (shallowest; a tagged one among equals); drop ambiguous names.
  const out: ResolvedField[] = [];
  for (let i = 0, advance = 0; i < found.length; i += advance) {
    const fi = found[i]!;
    for (advance = 1; i + advance < found.length; advance++) {
      if (found[i + advance]!.name !== fi.name) break;
    }
    if (advance === 1) {
      out.push(fi);
      continue;
    }
    const second = found[i + 1]!;
    if (fi.index.length === second.index.length && fi.tag === second.tag) continue; // ambiguous
    out.push(fi);
  }
  out.sort((a, b) => compareIndex(a.index, b.index));

  const byExact = new Map<string, ResolvedField>();
  const byFold13 = new Map<string, ResolvedField>();
  const byFold15 = new Map<string, ResolvedField>();
  for (const f of out) {
    byExact.set(f.name, f);
    // "For historical reasons, first folded match takes precedence."
    const k13 = goFoldName(f.name, false);
    if (!byFold13.has(k13)) byFold13.set(k13, f);
    const k15 = goFoldName(f.name, true);
    if (!byFold15.has(k15)) byFold15.set(k15, f);
  }
  const info: StructInfo = { fields: out, unmarshaler: promotedUnmarshaler(t, out), byExact, byFold13, byFold15 };
  structInfoCache.set(t, info);
  return info;
}

/**
 * Go's method promotion: an UnmarshalJSON method of an embedded field (tagged or not, exported or
 * not) is a method of the struct, found at the shallowest depth where embedded types declare one,
 * and lost when two do at that depth. Then decode.go indirect finds the struct is an Unmarshaler,
 * and the whole JSON value goes to that method, which sets only the embedded field.
 */
function promotedUnmarshaler(t: StructType, fields: readonly ResolvedField[]): PromotedUnmarshaler | null {
  interface Level {
    readonly typ: StructType;
    readonly index: readonly number[];
    readonly throughPtr: boolean;
  }
  let level: Level[] = [{ typ: t, index: [], throughPtr: false }];
  const seen = new Set<StructType>([t]);
  while (level.length > 0) {
    const found: { type: PromotedUnmarshaler['type']; index: readonly number[]; throughPtr: boolean }[] = [];
    const next: Level[] = [];
    for (const q of level) {
      q.typ.fields.forEach((sf, i) => {
        if (sf.embedded !== true) return;
        const isPtr = sf.type.kind === 'ptr';
        const et = sf.type.kind === 'ptr' ? sf.type.elem : sf.type;
        const index = [...q.index, i];
        const throughPtr = q.throughPtr || isPtr;
        if (et.kind === 'custom' || et.kind === 'rawMessage') found.push({ type: et, index, throughPtr });
        else if (et.kind === 'struct' && !seen.has(et)) {
          seen.add(et);
          next.push({ typ: et, index, throughPtr });
        }
      });
    }
    if (found.length > 1) return null; // ambiguous selector: no method
    const m = found[0];
    if (m !== undefined) {
      return { type: m.type, throughPtr: m.throughPtr, field: fields.find((f) => compareIndex(f.index, m.index) === 0) };
    }
    level = next;
  }
  return null;
}

/**
 * The fields a struct type has for encoding/json, in Go's order, with their JSON names: the keys
 * of the struct's view. (Promoted fields flattened, hidden and ambiguous ones left out.)
 */
export function goStructFields(t: GoType): readonly { readonly name: string; readonly type: GoType }[] {
  if (t.kind !== 'struct') return [];
  return structInfo(t).fields.map((f) => ({ name: f.name, type: f.type }));
}

// ---------------------------------------------------------------------------------------------
// Types: zero values and names

function typeString(t: GoType): string {
  switch (t.kind) {
    case 'bool':
    case 'string':
      return t.kind;
    case 'int':
      return (t.unsigned === true ? 'uint' : 'int') + String(t.bits);
    case 'float':
      return 'float' + String(t.bits);
    case 'struct':
      return t.name ?? 'struct {…}';
    case 'ptr':
      return '*' + typeString(t.elem);
    case 'slice':
      return '[]' + typeString(t.elem);
    case 'array':
      return `[${String(t.length)}]` + typeString(t.elem);
    case 'map':
      return `map[${t.key === 'int' ? 'int' : 'string'}]` + typeString(t.elem);
    case 'any':
      return 'interface {}';
    case 'rawMessage':
      return 'json.RawMessage';
    case 'custom':
      return t.name;
  }
}

function newObject(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/** The view of Go's zero value of t (fresh objects every call). */
export function goZero(t: GoType): unknown {
  switch (t.kind) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'int':
      return 0n;
    case 'float':
      return 0;
    case 'struct': {
      const o = newObject();
      for (const f of structInfo(t).fields) o[f.name] = goZero(f.type);
      return o;
    }
    case 'array': {
      const a: unknown[] = new Array<unknown>(t.length);
      for (let i = 0; i < t.length; i++) a[i] = goZero(t.elem);
      return a;
    }
    case 'ptr':
    case 'slice':
    case 'map':
    case 'any':
    case 'rawMessage':
      return null;
    case 'custom':
      return t.zero ?? null;
  }
}

function isByteSlice(t: GoType): boolean {
  return t.kind === 'slice' && t.elem.kind === 'int' && t.elem.bits === 8 && t.elem.unsigned === true;
}

// ---------------------------------------------------------------------------------------------
// Numbers (strconv.ParseInt/ParseUint/ParseFloat as decode.go literalStore uses them)

const INT_LIMITS: readonly (readonly [bigint, bigint])[] = [8, 16, 32, 64].flatMap((bits) => {
  const b = BigInt(bits);
  return [
    [-(1n << (b - 1n)), (1n << (b - 1n)) - 1n],
    [0n, (1n << b) - 1n],
  ] as const;
});
function intLimits(bits: number, unsigned: boolean): readonly [bigint, bigint] {
  const k = bits === 8 ? 0 : bits === 16 ? 2 : bits === 32 ? 4 : 6;
  return INT_LIMITS[k + (unsigned ? 1 : 0)]!;
}

/** strconv.ParseInt(s, 10, 64) / ParseUint(s, 10, 64), then reflect's OverflowInt/OverflowUint for the field size. */
function parseGoInt(s: string, bits: number, unsigned: boolean): bigint | null {
  let i = 0;
  let neg = false;
  if (!unsigned && (s[0] === '+' || s[0] === '-')) {
    neg = s[0] === '-';
    i = 1;
  }
  if (i >= s.length) return null;
  for (let k = i; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return null;
  }
  let v: bigint;
  if (s.length - i <= 15) {
    v = BigInt(Number(s.slice(i)));
  } else {
    let digits = s.slice(i).replace(/^0+/, '');
    if (digits === '') digits = '0';
    if (digits.length > 20) return null;
    v = BigInt(digits);
  }
  if (neg) v = -v;
  const [lo, hi] = intLimits(bits, unsigned);
  return v < lo || v > hi ? null : v;
}

function bitLength(b: bigint): number {
  return b === 0n ? 0 : b.toString(2).length;
}

/**
 * m × 2^e2 (plus a little more when `sticky`), rounded to nearest-even binary32/binary64, as a
 * number; ±Infinity (sign by caller) on overflow. Exact: what Go's correctly rounded atof does.
 */
function roundBinary(m: bigint, e2: number, sticky: boolean, bits: 32 | 64): number {
  if (m === 0n) return 0;
  const P = bits === 64 ? 53 : 24;
  const EMIN = bits === 64 ? -1022 : -126;
  const EMAX = bits === 64 ? 1023 : 127;
  const L = bitLength(m);
  const E = L - 1 + e2;
  const prec = E < EMIN ? P - (EMIN - E) : P;
  const shift = L - prec;
  let q: bigint;
  let exp: number;
  if (shift <= 0) {
    q = m;
    exp = e2;
  } else {
    const sh = BigInt(shift);
    q = m >> sh;
    const rem = m & ((1n << sh) - 1n);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q += 1n;
    exp = e2 + shift;
  }
  if (q === 0n) return 0;
  if (bitLength(q) - 1 + exp > EMAX) return Infinity;
  // q < 2^54 and exp ≥ the exponent of the smallest subnormal: exact in binary64.
  return Number(q) * 2 ** exp;
}

/** decimal digits × 10^k (+sticky) → nearest binary32/64 (unsigned) */
function decimalToBinary(digits: string, k: number, sticky: boolean, bits: 32 | 64): number {
  digits = digits.replace(/^0+/, '');
  if (digits === '') return 0;
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    k++;
  }
  const nd = digits.length;
  if (nd + k > (bits === 64 ? 310 : 40)) return Infinity;
  if (nd + k < (bits === 64 ? -330 : -50)) return 0;
  // Halfway points of binary64 have at most 767 significant digits: keep 800 and a sticky bit.
  if (nd > 800) {
    if (/[1-9]/.test(digits.slice(800))) sticky = true;
    k += nd - 800;
    digits = digits.slice(0, 800);
  }
  const D = BigInt(digits);
  if (k >= 0) return roundBinary(D * 10n ** BigInt(k), 0, sticky, bits);
  const den = 10n ** BigInt(-k);
  const P = bits === 64 ? 53 : 24;
  const s = Math.max(0, P + 3 + bitLength(den) - bitLength(D));
  const num = D << BigInt(s);
  const q = num / den;
  return roundBinary(q, -s, sticky || num % den !== 0n, bits);
}

function lowerAscii(c: number): number {
  return c | 0x20;
}

function commonPrefixLenIgnoreCase(s: string, from: number, prefix: string): number {
  let n = 0;
  while (n < prefix.length && from + n < s.length) {
    if (lowerAscii(s.charCodeAt(from + n)) !== prefix.charCodeAt(n)) break;
    n++;
  }
  return n;
}

/** strconv underscoreOK */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(String.fromCharCode(lowerAscii(s.charCodeAt(1))))) {
    i = 2;
    saw = '0';
    hex = lowerAscii(s.charCodeAt(1)) === 0x78;
  }
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const lc = lowerAscii(c);
    if ((c >= 0x30 && c <= 0x39) || (hex && lc >= 0x61 && lc <= 0x66)) {
      saw = '0';
      continue;
    }
    if (c === 0x5f) {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** strconv.ParseFloat(s, bits): the value, or null for a syntax or range error (±Inf from "inf" is fine). */
export function goParseFloat(s: string, bits: 32 | 64): number | null {
  // special(): [+-]inf, [+-]infinity, nan (case-insensitive); the whole string must be consumed.
  {
    let i = 0;
    let sign = 1;
    const c0 = s[0];
    if (c0 === '+' || c0 === '-') {
      sign = c0 === '-' ? -1 : 1;
      i = 1;
    }
    const c = s.length > i ? lowerAscii(s.charCodeAt(i)) : 0;
    if (c === 0x69) {
      let n = commonPrefixLenIgnoreCase(s, i, 'infinity');
      if (n > 3 && n < 8) n = 3;
      if (n === 3 || n === 8) return i + n === s.length ? sign * Infinity : null;
    } else if (c === 0x6e && i === 0) {
      if (commonPrefixLenIgnoreCase(s, 0, 'nan') === 3) return s.length === 3 ? NaN : null;
    }
  }
  // readFloat()
  let i = 0;
  let neg = false;
  if (s[i] === '+') i++;
  else if (s[i] === '-') {
    neg = true;
    i++;
  }
  let hex = false;
  let expChar = 0x65;
  if (i + 2 < s.length && s[i] === '0' && lowerAscii(s.charCodeAt(i + 1)) === 0x78) {
    hex = true;
    i += 2;
    expChar = 0x70;
  }
  let underscores = false;
  let sawdot = false;
  let sawdigits = false;
  let intDigits = '';
  let fracDigits = '';
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) {
      underscores = true;
      continue;
    }
    if (c === 0x2e) {
      if (sawdot) break;
      sawdot = true;
      continue;
    }
    const lc = lowerAscii(c);
    if ((c >= 0x30 && c <= 0x39) || (hex && lc >= 0x61 && lc <= 0x66)) {
      sawdigits = true;
      if (sawdot) fracDigits += s[i];
      else intDigits += s[i];
      continue;
    }
    break;
  }
  if (!sawdigits) return null;
  let exp = 0;
  if (i < s.length && lowerAscii(s.charCodeAt(i)) === expChar) {
    i++;
    if (i >= s.length) return null;
    let esign = 1;
    if (s[i] === '+') i++;
    else if (s[i] === '-') {
      i++;
      esign = -1;
    }
    if (i >= s.length || s.charCodeAt(i) < 0x30 || s.charCodeAt(i) > 0x39) return null;
    let e = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x5f) {
        underscores = true;
        continue;
      }
      if (c < 0x30 || c > 0x39) break;
      if (e < 10000) e = e * 10 + (c - 0x30);
    }
    exp = e * esign;
  } else if (hex) {
    return null; // a hex float must have a 'p' exponent
  }
  if (underscores && !underscoreOK(s.slice(0, i))) return null;
  if (i !== s.length) return null;

  let v: number;
  if (hex) {
    const m = BigInt('0x' + (intDigits + fracDigits || '0'));
    v = roundBinary(m, exp - 4 * fracDigits.length, false, bits);
  } else if (bits === 64) {
    v = Number((intDigits || '0') + '.' + (fracDigits || '0') + 'e' + String(exp));
  } else {
    v = decimalToBinary(intDigits + fracDigits, exp - fracDigits.length, false, 32);
  }
  if (!Number.isFinite(v)) return null; // ErrRange
  return neg ? -v : v;
}

// ---------------------------------------------------------------------------------------------
// encoding/base64 StdEncoding.Decode (padding required; '\r' and '\n' ignored)

const B64 = (() => {
  const m = new Int16Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) m[alphabet.charCodeAt(i)] = i;
  return m;
})();

function base64StdDecode(src: Uint8Array): { bytes: Uint8Array } | { error: string } {
  const out = new Uint8Array(Math.floor(src.length / 4) * 3 + 3);
  let n = 0;
  let si = 0;
  const corrupt = (at: number): { error: string } => ({ error: `illegal base64 data at input byte ${String(at)}` });
  while (si < src.length) {
    // decodeQuantum
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailingErr: number | null = null;
    let done = false;
    for (let j = 0; j < 4; j++) {
      if (src.length === si) {
        if (j === 0) {
          done = true;
          dlen = 0;
          break;
        }
        return corrupt(si - j); // j == 1, or missing padding
      }
      const inb = src[si]!;
      si++;
      const o = B64[inb]!;
      if (o >= 0) {
        dbuf[j] = o;
        continue;
      }
      if (inb === 0x0a || inb === 0x0d) {
        j--;
        continue;
      }
      if (inb !== 0x3d) return corrupt(si - 1);
      // padding
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== 0x3d) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) trailingErr = si;
      dlen = j;
      break;
    }
    if (done) break;
    const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
    if (dlen >= 2) out[n++] = (val >> 16) & 0xff;
    if (dlen >= 3) out[n++] = (val >> 8) & 0xff;
    if (dlen >= 4) out[n++] = val & 0xff;
    if (trailingErr !== null) return corrupt(trailingErr);
  }
  return { bytes: out.slice(0, n) };
}

// ---------------------------------------------------------------------------------------------
// Pass 2: the decoder (decode.go decodeState), with an explicit stack instead of recursion.

type Store = (v: unknown) => void;

/** Where a value is, built lazily into an RFC 6901 pointer only when an error needs it. */
interface PtrNode {
  readonly parent: PtrNode | null;
  readonly seg: string;
}

function pointerString(node: PtrNode | null): string {
  const segs: string[] = [];
  for (let n = node; n !== null; n = n.parent) segs.push(escapePointerToken(n.seg));
  let out = '';
  for (let i = segs.length - 1; i >= 0; i--) out += '/' + segs[i]!;
  return out;
}

const K_STRUCT = 0;
const K_MAP = 1;
const K_ANY_OBJECT = 2;
const K_SLICE = 3;
const K_ARRAY = 4;
const K_ANY_ARRAY = 5;

interface StructFrame {
  readonly k: typeof K_STRUCT;
  readonly ptr: PtrNode | null;
  readonly info: StructInfo;
  readonly obj: Record<string, unknown>;
}
interface MapFrame {
  readonly k: typeof K_MAP;
  readonly ptr: PtrNode | null;
  readonly type: Extract<GoType, { kind: 'map' }>;
  readonly obj: Record<string, unknown>;
  pending: boolean;
  key: string;
  val: unknown;
}
interface AnyObjectFrame {
  readonly k: typeof K_ANY_OBJECT;
  readonly ptr: PtrNode | null;
  readonly obj: Record<string, unknown>;
  readonly store: Store;
}
interface SliceFrame {
  readonly k: typeof K_SLICE;
  readonly ptr: PtrNode | null;
  readonly elem: GoType;
  readonly bytes: boolean;
  /** the backing array: every element ever decoded into this slice, live or beyond its length */
  readonly backing: unknown[];
  readonly store: Store;
  pending: boolean;
  i: number;
}
interface ArrayFrame {
  readonly k: typeof K_ARRAY;
  readonly ptr: PtrNode | null;
  readonly elem: GoType;
  readonly arr: unknown[];
  pending: boolean;
  i: number;
}
interface AnyArrayFrame {
  readonly k: typeof K_ANY_ARRAY;
  readonly ptr: PtrNode | null;
  readonly arr: unknown[];
  readonly store: Store;
  pending: boolean;
  i: number;
}
type Frame = StructFrame | MapFrame | AnyObjectFrame | SliceFrame | ArrayFrame | AnyArrayFrame;

const NULL_LITERAL = new Uint8Array([0x6e, 0x75, 0x6c, 0x6c]);
const ANY: GoType = { kind: 'any' };
const FLOAT64: GoType = { kind: 'float', bits: 64 };

function isLiteral(b: Uint8Array, s: number, e: number, lit: string): boolean {
  if (e - s !== lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (b[s + i] !== lit.charCodeAt(i)) return false;
  return true;
}

class Decoder {
  pos: number;
  saved: DecodeError | null = null;
  aborted: DecodeError | null = null;
  versionDependent = false;
  private readonly stack: Frame[] = [];
  /** slice view → its backing array (Go keeps decoding into the old backing array) */
  private readonly backing = new WeakMap<object, unknown[]>();
  /** where the value being decoded is: the container's location and the key/index within it */
  private base: PtrNode | null = null;
  private seg: string | null = null;

  constructor(
    private readonly buf: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly unicode15: boolean,
  ) {
    this.pos = start;
  }

  private node(): PtrNode | null {
    return this.seg === null ? this.base : { parent: this.base, seg: this.seg };
  }

  private here(): string {
    return pointerString(this.node());
  }

  /** decodeState.saveError: keep the first error, go on decoding */
  private saveError(kind: DecodeErrorKind, message: string, pointer?: string): void {
    if (this.saved === null) this.saved = { ok: false, pointer: pointer ?? this.here(), message, kind };
  }

  private typeError(what: string, t: GoType): void {
    this.saveError('type', `json: cannot unmarshal ${what} into Go value of type ${typeString(t)}`);
  }

  /** an error decode.go returns (not saves): decoding stops */
  private abort(kind: DecodeErrorKind, message: string, pointer?: string): void {
    if (this.aborted === null) this.aborted = { ok: false, pointer: pointer ?? this.here(), message, kind };
  }

  private skipWs(): void {
    const b = this.buf;
    while (this.pos < this.end && isSpace(b[this.pos]!)) this.pos++;
  }

  run(type: GoType): unknown {
    let result = goZero(type);
    this.startValue(
      type,
      result,
      (v) => {
        result = v;
      },
      false,
    );
    this.loop();
    return result;
  }

  /** decode.go value (or valueQuoted for a ,string field): decode the value at pos into the destination */
  private startValue(type: GoType, cur: unknown, store: Store, destring: boolean): void {
    this.skipWs();
    const b = this.buf;
    const c = b[this.pos]!;
    if (destring) {
      this.valueQuoted(type, cur, store);
      return;
    }
    if (c === LBRACE) this.object(type, cur, store);
    else if (c === LBRACKET) this.array(type, cur, store);
    else {
      const s = this.pos;
      const e = literalEnd(b, s, this.end);
      this.pos = e;
      this.literalStore(b, s, e, type, cur, store, false);
    }
  }

  /**
   * decode.go indirect(v, false) for an object or array: allocate nil pointers, call an
   * UnmarshalJSON method. Returns the non-pointer destination, or null when the value was handled.
   */
  private indirect(type: GoType, cur: unknown, store: Store): { type: GoType; cur: unknown } | null {
    while (type.kind === 'ptr') {
      if (cur === null || cur === undefined) {
        cur = goZero(type.elem);
        store(cur);
      }
      type = type.elem;
    }
    if (type.kind === 'custom' || type.kind === 'rawMessage' || (type.kind === 'struct' && structInfo(type).unmarshaler !== null)) {
      const s = this.pos;
      const e = skipValue(this.buf, s, this.end);
      this.pos = e;
      this.unmarshaler(type, this.buf, s, e, cur, store);
      return null;
    }
    return { type, cur };
  }

  /** an Unmarshaler (json.RawMessage, or a custom type) gets the exact bytes of the value */
  private unmarshaler(type: GoType, src: Uint8Array, s: number, e: number, cur: unknown, store: Store): void {
    if (type.kind === 'rawMessage') {
      store(src.slice(s, e));
      return;
    }
    if (type.kind === 'struct') {
      // a struct with a promoted UnmarshalJSON: the method sets the embedded field only
      const p = structInfo(type).unmarshaler;
      if (p === null) return;
      let obj = cur as Record<string, unknown> | null | undefined;
      if (obj === null || obj === undefined) {
        obj = goZero(type) as Record<string, unknown>;
        store(obj);
      }
      if (p.throughPtr) {
        // The method runs on a nil receiver: RawMessage refuses it; a custom method that gets as
        // far as storing its result dereferences nil (the engine's handler panics).
        if (p.type.kind === 'rawMessage') {
          this.abort('value', 'json.RawMessage: UnmarshalJSON on nil pointer');
          return;
        }
        this.unmarshaler(p.type, src, s, e, undefined, () => {
          this.abort('value', `runtime error: ${typeString(type)}'s UnmarshalJSON is promoted through a nil embedded pointer`);
        });
        return;
      }
      const target = obj;
      const name = p.field?.name;
      this.unmarshaler(p.type, src, s, e, name === undefined ? undefined : target[name], (v) => {
        if (name !== undefined) target[name] = v;
      });
      return;
    }
    if (type.kind !== 'custom') return;
    const raw: JsonRaw = { bytes: src.subarray(s, e), offset: src === this.buf ? s : -1 };
    let res: DecodeResult;
    try {
      res = type.decode(raw, cur === undefined ? (type.zero ?? null) : cur);
    } catch (err) {
      res = { ok: false, pointer: '', message: err instanceof Error ? err.message : String(err) };
    }
    if (res.ok) store(res.value);
    else this.abort(res.kind ?? 'value', res.message, this.here() + res.pointer);
  }

  /** decode.go object */
  private object(type: GoType, cur: unknown, store: Store): void {
    const r = this.indirect(type, cur, store);
    if (r === null) return;
    const t = r.type;
    const ptr = this.node();
    switch (t.kind) {
      case 'any': {
        // objectInterface: a new map[string]interface{} replaces whatever was there
        this.pos++;
        this.stack.push({ k: K_ANY_OBJECT, ptr, obj: newObject(), store });
        return;
      }
      case 'map': {
        let obj = r.cur as Record<string, unknown> | null;
        if (obj === null || obj === undefined) {
          obj = newObject();
          store(obj);
        }
        this.pos++;
        this.stack.push({ k: K_MAP, ptr, type: t, obj, pending: false, key: '', val: null });
        return;
      }
      case 'struct': {
        let obj = r.cur as Record<string, unknown> | null;
        if (obj === null || obj === undefined) {
          obj = goZero(t) as Record<string, unknown>;
          store(obj);
        }
        this.pos++;
        this.stack.push({ k: K_STRUCT, ptr, info: structInfo(t), obj });
        return;
      }
      case 'bool':
      case 'string':
      case 'int':
      case 'float':
      case 'ptr':
      case 'slice':
      case 'array':
      case 'rawMessage':
      case 'custom':
        this.typeError('object', t);
        this.pos = skipValue(this.buf, this.pos, this.end);
    }
  }

  /** decode.go array */
  private array(type: GoType, cur: unknown, store: Store): void {
    const r = this.indirect(type, cur, store);
    if (r === null) return;
    const t = r.type;
    const ptr = this.node();
    switch (t.kind) {
      case 'any':
        this.pos++;
        this.stack.push({ k: K_ANY_ARRAY, ptr, arr: [], store, pending: false, i: 0 });
        return;
      case 'slice': {
        const view = r.cur as unknown[] | Uint8Array | null;
        const bytes = isByteSlice(t);
        let backing: unknown[];
        if (view === null || view === undefined) backing = [];
        else backing = this.backing.get(view) ?? (view instanceof Uint8Array ? Array.from(view, (x) => BigInt(x)) : view);
        this.pos++;
        this.stack.push({ k: K_SLICE, ptr, elem: t.elem, bytes, backing, store, pending: false, i: 0 });
        return;
      }
      case 'array':
        this.pos++;
        this.stack.push({ k: K_ARRAY, ptr, elem: t.elem, arr: r.cur as unknown[], pending: false, i: 0 });
        return;
      case 'bool':
      case 'string':
      case 'int':
      case 'float':
      case 'struct':
      case 'map':
      case 'ptr':
      case 'rawMessage':
      case 'custom':
        this.typeError('array', t);
        this.pos = skipValue(this.buf, this.pos, this.end);
    }
  }

  /** struct field for a key: exact match first, then the first field whose folded name matches */
  private field(info: StructInfo, key: string): ResolvedField | undefined {
    const exact = info.byExact.get(key);
    if (exact !== undefined) return exact;
    const f13 = info.byFold13.get(goFoldName(key, false));
    const f15 = info.byFold15.get(goFoldName(key, true));
    if (f13 !== f15) this.versionDependent = true;
    return this.unicode15 ? f15 : f13;
  }

  private loop(): void {
    const b = this.buf;
    const stack = this.stack;
    while (stack.length > 0 && this.aborted === null) {
      const fr = stack[stack.length - 1]!;
      if (fr.k !== K_STRUCT && fr.k !== K_ANY_OBJECT && fr.pending) {
        fr.pending = false;
        if (fr.k === K_MAP) this.commitMapEntry(fr);
        else fr.i++;
      }
      this.skipWs();
      let c = b[this.pos]!;
      const isObject = fr.k === K_STRUCT || fr.k === K_MAP || fr.k === K_ANY_OBJECT;
      if (c === (isObject ? RBRACE : RBRACKET)) {
        this.pos++;
        stack.pop();
        this.finish(fr);
        continue;
      }
      if (c === COMMA) {
        this.pos++;
        this.skipWs();
        c = b[this.pos]!;
      }
      this.base = fr.ptr;
      if (isObject) {
        // Read key.
        const ks = this.pos;
        const ke = stringEnd(b, ks);
        this.pos = ke;
        const key = utf8String(unquoteBytes(b, ks, ke)!);
        this.skipWs();
        this.pos++; // ':'
        this.seg = key;
        this.member(fr, key);
      } else {
        this.seg = String(fr.i);
        this.element(fr);
      }
    }
  }

  private member(fr: StructFrame | MapFrame | AnyObjectFrame, key: string): void {
    switch (fr.k) {
      case K_STRUCT: {
        const f = this.field(fr.info, key);
        if (f === undefined) {
          this.skipWs();
          this.pos = skipValue(this.buf, this.pos, this.end); // unknown keys are ignored
          return;
        }
        if (f.unsettable !== null) {
          this.saveError('value', `json: cannot set embedded pointer to unexported struct: ${f.unsettable}`);
          this.skipWs();
          this.pos = skipValue(this.buf, this.pos, this.end);
          return;
        }
        const obj = fr.obj;
        const name = f.name;
        this.startValue(
          f.type,
          obj[name],
          (v) => {
            obj[name] = v;
          },
          f.quoted,
        );
        return;
      }
      case K_MAP: {
        // Each entry decodes into a fresh zero element, then is stored (replacing, never merging).
        fr.key = key;
        fr.val = goZero(fr.type.elem);
        fr.pending = true;
        this.startValue(
          fr.type.elem,
          fr.val,
          (v) => {
            fr.val = v;
          },
          false,
        );
        return;
      }
      case K_ANY_OBJECT: {
        const obj = fr.obj;
        obj[key] = null;
        this.startValue(
          ANY,
          null,
          (v) => {
            obj[key] = v;
          },
          false,
        );
        return;
      }
    }
  }

  private commitMapEntry(fr: MapFrame): void {
    if (fr.type.key === 'string') {
      fr.obj[fr.key] = fr.val;
      return;
    }
    const n = parseGoInt(fr.key, 64, false);
    if (n === null) {
      this.saveError(
        'type',
        `json: cannot unmarshal number ${fr.key} into Go value of type int`,
        pointerString({ parent: fr.ptr, seg: fr.key }),
      );
      return;
    }
    fr.obj[n.toString()] = fr.val;
  }

  private element(fr: SliceFrame | ArrayFrame | AnyArrayFrame): void {
    const i = fr.i;
    fr.pending = true;
    switch (fr.k) {
      case K_SLICE: {
        const backing = fr.backing;
        // Within capacity Go reuses the element already there (even one past the old length).
        if (i >= backing.length) backing.push(goZero(fr.elem));
        this.startValue(
          fr.elem,
          backing[i],
          (v) => {
            backing[i] = v;
          },
          false,
        );
        return;
      }
      case K_ARRAY: {
        const arr = fr.arr;
        if (i < arr.length) {
          this.startValue(
            fr.elem,
            arr[i],
            (v) => {
              arr[i] = v;
            },
            false,
          );
        } else {
          // Ran out of fixed array: skip.
          this.skipWs();
          this.pos = skipValue(this.buf, this.pos, this.end);
        }
        return;
      }
      case K_ANY_ARRAY: {
        const arr = fr.arr;
        arr.push(null);
        this.startValue(
          ANY,
          null,
          (v) => {
            arr[i] = v;
          },
          false,
        );
        return;
      }
    }
  }

  private finish(fr: Frame): void {
    switch (fr.k) {
      case K_STRUCT:
      case K_MAP:
        return;
      case K_ANY_OBJECT:
        fr.store(fr.obj);
        return;
      case K_ANY_ARRAY:
        fr.store(fr.arr);
        return;
      case K_ARRAY:
        for (let j = fr.i; j < fr.arr.length; j++) fr.arr[j] = goZero(fr.elem); // zero the rest
        return;
      case K_SLICE: {
        if (fr.i === 0) {
          // "to unmarshal an empty JSON array into a slice, Unmarshal replaces the slice with a new empty slice"
          fr.store(fr.bytes ? new Uint8Array(0) : []);
          return;
        }
        // The length becomes the number of elements; the backing array keeps what lies beyond.
        const b = fr.backing;
        const live = fr.i === b.length ? b : b.slice(0, fr.i);
        const view = fr.bytes ? Uint8Array.from(live, (x) => Number(x as bigint)) : live;
        if (view !== b) this.backing.set(view, b);
        fr.store(view);
        return;
      }
    }
  }

  /** decode.go valueQuoted, then literalStore(…, fromQuoted=true): a ,string field */
  private valueQuoted(type: GoType, cur: unknown, store: Store): void {
    const b = this.buf;
    const c = b[this.pos]!;
    if (c === LBRACE || c === LBRACKET) {
      this.pos = skipValue(b, this.pos, this.end);
      this.saveError('value', `json: invalid use of ,string struct tag, trying to unmarshal unquoted value into ${typeString(type)}`);
      return;
    }
    const s = this.pos;
    const e = literalEnd(b, s, this.end);
    this.pos = e;
    if (c === N_LOWER) {
      this.literalStore(NULL_LITERAL, 0, 4, type, cur, store, false);
      return;
    }
    if (c === QUOTE) {
      const inner = unquoteBytes(b, s, e)!;
      this.literalStore(inner, 0, inner.length, type, cur, store, true);
      return;
    }
    if (c !== T_LOWER && c !== F_LOWER) {
      // literalInterface converts the number to float64 first (convertNumber)
      const text = asciiString(b, s, e);
      if (!Number.isFinite(Number(text))) this.typeError('number ' + text, FLOAT64);
    }
    this.saveError('value', `json: invalid use of ,string struct tag, trying to unmarshal unquoted value into ${typeString(type)}`);
  }

  /** decode.go literalStore: the literal src[s:e] into the destination */
  private literalStore(
    src: Uint8Array,
    s: number,
    e: number,
    type: GoType,
    cur: unknown,
    store: Store,
    fromQuoted: boolean,
  ): void {
    const misuse = (): string =>
      `json: invalid use of ,string struct tag, trying to unmarshal ${goQuote(src, s, e)} into ${typeString(type)}`;
    if (e === s) {
      // Empty string given.
      this.saveError('value', misuse());
      return;
    }
    const c = src[s]!;
    const isNull = c === N_LOWER;
    // indirect(v, isNull): null sets the first pointer to nil; otherwise allocate.
    let t = type;
    while (t.kind === 'ptr') {
      if (isNull) {
        store(null);
        return;
      }
      if (cur === null || cur === undefined) {
        cur = goZero(t.elem);
        store(cur);
      }
      t = t.elem;
    }
    if (t.kind === 'custom' || t.kind === 'rawMessage' || (t.kind === 'struct' && structInfo(t).unmarshaler !== null)) {
      this.unmarshaler(t, src, s, e, cur, store);
      return;
    }

    switch (c) {
      case N_LOWER: // null
        if (fromQuoted && !isLiteral(src, s, e, 'null')) {
          this.saveError('value', misuse());
          return;
        }
        // null empties interface, map, pointer and slice; it is a no-op for anything else
        if (t.kind === 'any' || t.kind === 'slice' || t.kind === 'map') store(null);
        return;
      case T_LOWER:
      case F_LOWER: {
        if (fromQuoted && !isLiteral(src, s, e, 'true') && !isLiteral(src, s, e, 'false')) {
          this.saveError('value', misuse());
          return;
        }
        const value = c === T_LOWER;
        if (t.kind === 'bool' || t.kind === 'any') store(value);
        else if (fromQuoted) this.saveError('value', misuse());
        else this.typeError('bool', t);
        return;
      }
      case QUOTE: {
        const bytes = unquoteBytes(src, s, e);
        if (bytes === null) {
          if (fromQuoted) this.abort('value', misuse());
          return;
        }
        switch (t.kind) {
          case 'slice': {
            if (!isByteSlice(t)) {
              this.typeError('string', t);
              return;
            }
            const r = base64StdDecode(bytes);
            if ('error' in r) this.saveError('value', r.error);
            else store(r.bytes);
            return;
          }
          case 'string':
          case 'any':
            store(utf8String(bytes));
            return;
          case 'bool':
          case 'int':
          case 'float':
          case 'struct':
          case 'array':
          case 'map':
            this.typeError('string', t);
            return;
        }
        return;
      }
      default: {
        // number
        if (c !== MINUS && !isDigit(c)) {
          if (fromQuoted) this.abort('value', misuse());
          return;
        }
        const text = asciiString(src, s, e);
        switch (t.kind) {
          case 'any': {
            const f = Number(text); // convertNumber: strconv.ParseFloat(s, 64) on a JSON number
            if (Number.isFinite(f)) store(f);
            else this.typeError('number ' + text, FLOAT64);
            return;
          }
          case 'int': {
            const n = parseGoInt(text, t.bits, t.unsigned === true);
            if (n === null) this.typeError('number ' + text, t);
            else store(n);
            return;
          }
          case 'float': {
            const f = goParseFloat(text, t.bits);
            if (f === null) this.typeError('number ' + text, t);
            else store(f);
            return;
          }
          case 'bool':
          case 'string':
          case 'struct':
          case 'slice':
          case 'array':
          case 'map':
            if (fromQuoted) this.abort('value', misuse());
            else this.typeError('number', t);
            return;
        }
      }
    }
  }
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

// ---------------------------------------------------------------------------------------------
// Engine types with their own UnmarshalJSON

const STRING_SLICE: GoType = { kind: 'slice', elem: { kind: 'string' } };
const STRING: GoType = { kind: 'string' };

/**
 * moby api/types/strslice.StrSlice: `json.Unmarshal` into []string, and when that fails, into a
 * string that becomes a one-element list. `null` → nil (null); `[]` → empty list; `"a"` → ["a"].
 * The view is string[] | null.
 */
export const StrSlice: GoType = {
  kind: 'custom',
  name: 'strslice.StrSlice',
  zero: null,
  decode(raw: JsonRaw): DecodeResult {
    const asList = decodeGoJson(raw.bytes, STRING_SLICE);
    if (asList.ok) return { ok: true, value: asList.value };
    const asString = decodeGoJson(raw.bytes, STRING);
    if (asString.ok) return { ok: true, value: [asString.value] };
    return asString;
  },
};

/** Alias of StrSlice. */
export const STR_SLICE: GoType = StrSlice;
