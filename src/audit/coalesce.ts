/**
 * A log destination that writes the lines of one event-loop turn together: each line is held
 * until flush() or the end of the turn (setImmediate), then everything held goes to the inner
 * destination in one write. The auditor flushes after every decision record, so a decision is
 * handed to the destination before the request it describes is forwarded, with the completion
 * records and operational lines held since; what is held at most is one turn's completions.
 * The audit file (audit-log.ts) is written through one: one synchronous write per request instead
 * of two (bench/README.md, 2026-12-04). Not stdout, where pino's own writer already writes the
 * lines that come while a write is in flight together.
 */

/** What pino writes to: one complete line (or several) per call. */
export interface LineDestination {
  write(chunk: string): unknown;
}

export class CoalescingDestination implements LineDestination {
  #held: string[] = [];
  #scheduled = false;

  constructor(private readonly inner: LineDestination) {}

  write(chunk: string): boolean {
    this.#held.push(chunk);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#endOfTurn);
    }
    return true;
  }

  /** Write everything held now, in the order it came. */
  flush(): void {
    if (this.#held.length === 0) return;
    const out = this.#held.length === 1 ? this.#held[0]! : this.#held.join('');
    this.#held = [];
    this.inner.write(out);
  }

  /** pino calls this on a fatal exit (pino.final), as on its own destinations. */
  flushSync(): void {
    this.flush();
  }

  readonly #endOfTurn = (): void => {
    this.#scheduled = false;
    this.flush();
  };
}
