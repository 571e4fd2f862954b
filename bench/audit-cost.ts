/**
 * What two audit records (a decision and a completion) cost to write, in process, to /dev/null:
 * through pino (with and without the redaction the daemon configures), as a hand-written line on
 * pino's own destination, and JSON.stringify alone. µs per request, after two warm-up rounds.
 *
 *   node --import tsx bench/audit-cost.ts
 */
import { pino } from 'pino';
import { REDACT_PATHS } from '../src/audit/record.js';

const N = 200_000;
const dest = pino.destination({ dest: '/dev/null', sync: true });
const decision = { reqId: 'abcdef0123456789', listener: '/tmp/x.sock', profile: 'bench', method: 'GET', path: '/_ping', apiVersion: null, endpoint: 'system.ping', effect: 'allow', rule: 'allow-ping', reason: 'allowed by rule allow-ping', code: null, policyHash: 'sha256:0123456789abcdef', upgrade: false, client: { listener: '/tmp/x.sock', profile: 'bench', conn: 12 }, userAgent: 'undici', mode: 'enforce' };
const completion = { reqId: 'abcdef0123456789', listener: '/tmp/x.sock', client: { listener: '/tmp/x.sock', profile: 'bench', conn: 12 }, endpoint: 'system.ping', effect: 'allow', policyHash: 'sha256:0123', status: 200, engineStatus: 200, durationMs: 0.123, aborted: false };

/** µs per call of `fn`, the third of three rounds. */
function timed(fn: () => void): number {
  let us = 0;
  for (let round = 0; round < 3; round++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    us = Number(process.hrtime.bigint() - t) / 1000 / N;
  }
  return us;
}

for (const [label, options] of [
  ['pino, redaction as the daemon sets it', { redact: { paths: REDACT_PATHS, censor: '[redacted]' } }],
  ['pino, no redaction', {}],
] as const) {
  const log = pino({ level: 'info', base: { pid: 1 }, ...options }, dest).child({ kind: 'audit' });
  console.log(`${label}: ${timed(() => (log.info(decision, 'request allowed'), log.info(completion, 'request completed'))).toFixed(2)} µs per request`);
}
const line = (level: number, record: object, msg: string): string => `{"level":${level},"time":${Date.now()},"pid":1,"kind":"audit",${JSON.stringify(record).slice(1, -1)},"msg":${JSON.stringify(msg)}}\n`;
console.log(`hand-written line on pino's destination: ${timed(() => (dest.write(line(30, decision, 'request allowed')), dest.write(line(30, completion, 'request completed')))).toFixed(2)} µs per request`);
console.log(`JSON.stringify of both records alone: ${timed(() => void (JSON.stringify(decision) + JSON.stringify(completion))).toFixed(2)} µs per request`);
