/** `sockgate suggest`: audit logs → a policy allowing what they show (stdout); what was skipped → stderr. */

import { readFileSync } from 'node:fs';
import { sockgateError } from '../errors.js';
import { renderPolicy } from '../suggest/render.js';
import { emptySuggestStats, parseLogLines, suggestPolicy } from '../suggest/suggest.js';
import type { CommandIO } from './io.js';

/** Reads every file (`-` is standard input) and prints the suggested policy; exit code 0, or throws. */
export function runSuggest(files: readonly string[], profile: string | null, io: CommandIO): number {
  const stats = emptySuggestStats();
  const records: unknown[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = file === '-' ? io.readStdin() : readFileSync(file, 'utf8');
    } catch (err) {
      throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'unreadable', what: 'audit log', path: file, cause: err });
    }
    records.push(...parseLogLines(text, stats));
  }
  const result = suggestPolicy(records, profile === null ? {} : { profile }, stats);
  const s = result.stats;
  io.stderr.write(
    `sockgate suggest: ${s.decisions} decision records: ${s.learned} learned (${s.wouldBeDenied} denied by the learning policy), ${s.notLearned} not learned; ` +
      `skipped ${s.completions} completion records, ${s.other} other records, ${s.nonJson} non-JSON lines${s.otherProfiles > 0 ? `, ${s.otherProfiles} records of other profiles` : ''}\n`,
  );
  if (!result.ok) throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'problem', problem: result.message });
  io.stdout.write(renderPolicy(result.policy));
  return 0;
}
