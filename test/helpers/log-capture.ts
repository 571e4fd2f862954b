import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { REDACT_PATHS } from '../../src/audit/record.js';

export interface CapturedLog {
  readonly logger: Logger;
  readonly records: Record<string, unknown>[];
  /** audit records only */
  audit(): Record<string, unknown>[];
  /** the raw text written, to assert that secrets never appear anywhere */
  text(): string;
}

/** A pino logger (same redaction as the daemon's) that keeps every record in memory. */
export function captureLog(): CapturedLog {
  const records: Record<string, unknown>[] = [];
  let raw = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const s = chunk.toString();
      raw += s;
      for (const line of s.split('\n')) if (line.trim()) records.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
  return {
    logger,
    records,
    audit: () => records.filter((r) => r['kind'] === 'audit'),
    text: () => raw,
  };
}
