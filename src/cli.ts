/**
 * The sockgate command: argv/env → a command; the real I/O built from `process`; dispatch. The
 * only module that touches `process` (argv, env, exit code, signals, stdout/stderr/stdin); the
 * commands themselves live in commands/ and get their I/O handed in.
 */

import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runCheck } from './commands/check.js';
import { runDaemon } from './commands/daemon.js';
import { runExplain } from './commands/explain.js';
import { runHealth } from './commands/health.js';
import type { DaemonIO } from './commands/io.js';
import { runSuggest } from './commands/suggest.js';
import { helpText, parseCommand } from './config/options.js';
import { SockgateError } from './errors.js';
import { VERSION } from './version.js';

/** This process's streams, environment, signals and exit code, as the commands see them. */
function processIO(): DaemonIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readStdin: () => readFileSync(0, 'utf8'),
    pid: process.pid,
    processFigures: () => ({ residentBytes: process.memoryUsage.rss(), uptimeSeconds: process.uptime() }),
    signals: {
      on: (signal, listener) => void process.on(signal, listener),
      once: (signal, listener) => void process.once(signal, listener),
      off: (signal, listener) => void process.off(signal, listener),
    },
    setExitCode: (code) => void (process.exitCode = code),
  };
}

export async function main(argv: readonly string[]): Promise<void> {
  const io = processIO();
  try {
    const command = parseCommand(argv, process.env, { uid: process.getuid?.() ?? 0, tmpdir: tmpdir() });
    switch (command.kind) {
      case 'help':
        io.stdout.write(helpText(VERSION) + '\n');
        return;
      case 'version':
        io.stdout.write(`${VERSION}\n`);
        return;
      case 'check':
        process.exitCode = runCheck(command.files, io);
        return;
      case 'suggest':
        process.exitCode = runSuggest(command.files, command.profile, io);
        return;
      case 'health':
        process.exitCode = await runHealth(command.address, io);
        return;
      case 'explain':
        process.exitCode = runExplain(command, io);
        return;
      case 'run':
        await runDaemon(command.options, command.listenFromDefault, io);
        return;
    }
  } catch (err) {
    io.stderr.write(`sockgate: ${err instanceof SockgateError ? err.format() : (err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
