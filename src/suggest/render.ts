/**
 * Write a suggested policy (suggest.ts) as a policy file: YAML with comments saying what was seen
 * for each rule and condition. Every string is written as a JSON string, which YAML reads as the
 * same double-quoted scalar, so no value can change the structure around it. Pure.
 */

import type { BodyConditionDocument } from '../policy/document.js';
import type { SuggestedPolicy } from './suggest.js';

const q = (s: string): string => JSON.stringify(s);
const scalar = (v: unknown): string => (typeof v === 'string' ? q(v) : JSON.stringify(v));
const flow = (xs: readonly unknown[]): string => `[${xs.map(scalar).join(', ')}]`;

/** A comment line: one line, no control characters. */
function comment(indent: string, text: string): string {
  const printable = [...text].map((ch) => (ch.charCodeAt(0) < 0x20 || ch === '\x7f' ? ' ' : ch)).join('');
  return `${indent}# ${printable}`;
}

function renderCondition(c: BodyConditionDocument, indent: string, out: string[]): void {
  out.push(`${indent}- path: ${q(c.path)}`);
  const inner = `${indent}  `;
  if (c.equals !== undefined) out.push(`${inner}equals: ${scalar(c.equals)}`);
  if (c.oneOf !== undefined) out.push(`${inner}oneOf: ${flow(c.oneOf)}`);
  if (c.glob !== undefined) out.push(`${inner}glob: ${q(c.glob)}`);
  if (c.exists !== undefined) out.push(`${inner}exists: ${c.exists}`);
  if (c.isNull !== undefined) out.push(`${inner}isNull: ${c.isNull}`);
  if (c.gte !== undefined) out.push(`${inner}gte: ${c.gte}`);
  if (c.lte !== undefined) out.push(`${inner}lte: ${c.lte}`);
  if (c.pathPrefix !== undefined) out.push(`${inner}pathPrefix: ${flow(c.pathPrefix)}`);
  for (const key of ['any', 'all', 'none'] as const) {
    const nested = c[key];
    if (nested === undefined) continue;
    out.push(`${inner}${key}:`);
    for (const n of nested) renderCondition(n, `${inner}  `, out);
  }
}

export function renderPolicy(policy: SuggestedPolicy): string {
  const out: string[] = [];
  for (const c of policy.headerComments) out.push(comment('', c));
  out.push('version: 1');
  out.push(`name: ${q(policy.name)}`);
  out.push(`description: ${q(policy.description)}`);
  out.push('mode: enforce');
  out.push('default: deny');
  if (policy.rules.length === 0) out.push('rules: []');
  else out.push('rules:');
  for (const rule of policy.rules) {
    for (const c of rule.comments) out.push(comment('  ', c));
    out.push(`  - id: ${q(rule.id)}`);
    out.push('    effect: allow');
    out.push(`    methods: ${flow(rule.methods)}`);
    if (rule.endpoint !== null) out.push(`    endpoints: ${flow([rule.endpoint])}`);
    if (rule.pathGlob !== null) out.push(`    paths: ${flow([rule.pathGlob])}`);
    if (rule.fields !== null) {
      out.push(comment('    ', 'the fields these requests set; every other field must hold its default'));
      out.push(rule.fields.length === 0 ? '    fields: []' : '    fields:');
      for (const f of rule.fields) out.push(`      - ${q(f)}`);
    }
    if (rule.body.length > 0) {
      out.push('    body:');
      for (const b of rule.body) {
        out.push(comment('      ', b.comment));
        renderCondition(b.condition, '      ', out);
      }
    }
  }
  if (policy.notLearned.length > 0) {
    out.push('');
    out.push(comment('', 'Not learned (refused by sockgate itself, or denied in enforce mode), so still denied:'));
    for (const line of policy.notLearned.slice(0, 50)) out.push(comment('', `  ${line}`));
    if (policy.notLearned.length > 50) out.push(comment('', `  ... and ${policy.notLearned.length - 50} more`));
  }
  return out.join('\n') + '\n';
}
