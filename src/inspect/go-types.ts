/**
 * Descriptions of Go types, for decoding a request body the way the engine's
 * `json.NewDecoder(body).Decode(&v)` decodes it (see ./gojson/ and docs/go-json-decoding.md).
 *
 * Pure: types and small constructors only.
 *
 * Type identity: Go resolves embedded ("promoted") fields per *type*. Here a struct type is
 * identified by its JS object: describe each Go struct type once and reuse the same object
 * wherever Go uses the same type (two structurally equal objects are two distinct Go types).
 */

export type GoIntBits = 8 | 16 | 32 | 64;

export type GoType =
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  /** int8…int64 (`int` is 64 bits), uint8…uint64 with `unsigned` (`uint`, `uintptr`: 64) */
  | { readonly kind: 'int'; readonly bits: GoIntBits; readonly unsigned?: boolean }
  | { readonly kind: 'float'; readonly bits: 32 | 64 }
  /** `name` is only used in error messages */
  | { readonly kind: 'struct'; readonly fields: readonly GoField[]; readonly name?: string }
  | { readonly kind: 'ptr'; readonly elem: GoType }
  /** a slice of `{ kind: 'int', bits: 8, unsigned: true }` is Go's []byte (base64 strings, Uint8Array view) */
  | { readonly kind: 'slice'; readonly elem: GoType }
  | { readonly kind: 'array'; readonly elem: GoType; readonly length: number }
  /** `int` keys are Go's `int` (64-bit signed) keys, parsed with strconv.ParseInt(key, 10, 64) */
  | { readonly kind: 'map'; readonly key: 'string' | 'int'; readonly elem: GoType }
  /** interface{}: keeps the raw JSON structure (objects with original keys, numbers as float64) */
  | { readonly kind: 'any' }
  /** json.RawMessage: keeps the exact bytes (Uint8Array view; JSON null → the bytes `null`) */
  | { readonly kind: 'rawMessage' }
  /**
   * A type with an UnmarshalJSON method (pointer receiver, like strslice.StrSlice). `decode` gets
   * the exact bytes of the value, including the literal `null`, and the current value of the
   * destination (`zero`, default null, when nothing was decoded into it yet); what it returns
   * becomes the value. An error aborts decoding, as a returned UnmarshalJSON error does in Go.
   */
  | {
      readonly kind: 'custom';
      readonly name: string;
      readonly decode: (raw: JsonRaw, previous: unknown) => DecodeResult;
      readonly zero?: unknown;
    };

export interface GoField {
  /** the Go field name (for an embedded field: the type's name); decides exported-ness */
  readonly name: string;
  /**
   * the `json:"…"` tag: its name ('-' = ignored; '' or absent = untagged). A full tag with options
   * is also accepted and split as Go does ("name,omitempty,string"; "-," names the field "-").
   */
  readonly json?: string;
  readonly omitempty?: boolean;
  /** an anonymous (embedded) field; an untagged embedded struct or *struct has its fields promoted */
  readonly embedded?: boolean;
  readonly type: GoType;
  /** the `,string` tag option (only effective on bool, integer, float and string fields, or pointers to them) */
  readonly string?: boolean;
}

/** The exact bytes of one JSON value, as handed to an UnmarshalJSON method. */
export interface JsonRaw {
  /** exactly the bytes of the value (no surrounding whitespace) */
  readonly bytes: Uint8Array;
  /** where `bytes` starts in the whole body */
  readonly offset: number;
}

export type DecodeErrorKind =
  /** empty or all-whitespace body: Decode returns io.EOF */
  | 'eof'
  /** the body ends inside the first value: Decode returns io.ErrUnexpectedEOF */
  | 'unexpected-eof'
  /** a *json.SyntaxError (including "exceeded max depth") */
  | 'syntax'
  /** a *json.UnmarshalTypeError (value of the wrong kind, number out of range…) */
  | 'type'
  /** any other decode error: ,string misuse, bad base64, an UnmarshalJSON error… */
  | 'value';

export interface DecodeOk {
  readonly ok: true;
  readonly value: unknown;
  /** set by decodeGoJson: whether non-whitespace follows the first JSON value */
  readonly trailing?: boolean;
}

export interface DecodeError {
  readonly ok: false;
  /** RFC 6901 pointer into the body (keys as spelled in the body) of where the error happened */
  readonly pointer: string;
  readonly message: string;
  readonly kind?: DecodeErrorKind;
  /** Go's error Offset where it has one (bytes read when the error was found) */
  readonly offset?: number;
}

export type DecodeResult = DecodeOk | DecodeError;

// ---- small constructors, for describing engine types tersely ----

export const goBool: GoType = { kind: 'bool' };
export const goString: GoType = { kind: 'string' };
export const goInt: GoType = { kind: 'int', bits: 64 };
export const goInt64: GoType = goInt;
export const goInt32: GoType = { kind: 'int', bits: 32 };
export const goInt16: GoType = { kind: 'int', bits: 16 };
export const goInt8: GoType = { kind: 'int', bits: 8 };
export const goUint: GoType = { kind: 'int', bits: 64, unsigned: true };
export const goUint64: GoType = goUint;
export const goUint32: GoType = { kind: 'int', bits: 32, unsigned: true };
export const goUint16: GoType = { kind: 'int', bits: 16, unsigned: true };
export const goUint8: GoType = { kind: 'int', bits: 8, unsigned: true };
export const goFloat64: GoType = { kind: 'float', bits: 64 };
export const goFloat32: GoType = { kind: 'float', bits: 32 };
export const goAny: GoType = { kind: 'any' };
export const goRawMessage: GoType = { kind: 'rawMessage' };
export const goBytes: GoType = { kind: 'slice', elem: goUint8 };

export function goPtr(elem: GoType): GoType {
  return { kind: 'ptr', elem };
}
export function goSlice(elem: GoType): GoType {
  return { kind: 'slice', elem };
}
export function goArray(elem: GoType, length: number): GoType {
  return { kind: 'array', elem, length };
}
export function goMap(elem: GoType, key: 'string' | 'int' = 'string'): GoType {
  return { kind: 'map', key, elem };
}
export function goStruct(fields: readonly GoField[], name?: string): GoType {
  return name === undefined ? { kind: 'struct', fields } : { kind: 'struct', fields, name };
}
