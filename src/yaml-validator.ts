/**
 * Checking parsed YAML against a closed schema, each problem with file:line:col and a JSON
 * pointer. Shared by policy files (policy/load.ts) and the config file (config/), which embeds
 * policies: it sits beside both so that neither has to import the other for it. Pure.
 */

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

/** Where a value came from, for error messages: file, JSON pointer, line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly pointer: string;
  readonly line: number;
  readonly col: number;
}

/** One problem found in a policy or config file. */
export interface PolicyProblem extends SourceLocation {
  readonly message: string;
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message} (at ${p.pointer || '/'})`;
}

/** Collects the problems of one file, located by the YAML nodes they are about. */
export class Validator {
  readonly problems: PolicyProblem[] = [];
  private readonly lines: LineCounter;
  private readonly file: string;

  constructor(file: string, lines: LineCounter) {
    this.file = file;
    this.lines = lines;
  }

  problem(node: Node | Pair | null | undefined, pointer: string, message: string): void {
    let offset = 0;
    const n = node && 'range' in node ? node : node && 'key' in node ? (node.key as Node | null) : null;
    if (n && n.range) offset = n.range[0];
    const { line, col } = this.lines.linePos(offset);
    this.problems.push({ file: this.file, pointer, line, col, message });
  }

  map(node: unknown, pointer: string, allowed: readonly string[]): YAMLMap<unknown, unknown> | null {
    if (!isMap(node)) {
      this.problem(node as Node, pointer, 'expected a mapping');
      return null;
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string') {
        this.problem(pair.key as Node, pointer, 'keys must be plain strings');
      } else if (!allowed.includes(key)) {
        this.problem(pair.key as Node, `${pointer}/${key}`, `unknown key "${key}"; allowed here: ${allowed.join(', ')}`);
      }
    }
    return node;
  }

  string(node: unknown, pointer: string, what = 'a string'): string | undefined {
    if (isScalar(node) && typeof node.value === 'string') return node.value;
    this.problem(node as Node, pointer, `expected ${what}`);
    return undefined;
  }

  /** A string that must be an absolute path; `mustBe` ends the message for a relative one. */
  absolutePath(node: unknown, pointer: string, what: string, mustBe = 'an absolute path'): string | undefined {
    const s = this.string(node, pointer, what);
    if (s !== undefined && !s.startsWith('/')) {
      this.problem(node as Node, pointer, `"${s}" must be ${mustBe}`);
      return undefined;
    }
    return s;
  }

  bool(node: unknown, pointer: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.problem(node as Node, pointer, 'expected true or false');
    return undefined;
  }

  /** A list of strings; a single string is accepted as a list of one. */
  strings(node: unknown, pointer: string): { value: string; node: Node; pointer: string }[] | undefined {
    if (isScalar(node) && typeof node.value === 'string') return [{ value: node.value, node, pointer }];
    if (!isSeq(node)) {
      this.problem(node as Node, pointer, 'expected a string or a list of strings');
      return undefined;
    }
    if (node.items.length === 0) {
      this.problem(node, pointer, 'list must not be empty (leave the key out instead)');
      return undefined;
    }
    const out: { value: string; node: Node; pointer: string }[] = [];
    node.items.forEach((item, i) => {
      const v = this.string(item, `${pointer}/${i}`);
      if (v !== undefined) out.push({ value: v, node: item as Node, pointer: `${pointer}/${i}` });
    });
    return out;
  }
}

/** A mapping's plain-string keys with their values, in order (other keys are reported by `Validator.map`). */
export function entries(map: YAMLMap<unknown, unknown>): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const pair of map.items) {
    if (isScalar(pair.key) && typeof pair.key.value === 'string') out.push([pair.key.value, pair.value]);
  }
  return out;
}

/** Parse YAML strictly (unique keys) with positions; syntax problems are already recorded in `v`. */
export function parseYaml(text: string, file: string): { doc: ReturnType<typeof parseDocument>; v: Validator } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const v = new Validator(file, lines);
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = lines.linePos(e.pos[0]);
    v.problems.push({ file, pointer: '', line: pos.line, col: pos.col, message: `YAML: ${e.message.split('\n')[0]}` });
  }
  return { doc, v };
}
