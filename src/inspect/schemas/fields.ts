/**
 * Small helpers for describing moby's request types as GoType values (see ../go-types.ts).
 *
 * Conventions used throughout schemas/:
 *  - A field's `json` is set only where the Go struct tag names the field (`json:"Dns"`); an
 *    untagged field, or a tag with only options (`json:",omitempty"`), binds its Go name, exactly
 *    as encoding/json does. (A tagged name also wins a same-depth name clash in Go; the tests check
 *    that no struct here has such a clash, so the distinction never decides anything.)
 *  - `omitempty` is recorded for fidelity; it only matters when encoding.
 *  - Embedded (anonymous) fields are untagged, so their fields are promoted.
 *  - Every Go struct type is described once and the same object reused wherever Go uses that type
 *    (type identity matters for embedded-field resolution, see ../go-types.ts).
 *  - Named string types (NetworkMode, IpcMode, mount.Type, …) are plain strings in JSON; named
 *    integer types (time.Duration = int64, os.FileMode = uint32) are their underlying integers.
 *  - Go's `int`/`uint` are 64 bits (the engine ships for 64-bit platforms).
 */

import type { GoField, GoType } from '../go-types.js';
import { goInt64, goMap, goSlice, goString, goStruct, goUint32 } from '../go-types.js';

interface Tag {
  /** the name part of the json tag, when the tag names the field */
  readonly json?: string;
  readonly omitempty?: boolean;
}

/** A named (non-embedded) field. */
export function field(name: string, type: GoType, tag: Tag = {}): GoField {
  if (tag.json !== undefined && tag.omitempty === true) return { name, json: tag.json, omitempty: true, type };
  if (tag.json !== undefined) return { name, json: tag.json, type };
  if (tag.omitempty === true) return { name, omitempty: true, type };
  return { name, type };
}

/** An untagged field: `Name T`. */
export const f = (name: string, type: GoType): GoField => field(name, type);
/** A field tagged `json:",omitempty"`. */
export const fo = (name: string, type: GoType): GoField => field(name, type, { omitempty: true });
/** A field tagged `json:"<json>"` (with `,omitempty` when asked). */
export const fj = (name: string, json: string, type: GoType, omitempty = false): GoField =>
  field(name, type, omitempty ? { json, omitempty: true } : { json });

/** An embedded (anonymous, untagged) field: `T` or `*T`; `name` is the Go type's name. */
export function embedded(name: string, type: GoType): GoField {
  return { name, embedded: true, type };
}

/** time.Duration: an int64 count of nanoseconds in JSON. */
export const DURATION: GoType = goInt64;
/** os.FileMode: a uint32 in JSON. */
export const FILE_MODE: GoType = goUint32;
/** []string */
export const STRING_LIST: GoType = goSlice(goString);
/** map[string]string */
export const STRING_MAP: GoType = goMap(goString);
/** struct{}: the element of Go "sets" such as map[string]struct{} (Config.Volumes, nat.PortSet). */
export const EMPTY_STRUCT: GoType = goStruct([], 'struct{}');

export { goStruct };
