/**
 * Proof that a body means one thing: before sockgate forwards the exact bytes it checked, every
 * object key that the engine would bind to a struct field must be spelled exactly as that field's
 * JSON name, and no key may repeat. Go's decoder binds keys case-insensitively (with Unicode
 * folding) and lets a repeated key overwrite or merge into the earlier one; the decoded view that
 * rules read follows those rules, but a body that relies on them is refused, so no reader of the
 * bytes (an older or newer engine, a plugin, a log) can see anything but what was checked.
 *
 * Unknown keys (no field of that name in any spelling): the schemas are the union of every engine
 * version up to NEWEST_API_VERSION, so an engine sockgate knows ignores them (`unknownKeys:
 * 'ignore'`; dockerode puts its query options, `name` among them, in create bodies too). An engine
 * newer than that, or one whose version is not known, may have such a field and apply it whatever
 * version the request names (moby decodes its current struct and gates only some fields by
 * version): then they are refused (`'refuse'`).
 * Trailing data after the first JSON value is refused: Go's Decoder stops after the first value.
 */

import { NEWEST_API_VERSION } from '../request/api-version.js';
import type { GoField, GoType } from './go-types.js';

type Tree =
  | { readonly t: 'obj'; readonly entries: readonly (readonly [string, Tree])[] }
  | { readonly t: 'arr'; readonly items: readonly Tree[] }
  | { readonly t: 'scalar' };

/** ok: the body's keys are exact; `unknown` lists the pointers of keys no engine version has (when ignored). */
export type ExactKeysResult = { readonly ok: true; readonly unknown: readonly string[] } | { readonly ok: false; readonly pointer: string; readonly message: string };
type CheckResult = { readonly ok: true } | { readonly ok: false; readonly pointer: string; readonly message: string };

class Syntax extends Error {}

/** The one-character escapes JSON allows in a string, and what each stands for. */
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * A small JSON parser that keeps every key, repeated ones included. Throws Syntax on bad input.
 * Objects and arrays are read inside value() itself, so that each level of nesting costs one stack
 * frame: a body nested deeper than the stack allows fails to parse (checkExactKeys reports it), and
 * moving those loops into methods of their own would lower the depth at which that happens.
 */
class TreeParser {
  /** the offset of the next character to read */
  i = 0;

  constructor(private readonly text: string) {}

  /** Skip JSON whitespace. */
  ws(): void {
    const text = this.text;
    while (this.i < text.length && (text[this.i] === ' ' || text[this.i] === '\t' || text[this.i] === '\n' || text[this.i] === '\r')) this.i++;
  }

