/**
 * Decode a request body exactly as the engine's `json.NewDecoder(body).Decode(&v)` decodes it into
 * a Go type, so that policy rules judge what the engine will act on, not what JSON.parse sees.
 * A port of Go 1.19.8's encoding/json decoding (plus fold.go of Go ≥1.21), one file per Go source:
 *
 *   stream.ts   stream.go Decoder.Decode, readValue: decodeGoJson, the entry point
 *   scanner.ts  scanner.go: pass 1, syntax errors and the end of the first value
 *   decode.ts   decode.go decodeState: pass 2, objects and arrays over an explicit stack
 *   literal.ts  decode.go literalStore, valueQuoted, skip, and UnmarshalJSON calls
 *   unquote.ts  decode.go unquoteBytes, getu4; unicode/utf8, unicode/utf16
 *   fields.ts   encode.go typeFields, dominantField; tags.go; method promotion; zero values
 *   fold.ts     fold.go: case-insensitive key → field matching (Unicode 13 and 15 tables)
 *   strconv.ts  strconv ParseInt, ParseUint, ParseFloat
 *   base64.ts   encoding/base64 StdEncoding.Decode, for []byte
 *
 * Pure: no I/O, no imports beyond the type descriptions (../go-types.ts). Linear time, no recursion
 * over the input (explicit stacks), bodies of a few MiB. Every rule, the Go source it comes from
 * and the test that covers it: docs/go-json-decoding.md.
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
 *
 * Engine types with their own UnmarshalJSON (moby's strslice.StrSlice) are described with the
 * other engine types, in ../schemas/.
 */

export type { DecodeError, DecodeErrorKind, DecodeOk, DecodeResult, GoField, GoType, JsonRaw } from '../go-types.js';
export { decodeGoJson, type GoDecodeOk, type GoDecodeOptions, type GoDecodeResult, type GoVersion } from './stream.js';
export { MAX_NESTING_DEPTH } from './scanner.js';
export { goFoldName } from './fold.js';
export { goStructFields, goZero } from './fields.js';
export { goParseFloat } from './strconv.js';
