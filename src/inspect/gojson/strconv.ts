/**
 * Numbers as decode.go literalStore parses them, ported from go1.19.8 `src/strconv`: `atoi.go`
 * ParseInt/ParseUint (base 10, then reflect's OverflowInt/OverflowUint for the field's size) and
 * underscoreOK; `atof.go` ParseFloat (special, readFloat, correctly rounded to float32 or float64,
 * hexadecimal mantissas). Pure; part of ./index.ts (docs/go-json-decoding.md, rules 6, 6a, 7).
 */

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
export function parseGoInt(s: string, bits: number, unsigned: boolean): bigint | null {
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

/** atof.go special: [+-]inf, [+-]infinity, nan (case-insensitive), the whole string; undefined when s is none of them. */
function special(s: string): number | null | undefined {
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
  return undefined;
}

/** What atof.go readFloat reads: sign, mantissa digits (hexadecimal when `hex`) and exponent. */
interface FloatText {
  readonly neg: boolean;
  readonly hex: boolean;
  readonly intDigits: string;
  readonly fracDigits: string;
  readonly exp: number;
}

/** atof.go readFloat, with the checks ParseFloat makes of its result: null for a syntax error. */
function readFloat(s: string): FloatText | null {
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
    const x = readExponent(s, i + 1);
    if (x === null) return null;
    if (x.underscores) underscores = true;
    exp = x.exp;
    i = x.end;
  } else if (hex) {
    return null; // a hex float must have a 'p' exponent
  }
  if (underscores && !underscoreOK(s.slice(0, i))) return null;
  if (i !== s.length) return null;
  return { neg, hex, intDigits, fracDigits, exp };
}

/** readFloat's exponent, from i (just after the 'e' or 'p'): its value and end, or null for a syntax error. */
function readExponent(s: string, i: number): { readonly exp: number; readonly end: number; readonly underscores: boolean } | null {
  if (i >= s.length) return null;
  let esign = 1;
  if (s[i] === '+') i++;
  else if (s[i] === '-') {
    i++;
    esign = -1;
  }
  if (i >= s.length || s.charCodeAt(i) < 0x30 || s.charCodeAt(i) > 0x39) return null;
  let underscores = false;
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
  return { exp: e * esign, end: i, underscores };
}

/** strconv.ParseFloat(s, bits): the value, or null for a syntax or range error (±Inf from "inf" is fine). */
export function goParseFloat(s: string, bits: 32 | 64): number | null {
  const sp = special(s);
  if (sp !== undefined) return sp;
  const f = readFloat(s);
  if (f === null) return null;
  const { intDigits, fracDigits, exp } = f;
  let v: number;
  if (f.hex) {
    const m = BigInt('0x' + (intDigits + fracDigits || '0'));
    v = roundBinary(m, exp - 4 * fracDigits.length, false, bits);
  } else if (bits === 64) {
    v = Number((intDigits || '0') + '.' + (fracDigits || '0') + 'e' + String(exp));
  } else {
    v = decimalToBinary(intDigits + fracDigits, exp - fracDigits.length, false, 32);
  }
  if (!Number.isFinite(v)) return null; // ErrRange
  return f.neg ? -v : v;
}
