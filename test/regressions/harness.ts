/**
 * Runs one class of the bypass corpus against sockgate (only-list policy) in front of the real
 * engine, and checks what reached the engine (the recording upstream) and its state, not only
 * status codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineSocket, type SockgateProcess, startSockgateWithPolicy } from '../helpers/engine.js';
import { callsSince, logMark } from '../helpers/engine-log.js';
import { statuses } from '../helpers/raw-http.js';
import { CORPUS, isAllowedCall, MARK, ONLY_LIST_POLICY, sendAttempt } from './corpus.js';

export function runCorpusClass(klass: keyof typeof CORPUS): void {
  const attempts = CORPUS[klass]!();
  let gate: SockgateProcess;
  let engine: string;

  beforeAll(async () => {
    engine = engineSocket();
    gate = await startSockgateWithPolicy(ONLY_LIST_POLICY);
  });
  afterAll(async () => {
    await gate?.stop();
    const left = await docker(engine, ['ps', '-aq', '--filter', `name=${MARK}`]);
    for (const id of left.stdout.split('\n').filter(Boolean)) await docker(engine, ['rm', '-f', id]);
  });

  describe(`bypass class: ${klass}`, () => {
    it.each(attempts.map((a) => [a.name, a]))('%s reaches no engine endpoint but the allowed ones', async (_name, attempt) => {
      const mark = logMark();
      const raw = await sendAttempt(gate.socketPath, attempt.payload);
      const calls = callsSince(mark);
      const forbidden = calls.filter((c) => !isAllowedCall(c.method, c.uri));
      expect(forbidden, `engine was reached: ${JSON.stringify(forbidden)}; sockgate answered: ${raw.slice(0, 300)}`).toEqual([]);
      for (const s of statuses(raw).slice(attempt.payload.startsWith('GET /containers/json') ? 1 : 0)) {
        expect(s, raw.slice(0, 300)).toBeGreaterThanOrEqual(400);
      }
    });

    it('left no container behind on the engine', async () => {
      const left = await docker(engine, ['ps', '-aq', '--filter', `name=${MARK}`]);
      expect(left.stdout.trim()).toBe('');
    });

    it('wrote an audit record for every request it refused', () => {
      const refused = gate.records.filter((r) => r['kind'] === 'audit' && r['effect'] === 'deny');
      const malformed = gate.records.filter((r) => r['code'] === 'SOCKGATE_DENY_REQUEST_MALFORMED');
      expect(refused.length + malformed.length).toBeGreaterThan(0);
    });
  });
}
