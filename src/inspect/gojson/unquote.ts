/**
 * JSON string contents → bytes, as Go 1.19.8 decodes them: `src/encoding/json/decode.go`
 * unquoteBytes and getu4, with `unicode/utf8` DecodeRune and `unicode/utf16` DecodeRune (surrogate
 * pairs), so that invalid UTF-8 and unpaired surrogates become U+FFFD exactly where Go puts them.
 *
 * Also the byte → string conversions the decoder shares. Pure; part of ./index.ts.
 */

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const RUNE_ERROR = 0xfffd;

const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** bytes known to be valid UTF-8 → JS string (exact) */
export function utf8String(b: Uint8Array): string {
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

export function asciiString(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
  return out;
}

/** a Go-ish %q of bytes, for messages only */
export function goQuote(b: Uint8Array, s: number, e: number): string {
  return JSON.stringify(utf8Decoder.decode(b.subarray(s, e)));
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
export function unquoteBytes(b: Uint8Array, s: number, e: number): Uint8Array | null {
  if (e - s < 2 || b[s] !== QUOTE || b[e - 1] !== QUOTE) return null;
  const start = s + 1;
  const end = e - 1;
  let r = plainPrefixEnd(b, start, end);
  if (r === end) return b.subarray(start, end);

  const out = new ByteBuf(end - start + 8);
  for (let k = start; k < r; k++) out.push(b[k]!);
  while (r < end) {
    const c = b[r]!;
    if (c === BACKSLASH) {
      r = unquoteEscape(b, r + 1, end, out);
      if (r < 0) return null;
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

/** unquoteBytes' fast path: where the first byte to unescape or coerce is (`end` when none is). */
function plainPrefixEnd(b: Uint8Array, start: number, end: number): number {
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
  return r;
}

/**
 * One escape of unquoteBytes, `r` at the byte after the backslash: its bytes go to `out`.
 * Returns the index after the escape, or -1 where Go's unquoteBytes reports !ok.
 */
function unquoteEscape(b: Uint8Array, r: number, end: number, out: ByteBuf): number {
  if (r >= end) return -1;
  const c = b[r]!;
  switch (c) {
    case QUOTE:
    case BACKSLASH:
    case 0x2f: // '/'
    case 0x27: // '\''
      out.push(c);
      return r + 1;
    case 0x62: // b
      out.push(0x08);
      return r + 1;
    case 0x66: // f
      out.push(0x0c);
      return r + 1;
    case 0x6e: // n
      out.push(0x0a);
      return r + 1;
    case 0x72: // r
      out.push(0x0d);
      return r + 1;
    case 0x74: // t
      out.push(0x09);
      return r + 1;
    case 0x75: // u
      return unquoteU(b, r - 1, end, out);
    default:
      return -1;
  }
}

/**
 * The `\uXXXX` escape at r (at its backslash), paired with a following `\uXXXX` when it is a high
 * surrogate (utf16.DecodeRune). Returns the index after what was consumed, or -1 (Go's !ok).
 */
function unquoteU(b: Uint8Array, r: number, end: number, out: ByteBuf): number {
  let rr = getu4(b, r, end);
  if (rr < 0) return -1;
  r += 6;
  if (rr >= 0xd800 && rr < 0xe000) {
    // utf16.IsSurrogate: try to pair with a following \uXXXX (utf16.DecodeRune)
    const rr1 = getu4(b, r, end);
    if (rr < 0xdc00 && rr1 >= 0xdc00 && rr1 < 0xe000) {
      out.pushRune((((rr - 0xd800) << 10) | (rr1 - 0xdc00)) + 0x10000);
      return r + 6;
    }
    // Invalid surrogate: the replacement rune; the next escape is not consumed.
    rr = RUNE_ERROR;
  }
  out.pushRune(rr);
  return r;
}
