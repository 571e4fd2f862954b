/**
 * Struct fields as encoding/json sees them, and the zero values and names of Go types: go1.19.8
 * `src/encoding/json/encode.go` typeFields, dominantField, isValidTag and `tags.go` parseTag (the
 * field set, promotion of embedded fields, dominance, `,string`), Go's method promotion (an
 * embedded field's UnmarshalJSON), `reflect` Zero and Type.String. Computed once per struct type.
 * Pure; part of ./index.ts (docs/go-json-decoding.md, rules 2, 2c, 2d, 2e).
 */

import type { GoField, GoType } from '../go-types.js';
import { goFoldName } from './fold.js';

export type StructType = Extract<GoType, { kind: 'struct' }>;

export interface ResolvedField {
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
export interface PromotedUnmarshaler {
  readonly type: Extract<GoType, { kind: 'custom' | 'rawMessage' }>;
  /** the embedded field with the method, where it is visible in the view */
  readonly field: ResolvedField | undefined;
  /** reached through an embedded pointer (always nil here): Go calls the method on nil */
  readonly throughPtr: boolean;
}

export interface StructInfo {
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

/** The field set of a struct type for encoding/json, resolved once and cached per type. */
export function structInfo(t: StructType): StructInfo {
  const cached = structInfoCache.get(t);
  if (cached) return cached;
  const out = dominantFields(collectFields(t));

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
 * typeFields' breadth-first walk over the struct and the embedded structs reachable from it: every
 * candidate field, a field of a struct met twice at one depth listed twice (for annihilation).
 */
function collectFields(t: StructType): ResolvedField[] {
  interface Pending {
    readonly typ: StructType;
    readonly index: readonly number[];
    readonly unsettable: string | null;
  }
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
          // annihilation in dominantFields sees a duplicate.
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
  return found;
}

/** dominantField over the candidates: per name the dominant field, ambiguous names dropped, in index order. */
function dominantFields(found: ResolvedField[]): ResolvedField[] {
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
  return out;
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

/** reflect.Type.String, as Go's error messages name a type */
export function typeString(t: GoType): string {
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

/** a null-prototype object: the view of a struct, map or JSON object (a "__proto__" key stays a key) */
export function newObject(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/** The view of Go's zero value of t (reflect.Zero; fresh objects every call). */
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

/** Go's []byte, which decodes from base64 and has a Uint8Array view */
export function isByteSlice(t: GoType): boolean {
  return t.kind === 'slice' && t.elem.kind === 'int' && t.elem.bits === 8 && t.elem.unsigned === true;
}
