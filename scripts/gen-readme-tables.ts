/** Rewrites the generated tables in README.md (flags, errors) from the code; a test keeps them in sync. */
import { readFileSync, writeFileSync } from 'node:fs';
import { FLAGS } from '../src/config/options.js';
import { ERRORS } from '../src/errors.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function flagsTable(): string {
  const rows = FLAGS.map((f) => `| \`--${f.flag} ${cell(f.value)}\` | \`${f.env}\` | ${cell(f.def)} | ${cell(f.help)} |`);
  return ['| flag | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

export function errorsTable(): string {
  const rows = Object.entries(ERRORS).map(([code, e]) => `| \`${code}\` | ${e.status === 0 ? '-' : e.status} | ${cell(e.meaning)} | ${cell(e.fix)} |`);
  return ['| code | status | meaning | how to fix |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

export function replaceSection(text: string, name: string, body: string): string {
  const re = new RegExp(`(<!-- ${name}:begin -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!re.test(text)) throw new Error(`README has no ${name} section`);
  return text.replace(re, (_m, a: string, b: string) => a + body + b);
}

if (process.argv[1]?.endsWith('gen-readme-tables.ts')) {
  const path = new URL('../README.md', import.meta.url);
  let text = readFileSync(path, 'utf8');
  text = replaceSection(text, 'flags', flagsTable());
  text = replaceSection(text, 'errors', errorsTable());
  writeFileSync(path, text);
}