  /** Read a string at the offset (which must be its opening quote) and return its decoded text. */
  str(): string {
    const text = this.text;
    if (text[this.i] !== '"') throw new Syntax('expected a string');
    this.i++;
    let out = '';
    for (;;) {
      if (this.i >= text.length) throw new Syntax('unterminated string');
      const ch = text[this.i]!;
      if (ch === '"') {
        this.i++;
        return out;
      }
      if (ch === '\\') {
        const e = text[this.i + 1];
        if (e !== undefined && SIMPLE_ESCAPES[e] !== undefined) {
          out += SIMPLE_ESCAPES[e];
          this.i += 2;
        } else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(this.i + 2, this.i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else throw new Syntax('bad escape');
      } else {
        if (ch < ' ') throw new Syntax('control character in string');
        out += ch;
        this.i++;
      }
    }
  }

  /** Read a literal or a number at the offset. */
  literal(): Tree {
    const m = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(this.text.slice(this.i, this.i + 400));
    if (!m) throw new Syntax('invalid value');
    this.i += m[0].length;
    return { t: 'scalar' };
  }

  /** Read one value (after whitespace) `depth` levels deep. */
  value(depth: number): Tree {
    if (depth > 10_000) throw new Syntax('nesting too deep');
    this.ws();
    const ch = this.text[this.i];
    if (ch === '{') {
      this.i++;
      const entries: [string, Tree][] = [];
      this.ws();
      if (this.text[this.i] === '}') {
        this.i++;
        return { t: 'obj', entries };
      }
      for (;;) {
        this.ws();
        const k = this.str();
        this.ws();
        if (this.text[this.i] !== ':') throw new Syntax('expected ":"');
        this.i++;
        entries.push([k, this.value(depth + 1)]);
        this.ws();
        if (this.text[this.i] === ',') {
          this.i++;
          continue;
        }
        if (this.text[this.i] === '}') {
          this.i++;
          return { t: 'obj', entries };
        }
        throw new Syntax('expected "," or "}"');
      }
    }
    if (ch === '[') {
      this.i++;
      const items: Tree[] = [];
      this.ws();
      if (this.text[this.i] === ']') {
        this.i++;
        return { t: 'arr', items };
      }
      for (;;) {
        items.push(this.value(depth + 1));
        this.ws();
        if (this.text[this.i] === ',') {
          this.i++;
          continue;
        }
        if (this.text[this.i] === ']') {
          this.i++;
          return { t: 'arr', items };
        }
        throw new Syntax('expected "," or "]"');
      }
    }
    if (ch === '"') {
      this.str();
      return { t: 'scalar' };
    }
    return this.literal();
  }
}

/** Parse the first JSON value of `text`, keeping every key; `end` is the offset just after it. Throws Syntax on bad input. */
function parseTree(text: string): { tree: Tree; end: number } {
  const parser = new TreeParser(text);
  const tree = parser.value(0);
  return { tree, end: parser.i };
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The JSON names a struct binds, with promoted fields of embedded structs, shallower first, the
 * way encoding/json's typeFields resolves them (a name at a shallower depth hides deeper ones).
 */
function structNames(type: GoType & { kind: 'struct' }): Map<string, GoType> {
  const names = new Map<string, GoType>();
  const depthOf = new Map<string, number>();
  const visit = (fields: readonly GoField[], depth: number): void => {
    for (const f of fields) {
      if (f.json === '-') continue;
      let t = f.type;
      if (f.embedded && !f.json) {
        while (t.kind === 'ptr') t = t.elem;
        if (t.kind === 'struct') {
          visit(t.fields, depth + 1);
          continue;
        }
      }
      // Unexported fields are invisible to encoding/json.
      if (!f.json && !/^[A-Z]/.test(f.name)) continue;
      const name = f.json || f.name;
      const seen = depthOf.get(name);
      if (seen === undefined || depth < seen) {
        names.set(name, f.type);
        depthOf.set(name, depth);
      }
    }
  };
  visit(type.fields, 0);
  return names;
}

/**
 * Go's case-insensitive key match reduced to a comparison key: lower-case, with the two non-ASCII
 * letters that fold onto ASCII ones (U+212A KELVIN SIGN → k, U+017F LONG S → s) mapped first.
 * Used only to find keys that Go would bind to a field although they are not spelled like it.
 */
function foldKey(s: string): string {
  return s.replace(/\u212a/g, 'k').replace(/\u017f/g, 's').toLowerCase();
}

/** What to do with a key that is no field of its struct in any engine version sockgate knows. */
export type UnknownKeys = 'ignore' | 'refuse';

function check(tree: Tree, type: GoType, pointer: string, unknown: UnknownKeys, found: string[]): CheckResult {
  let t = type;
  while (t.kind === 'ptr') t = t.elem;
  switch (t.kind) {
    case 'struct': {
      if (tree.t !== 'obj') return { ok: true }; // a type mismatch: the decoder reports it
      const names = structNames(t);
      const folded = new Map<string, string>();
      for (const n of names.keys()) folded.set(foldKey(n), n);
      const seen = new Set<string>();
      for (const [key, child] of tree.entries) {
        const p = `${pointer}/${escapePointer(key)}`;
        const field = names.get(key);
        if (field === undefined) {
          const canonical = folded.get(foldKey(key));
          if (canonical !== undefined) {
            return { ok: false, pointer: p, message: `key "${key}" is not spelled like the engine's field "${canonical}" (the engine would still bind it)` };
          }
          if (unknown === 'ignore') {
            found.push(p);
            continue;
          }
          return {
            ok: false,
            pointer: p,
            message: `"${key}" is not a field of ${t.name ?? 'this object'} in any engine version sockgate knows (API ≤ ${NEWEST_API_VERSION}); the engine, newer than sockgate knows or of unknown version, may apply it`,
          };
        }
        if (seen.has(key)) return { ok: false, pointer: p, message: `key "${key}" appears more than once` };
        seen.add(key);
        const r = check(child, field, p, unknown, found);
        if (!r.ok) return r;
      }
      return { ok: true };
    }
    case 'map': {
      if (tree.t !== 'obj') return { ok: true };
      const seen = new Set<string>();
      for (const [key, child] of tree.entries) {
        const p = `${pointer}/${escapePointer(key)}`;
        if (seen.has(key)) return { ok: false, pointer: p, message: `key "${key}" appears more than once` };
        seen.add(key);
        const r = check(child, t.elem, p, unknown, found);
        if (!r.ok) return r;
      }
      return { ok: true };
    }
    case 'slice':
    case 'array': {
      if (tree.t !== 'arr') return { ok: true };
      for (let i = 0; i < tree.items.length; i++) {
        const r = check(tree.items[i]!, t.elem, `${pointer}/${i}`, unknown, found);
        if (!r.ok) return r;
      }
      return { ok: true };
    }
    // Scalars carry no keys; free-form values (any, RawMessage) and types with their own
    // UnmarshalJSON bind keys by exact text, so there is no spelling to check.
    case 'any':
    case 'bool':
    case 'custom':
    case 'float':
    case 'int':
    case 'rawMessage':
    case 'string':
      return { ok: true };
  }
}

export function checkExactKeys(text: string, type: GoType, unknown: UnknownKeys): ExactKeysResult {
  let parsed: { tree: Tree; end: number };
  try {
    parsed = parseTree(text);
  } catch (err) {
    return { ok: false, pointer: '', message: `body is not valid JSON: ${(err as Error).message}` };
  }
  if (text.slice(parsed.end).trim() !== '') {
    return { ok: false, pointer: '', message: 'body has data after its JSON value, which the engine would ignore' };
  }
  const found: string[] = [];
  const r = check(parsed.tree, type, '', unknown, found);
  return r.ok ? { ok: true, unknown: found } : r;
}
