/** `sockgate check FILE...`: validate policy and config files without starting anything. */

import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { loadConfigText } from '../config/file.js';
import { SockgateError } from '../errors.js';
import { formatProblem, type PolicyProblem } from '../yaml-validator.js';
import { checkPolicyFile } from '../policy/files.js';
import type { CommandIO } from './io.js';

/** Problems of a config file and of every policy file it names. */
function checkConfigFile(file: string, text: string): readonly PolicyProblem[] {
  const result = loadConfigText(text, file);
  if (!result.ok) return result.problems;
  return result.config.listeners.flatMap((l) => (l.profile.policyFile === null ? [] : checkPolicyFile(resolvePath(dirname(file), l.profile.policyFile))));
}

/** Prints `FILE: ok` or every problem (file:line:col) to stdout; exit code 0 when all are ok, else 1. */
export function runCheck(files: readonly string[], io: CommandIO): number {
  let bad = 0;
  for (const file of files) {
    try {
      // A config file (it has listeners) is checked with the policies it names.
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        /* checkPolicyFile reports an unreadable file */
      }
      const problems = /^listeners\s*:/m.test(text) ? checkConfigFile(file, text) : checkPolicyFile(file);
      if (problems.length === 0) io.stdout.write(`${file}: ok\n`);
      else {
        bad++;
        for (const p of problems) io.stdout.write(`${formatProblem(p)}\n`);
      }
    } catch (err) {
      bad++;
      io.stdout.write(`${err instanceof SockgateError ? err.format() : String(err)}\n`);
    }
  }
  return bad === 0 ? 0 : 1;
}
