/**
 * Pass 2 of decoding: go1.19.8 `src/encoding/json/decode.go` decodeState (value, object, array,
 * indirect, saveError) with an explicit stack of frames instead of recursion, over the value pass 1
 * found (./stream.ts); literals and UnmarshalJSON calls are ./literal.ts.
 * Keeps the first type error and goes on, as decodeState.saveError does. Pure; part of ./index.ts
 * (docs/go-json-decoding.md, "How it is built"; rules 2, 2d, 3, 3a, 4, 7, 8).
 */

import type { DecodeError, DecodeErrorKind, GoType } from '../go-types.js';
import { goFoldName } from './fold.js';
import { goZero, isByteSlice, newObject, structInfo, typeString, type ResolvedField, type StructInfo } from './fields.js';
import { literalEnd, literalStore, skipValue, stringEnd, unmarshal, valueQuoted, type DecodeState, type Store } from './literal.js';
import { COMMA, escapePointerToken, isSpace, LBRACE, LBRACKET, RBRACE, RBRACKET } from './scanner.js';
import { parseGoInt } from './strconv.js';
import { unquoteBytes, utf8String } from './unquote.js';

// ---------------------------------------------------------------------------------------------
// Pass 2: the decoder (decode.go decodeState), with an explicit stack instead of recursion.

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

const ANY: GoType = { kind: 'any' };

/** decode.go decodeState over one scanned value. */
export class Decoder implements DecodeState {
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
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
    private readonly unicode15: boolean,
  ) {
    this.pos = start;
  }

  private node(): PtrNode | null {
    return this.seg === null ? this.base : { parent: this.base, seg: this.seg };
  }

  here(): string {
    return pointerString(this.node());
  }

  /** decodeState.saveError: keep the first error, go on decoding */
  saveError(kind: DecodeErrorKind, message: string, pointer?: string): void {
    if (this.saved === null) this.saved = { ok: false, pointer: pointer ?? this.here(), message, kind };
  }

  typeError(what: string, t: GoType): void {
    this.saveError('type', `json: cannot unmarshal ${what} into Go value of type ${typeString(t)}`);
  }

  /** an error decode.go returns (not saves): decoding stops */
  abort(kind: DecodeErrorKind, message: string, pointer?: string): void {
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
      valueQuoted(this, type, cur, store);
      return;
    }
    if (c === LBRACE) this.object(type, cur, store);
    else if (c === LBRACKET) this.array(type, cur, store);
    else {
      const s = this.pos;
      const e = literalEnd(b, s, this.end);
      this.pos = e;
      literalStore(this, b, s, e, type, cur, store, false);
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
      unmarshal(this, type, this.buf, s, e, cur, store);
      return null;
    }
    return { type, cur };
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
}
