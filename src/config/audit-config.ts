/**
 * The config file's `audit` section: where audit records go and how the file is rotated.
 *
 *   audit:
 *     file: /var/log/sockgate/audit.jsonl   # absolute; records go here instead of stdout
 *     maxBytes: 52428800                     # optional; rotate before the file grows past this
 *     keep: 5                                # optional; rotated files kept (file.1 ... file.N)
 *
 * The --audit-file, --audit-max-bytes and --audit-keep flags (and their environment variables)
 * win over these. Pure.
 */

import { isScalar, type Node } from 'yaml';
import { entries, type Validator } from '../yaml-validator.js';

export interface AuditConfig {
  readonly file: string;
  readonly maxBytes: number | null;
  readonly keep: number | null;
}

const AUDIT_KEYS = ['file', 'maxBytes', 'keep'] as const;

function count(v: Validator, node: unknown, pointer: string, min: number): number | null {
  if (isScalar(node) && typeof node.value === 'number' && Number.isSafeInteger(node.value) && node.value >= min) return node.value;
  v.problem(node as Node, pointer, `expected a whole number of at least ${min}`);
  return null;
}

export function validateAuditConfig(v: Validator, node: unknown, pointer: string): AuditConfig | null {
  const map = v.map(node, pointer, AUDIT_KEYS);
  if (!map) return null;
  const fields = new Map(entries(map));
  const before = v.problems.length;
  let file: string | undefined;
  if (!fields.has('file')) v.problem(map, pointer, 'audit needs "file" (an absolute path for the audit records)');
  else file = v.absolutePath(fields.get('file'), `${pointer}/file`, 'an absolute file path');
  const maxBytes = fields.has('maxBytes') ? count(v, fields.get('maxBytes'), `${pointer}/maxBytes`, 1) : null;
  const keep = fields.has('keep') ? count(v, fields.get('keep'), `${pointer}/keep`, 0) : null;
  if (v.problems.length !== before || file === undefined) return null;
  return { file, maxBytes, keep };
}
