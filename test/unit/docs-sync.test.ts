import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLAGS } from '../../src/config/options.js';
import { ERRORS } from '../../src/errors.js';
import { renderEndpointTable } from '../../src/request/endpoint-doc.js';
import { errorsTable, flagsTable } from '../../scripts/gen-readme-tables.js';

const ROOT = join(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function section(name: string): string {
  const m = new RegExp(`<!-- ${name}:begin -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(README);
  if (!m) throw new Error(`README has no ${name} section`);
  return m[1]!;
}

describe('README stays true to the code', () => {
  // Regenerate with: npm run docs
  it('lists every error code with its status, meaning and fix, and no others', () => {
    expect(section('errors')).toBe(errorsTable());
    for (const code of Object.keys(ERRORS)) expect(section('errors')).toContain(code);
  });

  it('lists every flag with its environment variable and default', () => {
    expect(section('flags')).toBe(flagsTable());
    for (const f of FLAGS) expect(section('flags')).toContain(f.env);
  });

  it('keeps docs/endpoints.md equal to the endpoint table in the code', () => {
    const doc = readFileSync(join(ROOT, 'docs/endpoints.md'), 'utf8');
    expect(doc).toBe(renderEndpointTable());
  });
});

describe('error registry', () => {
  it('uses stable code shapes and a status for every client-facing error', () => {
    for (const [code, e] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^SOCKGATE_(ERR_[A-Z]+(_[A-Z_]+)?|DENY_[A-Z_]+)$/);
      if (code.startsWith('SOCKGATE_DENY_')) expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.meaning.length).toBeGreaterThan(10);
      expect(e.fix.length).toBeGreaterThan(10);
    }
  });
});
