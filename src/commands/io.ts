/**
 * What a command may do to the world outside it, handed in by cli.ts (the only module that
 * touches `process`), so that tests drive the commands without spawning one.
 */

/** A text stream a command writes to (process.stdout and process.stderr fit). */
export interface TextOutput {
  write(text: string): unknown;
  /** set when the stream is a terminal (pretty logs are coloured only then) */
  readonly isTTY?: boolean;
}

/** Output, environment and standard input: what every command may use. */
export interface CommandIO {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** All of standard input as text (`sockgate suggest -`); throws when it cannot be read. */
  readStdin(): string;
}

/** The signals the daemon answers: SIGTERM and SIGINT stop it, SIGHUP reloads its policies. */
export type DaemonSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

/** Subscribing to signals, as process.on/once/off do. */
export interface SignalHooks {
  on(signal: DaemonSignal, listener: () => void): void;
  once(signal: DaemonSignal, listener: () => void): void;
  off(signal: DaemonSignal, listener: () => void): void;
}

/** What the daemon needs of its process besides a command's I/O. */
export interface DaemonIO extends CommandIO {
  readonly pid: number;
  /** memory and uptime, for the metrics */
  processFigures(): { residentBytes: number; uptimeSeconds: number };
  readonly signals: SignalHooks;
  /** the exit code once the event loop empties (the daemon sets 0 when it has stopped cleanly) */
  setExitCode(code: number): void;
}
