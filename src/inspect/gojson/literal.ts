/**
 * Values that are not objects or arrays, as go1.19.8 `src/encoding/json/decode.go` stores them:
 * literalStore (null, true/false, strings, []byte from base64, numbers; with `fromQuoted`, the
 * content of a `,string` field), valueQuoted (the value of a `,string` field), and the call of an
 * UnmarshalJSON method (json.RawMessage, a custom type, or one promoted from an embedded field)
 * with the exact bytes of the value; plus decode.go skip and rescanLiteral, which find the end of
 * an already-scanned value. Pure; part of ./index.ts (docs/go-json-decoding.md, rules 2e, 3b, 4,
 * 5, 6, 6a).
 */

import type { DecodeErrorKind, DecodeResult, GoType, JsonRaw } from '../go-types.js';
import { base64StdDecode } from './base64.js';
import { goZero, isByteSlice, structInfo, typeString } from './fields.js';
import { F_LOWER, isDigit, LBRACE, LBRACKET, MINUS, N_LOWER, RBRACE, RBRACKET, T_LOWER } from './scanner.js';
import { goParseFloat, parseGoInt } from './strconv.js';
import { asciiString, BACKSLASH, goQuote, QUOTE, unquoteBytes, utf8String } from './unquote.js';

/** Where a decoded value goes: sets the field, element, entry or variable being decoded. */
export type Store = (v: unknown) => void;

/** What the functions here need of decode.go's decodeState (the Decoder of ./decode.ts). */
export interface DecodeState {
  /** the whole body */
  readonly buf: Uint8Array;
  /** where in buf decoding is */
  pos: number;
  /** the end of the first JSON value in buf (what the scanner found) */
  readonly end: number;
  /** the RFC 6901 pointer of the value being decoded */
  here(): string;
  /** decodeState.saveError: keep the first error, go on decoding */
  saveError(kind: DecodeErrorKind, message: string, pointer?: string): void;
  /** a saved *json.UnmarshalTypeError: `what` (e.g. "number 1e2") into a value of type t */
  typeError(what: string, t: GoType): void;
  /** an error decode.go returns (not saves): decoding stops */
  abort(kind: DecodeErrorKind, message: string, pointer?: string): void;
}

const FLOAT64: GoType = { kind: 'float', bits: 64 };
const NULL_LITERAL = new Uint8Array([0x6e, 0x75, 0x6c, 0x6c]);

/** The kinds literalStore stores into once pointers are followed and Unmarshalers have had their turn. */
type PlainType = Exclude<GoType, { readonly kind: 'ptr' | 'custom' | 'rawMessage' }>;

