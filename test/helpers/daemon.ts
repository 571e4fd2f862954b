/**
 * Run the compiled sockgate binary (bin/sockgate.js) with any arguments, against whatever the
 * test provides (a fake daemon, usually), and watch its output and exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './engine.js';
import { waitUntil } from './wait.js';

export const BIN = join(REPO_ROOT, 'bin/sockgate.js');

export interface SpawnedSockgate {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** the exit code; undefined while running, null when killed by a signal */
  exit(): number | null | undefined;
  /** SIGTERM (unless it already exited), then wait for the exit code */
  stop(): Promise<number | null | undefined>;
}

export function spawnSockgate(args: readonly string[]): SpawnedSockgate {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  let exit: number | null | undefined;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.on('exit', (c) => (exit = c));
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exit: () => exit,
    async stop() {
      if (exit === undefined) child.kill('SIGTERM');
      await waitUntil(() => exit !== undefined, 10_000, 'exit');
      return exit;
    },
  };
}
