/**
 * The shape a reviewer can walk (issue #16): no file in src/ over 500 lines, no function over 80
 * (counted from its first line to its closing brace, doc comment excluded), read with the
 * TypeScript compiler's own parser.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');
const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every function (declarations, methods, arrows, expressions) with a body, and its length in lines. */
function functionLengths(file: string): { where: string; lines: number }[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: { where: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.end).line;
      out.push({ where: `${relative(SRC, file)}:${first + 1}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const files = sourceFiles(SRC);

describe('the shape of src/', () => {
  it('has the files it should have (the walk finds them)', () => {
    expect(files.map((f) => relative(SRC, f))).toContain('server.ts');
    expect(files.length).toBeGreaterThan(50);
  });

  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = files.map((f) => ({ file: relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length })).filter((f) => f.lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = files.flatMap(functionLengths).filter((f) => f.lines > MAX_FUNCTION_LINES);
    expect(long).toEqual([]);
  });

  it('counts a long function as long (the check can fail)', () => {
    const file = join(SRC, 'server.ts');
    const lengths = functionLengths(file);
    expect(lengths.length).toBeGreaterThan(3);
    expect(Math.max(...lengths.map((f) => f.lines))).toBeGreaterThan(20);
  });
});
