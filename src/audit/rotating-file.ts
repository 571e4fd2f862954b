/**
 * The audit file: JSON lines appended to PATH, rotated by size (PATH → PATH.1 → ... → PATH.N,
 * the oldest dropped). Used as a pino destination (anything with write(string)).
 *
 * - Writes are synchronous: a decision record is on disk (in the page cache) before the request
 *   it describes goes on (the auditor flushes its CoalescingDestination after each one); a crash
 *   loses at most the completion records of one event-loop turn.
 * - A record is never split: the file is rotated before a write that would take it past
 *   maxBytes. A single record larger than maxBytes gets a file of its own.
 * - The file is created with mode 0600 (it names clients, containers and host paths); an
 *   existing file keeps the mode its owner gave it.
 * - A write that fails (disk full, file removed with its directory, permissions) never throws
 *   into the request path: the record is lost, onError is told (the daemon logs it on the
 *   operational log, at most once per second), and the next write reopens the file. Decisions do
 *   not depend on the audit file: requests keep being allowed and denied by the policy.
 */

import { closeSync, fstatSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** Records in a chunk of complete lines. */
function countLines(chunk: string): number {
  let n = 0;
  for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) n++;
  return Math.max(n, 1);
}

/** Failed writes are reported at most this often (a full disk fails every write). */
const ERROR_REPORT_INTERVAL_MS = 1000;

export interface RotatingFileOptions {
  readonly path: string;
  /** rotate before the file would grow past this many bytes */
  readonly maxBytes: number;
  /** rotated files kept (PATH.1 ... PATH.keep); 0 keeps none */
  readonly keep: number;
  /** told of failed writes or rotations (at most once a second, with the records lost so far); must not throw */
  readonly onError?: (err: Error, lost: number) => void;
}

export class RotatingFile {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly onError: (err: Error, lost: number) => void;
  private lastReport = -Infinity;
  private fd: number | null = null;
  private size = 0;
  /** records lost to write errors since start */
  lost = 0;

  /** Opens (or creates) the file now, so a bad path is a start-up error. */
  constructor(options: RotatingFileOptions) {
    this.path = options.path;
    this.maxBytes = options.maxBytes;
    this.keep = options.keep;
    this.onError = options.onError ?? (() => undefined);
    this.open();
  }

  private open(): void {
    const fd = openSync(this.path, 'a', 0o600);
    try {
      this.size = fstatSync(fd).size;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.fd = fd;
  }

  private closeFd(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      closeSync(fd);
    } catch {
      /* nothing left to do with a descriptor that does not close */
    }
  }

  /** PATH.(keep-1) → PATH.keep, ..., PATH → PATH.1; then a fresh PATH. */
  private rotate(): void {
    this.closeFd();
    if (this.keep === 0) rmSync(this.path, { force: true });
    else {
      for (let i = this.keep - 1; i >= 1; i--) {
        try {
          renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.open();
  }

  /**
   * pino's destination interface: one or more complete lines (records held together by a
   * CoalescingDestination come in one call, and go to the file in one write unless they would
   * cross the size limit: then each goes by itself, so a rotation still falls between records).
   */
  write(chunk: string): boolean {
    const bytes = Buffer.from(chunk, 'utf8');
    const records = countLines(chunk);
    if (records > 1 && this.size + bytes.length > this.maxBytes) {
      for (const line of chunk.split(/(?<=\n)/)) if (line !== '') this.append(Buffer.from(line, 'utf8'), 1);
      return true;
    }
    this.append(bytes, records);
    return true;
  }

  private append(bytes: Buffer, records: number): void {
    try {
      if (this.fd === null) this.open();
      if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate();
      let off = 0;
      while (off < bytes.length) off += writeSync(this.fd!, bytes, off, bytes.length - off);
      this.size += bytes.length;
    } catch (err) {
      this.lost += records;
      // Take back a partly written record, so the file holds whole lines only.
      if (this.fd !== null) {
        try {
          ftruncateSync(this.fd, this.size);
        } catch {
          /* the descriptor is dropped below anyway */
        }
      }
      // Start again from a fresh descriptor next time (the file may have been removed or rotated away).
      this.closeFd();
      const now = Date.now();
      if (now - this.lastReport >= ERROR_REPORT_INTERVAL_MS) {
        this.lastReport = now;
        this.onError(err as Error, this.lost);
      }
    }
  }

  close(): void {
    this.closeFd();
  }
}
