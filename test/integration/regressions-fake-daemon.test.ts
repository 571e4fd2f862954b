/**
 * The bypass corpus (test/regressions/corpus.ts) without a Docker engine: every entry is sent to
 * sockgate (only-list policy) in front of a fake daemon, through the same recording pass-through
 * the real-engine runs use. What the recorder saw (every byte that reached the daemon, read as
 * requests; an unreadable forward counts as one) and what the daemon itself parsed must be
 * exactly the allowed requests the entry carries, with the method, target and body sockgate
 * checked; everything else is answered with a denial that has its record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { policyFromYaml, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { statuses } from '../helpers/raw-http.js';
import { startUpstreamRecorder, type UpstreamRecorder } from '../helpers/upstream-recorder.js';
import { CORPUS, isAllowedCall, ONLY_LIST_POLICY, sendAttempt, type Attempt } from '../regressions/corpus.js';

let daemon: FakeDaemon;
let recorder: UpstreamRecorder;
let gate: RunningProxy;

beforeAll(async () => {
  daemon = await startFakeDaemon();
  recorder = await startUpstreamRecorder(daemon.socketPath);
  gate = await startProxy(policyFromYaml(ONLY_LIST_POLICY), recorder.socketPath);
});
afterAll(async () => {
  await gate?.close();
  await recorder?.close();
  await daemon?.close();
});

/** A record that stands for one refused request: a denial decision, or a request Node's parser refused. */
const isDenialRecord = (r: Record<string, unknown>): boolean =>
  (r['kind'] === 'audit' && r['msg'] === 'request denied') || r['code'] === 'SOCKGATE_DENY_REQUEST_MALFORMED';
const isAllowRecord = (r: Record<string, unknown>): boolean => r['kind'] === 'audit' && r['msg'] === 'request allowed';

/** Send one attempt; what reached the daemon (as recorded and as parsed), sockgate's answers and its log records. */
async function run(attempt: Attempt) {
  const marks = { recorded: recorder.calls.length, received: daemon.received.length, records: gate.log.records.length };
  const raw = await sendAttempt(gate.socketPath, attempt.payload);
  return {
    raw,
    recorded: recorder.calls.slice(marks.recorded).map((c) => ({ method: c.method, uri: c.uri, body: c.body.toString('latin1') })),
    received: daemon.received.slice(marks.received).map((c) => ({ method: c.method, uri: c.url, body: c.body.toString('latin1') })),
    records: gate.log.records.slice(marks.records),
  };
}

describe('the corpus itself', () => {
  it('names only requests the only-list policy allows as forwarded', () => {
    const forwards = Object.values(CORPUS).flatMap((klass) => klass().flatMap((a) => a.forwards ?? []));
    expect(forwards.length).toBeGreaterThan(0);
    for (const f of forwards) expect(isAllowedCall(f.method, f.uri), `${f.method} ${f.uri}`).toBe(true);
  });
});

for (const [klass, attempts] of Object.entries(CORPUS)) {
  describe(`bypass class ${klass} against a recording fake daemon`, () => {
    const title = (a: Attempt): string =>
      a.forwards === undefined ? `${a.name}: is denied, and nothing of it reaches the daemon` : `${a.name}: only its allowed requests reach the daemon, as checked, and the rest is denied`;
    it.each(attempts().map((a) => [title(a), a] as const))('%s', async (_title, attempt) => {
      const forwards = attempt.forwards ?? [];
      const { raw, recorded, received, records } = await run(attempt);
      const answer = `sockgate answered: ${raw.slice(0, 300)}`;
      expect(recorded, answer).toEqual(forwards);
      expect(received, answer).toEqual(forwards);

      const got = statuses(raw);
      expect(got.slice(0, forwards.length), answer).toEqual(forwards.map(() => 200));
      const denials = got.slice(forwards.length);
      expect(denials.length, answer).toBeGreaterThan(0);
      for (const s of denials) expect([400, 403], answer).toContain(s);

      expect(records.filter(isAllowRecord).map((r) => r['path'])).toEqual(forwards.map((f) => f.uri.split('?')[0]));
      expect(records.filter(isDenialRecord)).toHaveLength(denials.length);
    });
  });
}
