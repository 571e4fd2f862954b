/**
 * The audit log's own logger when audit records go to a file (--audit-file, config `audit`):
 * JSON lines in a RotatingFile, apart from the operational log. Every request is recorded
 * whatever the operational --log-level (the file's level is info: decisions at info and warn).
 * A failed write is reported on the operational logger and the daemon keeps serving.
 */

import { pino, type Logger } from 'pino';
import { sockgateError } from '../errors.js';
import { CoalescingDestination } from './coalesce.js';
import { REDACT_PATHS } from './record.js';
import { RotatingFile } from './rotating-file.js';

export interface AuditFileSettings {
  readonly path: string;
  readonly maxBytes: number;
  readonly keep: number;
}

export interface AuditLog {
  readonly logger: Logger;
  readonly file: RotatingFile;
  /** write the records held in this event-loop turn now (audit/coalesce.ts) */
  flush(): void;
  close(): void;
}

/** Opens the file now (a path that cannot be opened is a start-up error, thrown). */
export function openAuditLog(settings: AuditFileSettings, operational: Logger, base: Record<string, unknown> = {}): AuditLog {
  let file: RotatingFile;
  try {
    file = new RotatingFile({
      path: settings.path,
      maxBytes: settings.maxBytes,
      keep: settings.keep,
      onError: (err, lost) => operational.error({ code: 'SOCKGATE_ERR_AUDIT_WRITE', err, auditFile: settings.path, lost }, 'audit record not written'),
    });
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_AUDIT_WRITE', { path: settings.path, cause: err });
  }
  const held = new CoalescingDestination(file);
  const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base }, held);
  return {
    logger,
    file,
    flush: () => held.flush(),
    close: () => {
      held.flush();
      file.close();
    },
  };
}