function isLiteral(b: Uint8Array, s: number, e: number, lit: string): boolean {
  if (e - s !== lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (b[s + i] !== lit.charCodeAt(i)) return false;
  return true;
}

// Skipping over already-scanned JSON (decode.go skip, rescanLiteral). All bounded by `limit`, the end of the value.

/** the end of the (already scanned) string whose opening quote is at s */
export function stringEnd(b: Uint8Array, s: number): number {
  let i = s + 1;
  for (;;) {
    const c = b[i]!;
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i++;
  }
}

/** decode.go rescanLiteral: the end of the literal starting at s */
export function literalEnd(b: Uint8Array, s: number, limit: number): number {
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
export function skipValue(b: Uint8Array, s: number, limit: number): number {
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

/** decode.go valueQuoted, then literalStore(…, fromQuoted=true): a ,string field */
export function valueQuoted(d: DecodeState, type: GoType, cur: unknown, store: Store): void {
  const b = d.buf;
  const c = b[d.pos]!;
  if (c === LBRACE || c === LBRACKET) {
    d.pos = skipValue(b, d.pos, d.end);
    d.saveError('value', `json: invalid use of ,string struct tag, trying to unmarshal unquoted value into ${typeString(type)}`);
    return;
  }
  const s = d.pos;
  const e = literalEnd(b, s, d.end);
  d.pos = e;
  if (c === N_LOWER) {
    literalStore(d, NULL_LITERAL, 0, 4, type, cur, store, false);
    return;
  }
  if (c === QUOTE) {
    const inner = unquoteBytes(b, s, e)!;
    literalStore(d, inner, 0, inner.length, type, cur, store, true);
    return;
  }
  if (c !== T_LOWER && c !== F_LOWER) {
    // literalInterface converts the number to float64 first (convertNumber)
    const text = asciiString(b, s, e);
    if (!Number.isFinite(Number(text))) d.typeError('number ' + text, FLOAT64);
  }
  d.saveError('value', `json: invalid use of ,string struct tag, trying to unmarshal unquoted value into ${typeString(type)}`);
}

/** decode.go literalStore: the literal src[s:e] into the destination */
export function literalStore(
  d: DecodeState,
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
    d.saveError('value', misuse());
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
    unmarshal(d, t, src, s, e, cur, store);
    return;
  }

  switch (c) {
    case N_LOWER: // null
      if (fromQuoted && !isLiteral(src, s, e, 'null')) {
        d.saveError('value', misuse());
        return;
      }
      // null empties interface, map, pointer and slice; it is a no-op for anything else
      if (t.kind === 'any' || t.kind === 'slice' || t.kind === 'map') store(null);
      return;
    case T_LOWER:
    case F_LOWER: {
      if (fromQuoted && !isLiteral(src, s, e, 'true') && !isLiteral(src, s, e, 'false')) {
        d.saveError('value', misuse());
        return;
      }
      const value = c === T_LOWER;
      if (t.kind === 'bool' || t.kind === 'any') store(value);
      else if (fromQuoted) d.saveError('value', misuse());
      else d.typeError('bool', t);
      return;
    }
    case QUOTE:
      storeString(d, src, s, e, t, store, fromQuoted, misuse);
      return;
    default:
      storeNumber(d, src, s, e, t, store, fromQuoted, misuse);
  }
}

/** literalStore's string case (src[s] is a quote); `misuse` words the ,string error. */
function storeString(
  d: DecodeState,
  src: Uint8Array,
  s: number,
  e: number,
  t: PlainType,
  store: Store,
  fromQuoted: boolean,
  misuse: () => string,
): void {
  const bytes = unquoteBytes(src, s, e);
  if (bytes === null) {
    if (fromQuoted) d.abort('value', misuse());
    return;
  }
  switch (t.kind) {
    case 'slice': {
      if (!isByteSlice(t)) {
        d.typeError('string', t);
        return;
      }
      const r = base64StdDecode(bytes);
      if ('error' in r) d.saveError('value', r.error);
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
      d.typeError('string', t);
      return;
  }
}

/** literalStore's number case (src[s] is neither n, t, f nor a quote); `misuse` words the ,string error. */
function storeNumber(
  d: DecodeState,
  src: Uint8Array,
  s: number,
  e: number,
  t: PlainType,
  store: Store,
  fromQuoted: boolean,
  misuse: () => string,
): void {
  const c = src[s]!;
  if (c !== MINUS && !isDigit(c)) {
    if (fromQuoted) d.abort('value', misuse());
    return;
  }
  const text = asciiString(src, s, e);
  switch (t.kind) {
    case 'any': {
      const f = Number(text); // convertNumber: strconv.ParseFloat(s, 64) on a JSON number
      if (Number.isFinite(f)) store(f);
      else d.typeError('number ' + text, FLOAT64);
      return;
    }
    case 'int': {
      const n = parseGoInt(text, t.bits, t.unsigned === true);
      if (n === null) d.typeError('number ' + text, t);
      else store(n);
      return;
    }
    case 'float': {
      const f = goParseFloat(text, t.bits);
      if (f === null) d.typeError('number ' + text, t);
      else store(f);
      return;
    }
    case 'bool':
    case 'string':
    case 'struct':
    case 'slice':
    case 'array':
    case 'map':
      if (fromQuoted) d.abort('value', misuse());
      else d.typeError('number', t);
      return;
  }
}

/** an Unmarshaler (json.RawMessage, or a custom type) gets the exact bytes of the value */
export function unmarshal(d: DecodeState, type: GoType, src: Uint8Array, s: number, e: number, cur: unknown, store: Store): void {
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
        d.abort('value', 'json.RawMessage: UnmarshalJSON on nil pointer');
        return;
      }
      unmarshal(d, p.type, src, s, e, undefined, () => {
        d.abort('value', `runtime error: ${typeString(type)}'s UnmarshalJSON is promoted through a nil embedded pointer`);
      });
      return;
    }
    const target = obj;
    const name = p.field?.name;
    unmarshal(d, p.type, src, s, e, name === undefined ? undefined : target[name], (v) => {
      if (name !== undefined) target[name] = v;
    });
    return;
  }
  if (type.kind !== 'custom') return;
  const raw: JsonRaw = { bytes: src.subarray(s, e), offset: src === d.buf ? s : -1 };
  let res: DecodeResult;
  try {
    res = type.decode(raw, cur === undefined ? (type.zero ?? null) : cur);
  } catch (err) {
    res = { ok: false, pointer: '', message: err instanceof Error ? err.message : String(err) };
  }
  if (res.ok) store(res.value);
  else d.abort(res.kind ?? 'value', res.message, d.here() + res.pointer);
}
