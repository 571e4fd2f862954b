/**
 * Pass 1 of decoding: a transliteration of Go 1.19.8 `src/encoding/json/scanner.go` (the state
 * functions, quoteChar, maxNestingDepth), plus the bookkeeping for the RFC 6901 pointer of a
 * syntax error. ./stream.ts drives it as `stream.go` Decoder.readValue does. Pure; part of
 * ./index.ts (docs/go-json-decoding.md, rules 1, 4a, 8, 9).
 */

import { QUOTE, BACKSLASH, unquoteBytes, utf8String } from './unquote.js';

export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const COMMA = 0x2c;
export const MINUS = 0x2d;
export const N_LOWER = 0x6e;
export const T_LOWER = 0x74;
export const F_LOWER = 0x66;

/** Go's scanner limit (scanner.go maxNestingDepth). */
export const MAX_NESTING_DEPTH = 10000;

/** scanner.go isSpace */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** RFC 6901 reference token */
export function escapePointerToken(t: string): string {
  return t.replace(/~/g, '~0').replace(/\//g, '~1');
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

const SC_CONTINUE = 0;
const SC_BEGIN_LITERAL = 1;
const SC_BEGIN_OBJECT = 2;
const SC_OBJECT_KEY = 3;
const SC_OBJECT_VALUE = 4;
export const SC_END_OBJECT = 5;
const SC_BEGIN_ARRAY = 6;
const SC_ARRAY_VALUE = 7;
export const SC_END_ARRAY = 8;
export const SC_SKIP_SPACE = 9;
export const SC_END = 10;
export const SC_ERROR = 11;

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
export class Scanner {
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
      case ST_IN_STRING_ESC:
      case ST_U:
      case ST_U1:
      case ST_U12:
      case ST_U123:
        return this.stepString(c);
      case ST_NEG:
      case ST_1:
      case ST_0:
      case ST_DOT:
      case ST_DOT0:
      case ST_E:
      case ST_ESIGN:
      case ST_E0:
        return this.stepNumber(c);
      case ST_T:
      case ST_TR:
      case ST_TRU:
      case ST_F:
      case ST_FA:
      case ST_FAL:
      case ST_FALS:
      case ST_N:
      case ST_NU:
      case ST_NUL:
        return this.stepLiteral(c);
      default:
        return SC_ERROR;
    }
  }

  /** stateInString, stateInStringEsc, stateInStringEscU… (step calls it in those states only) */
  private stepString(c: number): number {
    switch (this.state) {
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
      default:
        return SC_ERROR;
    }
  }

  /** stateNeg, state1, state0, stateDot, stateDot0, stateE, stateESign, stateE0 (number states only) */
  private stepNumber(c: number): number {
    switch (this.state) {
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
      default:
        return SC_ERROR;
    }
  }

  /** stateT, stateTr, …, stateNul: the letters of true, false and null (literal states only) */
  private stepLiteral(c: number): number {
    switch (this.state) {
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
