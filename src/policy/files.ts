/**
 * Reading policy files from disk: the only file access of the policy module.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sockgateError } from '../errors.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { formatProblem, type PolicyProblem } from '../yaml-validator.js';
import { loadPolicyText } from './load.js';

/** The built-in default: the shipped read-only preset (src/policy → ../../policies, also from dist/policy). */
export const BUILT_IN_POLICY_FILE = fileURLToPath(new URL('../../policies/read-only.yaml', import.meta.url));

function readPolicy(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_POLICY_READ', { path: file, cause: err });
  }
}

/** Validate a policy file; returns every problem (empty when valid). Throws only if unreadable. */
export function checkPolicyFile(file: string): readonly PolicyProblem[] {
  const result = loadPolicyText(readPolicy(file), file);
  return result.ok ? [] : result.problems;
}

/** Load and compile a policy file, or throw one SockgateError listing every problem. */
export function loadPolicyFile(file: string, source = file): CompiledPolicy {
  const text = readPolicy(file);
  const result = loadPolicyText(text, file);
  if (!result.ok) {
    throw sockgateError('SOCKGATE_ERR_POLICY_INVALID', { path: file, problems: result.problems.length }, result.problems.map(formatProblem));
  }
  return compilePolicy(result.document, source, text);
}

export function loadBuiltInPolicy(): CompiledPolicy {
  return loadPolicyFile(BUILT_IN_POLICY_FILE, 'built-in:read-only');
}
