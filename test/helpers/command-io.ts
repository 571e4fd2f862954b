/**
 * The I/O a command is handed (src/commands/io.ts), captured in memory: what it wrote, the exit
 * code it set, and signals a test delivers by hand, so commands run without spawning a process.
 */
import type { DaemonIO, DaemonSignal } from '../../src/commands/io.js';

export interface CapturedIO {
  readonly io: DaemonIO;
  stdout(): string;
  stderr(): string;
  /** the exit code the command set through setExitCode, if it did */
  exitCode(): number | undefined;
  /** deliver a signal to the listeners subscribed to it, as the process would */
  signal(signal: DaemonSignal): void;
  /** how many listeners are subscribed to a signal */
  listeners(signal: DaemonSignal): number;
}

export function captureIO(options: { stdin?: string; env?: Record<string, string> } = {}): CapturedIO {
  let stdout = '';
  let stderr = '';
  let exitCode: number | undefined;
  const subscribed: { signal: DaemonSignal; listener: () => void; once: boolean }[] = [];
  const off = (signal: DaemonSignal, listener: () => void): void => {
    const i = subscribed.findIndex((s) => s.signal === signal && s.listener === listener);
    if (i >= 0) subscribed.splice(i, 1);
  };
  const io: DaemonIO = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
    readStdin: () => {
      if (options.stdin === undefined) throw new Error('EAGAIN: no standard input');
      return options.stdin;
    },
    pid: 4242,
    processFigures: () => ({ residentBytes: 1, uptimeSeconds: 1 }),
    signals: {
      on: (signal, listener) => void subscribed.push({ signal, listener, once: false }),
      once: (signal, listener) => void subscribed.push({ signal, listener, once: true }),
      off,
    },
    setExitCode: (code) => void (exitCode = code),
  };
  return {
    io,
    stdout: () => stdout,
    stderr: () => stderr,
    exitCode: () => exitCode,
    signal(signal) {
      for (const s of subscribed.filter((x) => x.signal === signal)) {
        if (s.once) off(signal, s.listener);
        s.listener();
      }
    },
    listeners: (signal) => subscribed.filter((s) => s.signal === signal).length,
  };
}

/** What `fn` throws (the test fails if it returns). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
