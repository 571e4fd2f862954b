import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { CoalescingDestination } from '../../../src/audit/coalesce.js';
import { createAuditor, type AuditCompletionRecord, type AuditDecisionRecord } from '../../../src/audit/record.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sink = (): { writes: string[]; write(chunk: string): void } => {
  const writes: string[] = [];
  return { writes, write: (chunk) => void writes.push(chunk) };
};

describe('CoalescingDestination', () => {
  it('holds the lines of one event-loop turn and writes them together, in order, at its end', async () => {
    const inner = sink();
    const d = new CoalescingDestination(inner);
    d.write('a\n');
    d.write('b\n');
    expect(inner.writes).toEqual([]);
    await turn();
    expect(inner.writes).toEqual(['a\nb\n']);
    d.write('c\n');
    await turn();
    expect(inner.writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes what it holds at once on flush, and nothing when it holds nothing', async () => {
    const inner = sink();
    const d = new CoalescingDestination(inner);
    d.flush();
    d.write('a\n');
    d.flush();
    expect(inner.writes).toEqual(['a\n']);
    await turn();
    expect(inner.writes).toEqual(['a\n']);
  });
});

describe('the auditor over a coalesced logger', () => {
  const decision = (effect: 'allow' | 'deny', reqId: string): AuditDecisionRecord =>
    ({ reqId, listener: 'l', profile: 'p', method: 'GET', path: '/_ping', apiVersion: null, endpoint: 'system.ping', effect, rule: null, reason: 'r', code: null, policyHash: 'h', upgrade: false, client: { listener: 'l', profile: 'p', conn: 1 } }) as const;
  const completion = (reqId: string): AuditCompletionRecord => ({ reqId, listener: 'l', client: { listener: 'l', profile: 'p', conn: 1 }, endpoint: 'system.ping', effect: 'allow', policyHash: 'h', status: 200, engineStatus: 200, durationMs: 1, aborted: false });
  const reqIds = (chunk: string): string[] => chunk.trim().split('\n').map((l) => (JSON.parse(l) as { reqId: string; msg: string }).reqId);

  it('writes each decision before returning, with the completions held since; a completion alone waits for the end of the turn', async () => {
    const inner = sink();
    const held = new CoalescingDestination(inner);
    const auditor = createAuditor(pino({ level: 'info' }, held), () => held.flush());
    auditor.decision(decision('allow', 'r1'));
    expect(inner.writes.map(reqIds)).toEqual([['r1']]);
    auditor.completed(completion('r1'));
    expect(inner.writes).toHaveLength(1);
    auditor.decision(decision('deny', 'r2'));
    expect(inner.writes.map(reqIds)).toEqual([['r1'], ['r1', 'r2']]);
    auditor.completed(completion('r2'));
    await turn();
    expect(inner.writes.map(reqIds)).toEqual([['r1'], ['r1', 'r2'], ['r2']]);
  });

  it('writes a stream-closed record before returning', () => {
    const inner = sink();
    const held = new CoalescingDestination(inner);
    const auditor = createAuditor(pino({ level: 'info' }, held), () => held.flush());
    auditor.streamClosed({ reqId: 's1', listener: 'l', profile: 'p', endpoint: 'system.events', policyHash: 'h', reason: 'r', code: 'SOCKGATE_DENY_POLICY' });
    expect(inner.writes.map(reqIds)).toEqual([['s1']]);
  });
});
