/**
 * moby api/types/strslice.StrSlice (v20.10; `Cmd`, `Entrypoint`, `Shell`, and `CapAdd`/`CapDrop`
 * then): a type with its own UnmarshalJSON, which decodes a JSON string or a list of strings.
 *
 * Source (moby/moby v20.10): api/types/strslice/strslice.go `func (e *StrSlice) UnmarshalJSON`.
 */

import type { DecodeResult, GoType, JsonRaw } from '../go-types.js';
import { decodeGoJson } from '../gojson/index.js';

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
