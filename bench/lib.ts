/** Shared helpers of the benchmark (bench/run.ts): statistics, processes, the docker CLI. */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..');
export const BASE_IMAGE = 'sockgate-test:busybox';

/** One row of the result table. `ratio` is sockgate / direct unless `inverse` says otherwise. */
export interface Row {
  readonly scenario: string;
  readonly direct: string;
  readonly sockgate: string;
  readonly ratio: string;
  readonly target: string;
  /** null: informational, no target */
  readonly pass: boolean | null;
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile of a sample. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');

/** Kernel's figures for a process: current and peak resident set, in MB. */
export function memory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 'NaN');
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  // /proc/PID/stat fields 14 and 15 (utime, stime), in clock ticks (100 per second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Reset a process's peak RSS (VmHWM) to its current RSS (Linux: clear_refs 5). */
export function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    /* not permitted: the peak then covers the process's whole life */
  }
}

/** Run the docker CLI on `socket`; throws on failure unless `mayFail`. */
export function docker(socket: string, args: string[], input?: string, mayFail = false): string {
  const r = spawnSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: '0' },
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0 && !mayFail) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Sockgate {
  readonly socket: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Start sockgate as users run it (bin/sockgate.js, the compiled dist/) with the bench policy.
 * Audit records go to /dev/null at the default level: their cost is part of the figures.
 */
export async function startSockgate(opts: {
  dir: string;
  engine: string;
  policy: string;
  nodeArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** the sockgate entry point (default: this checkout's bin/sockgate.js) */
  bin?: string;
}): Promise<Sockgate> {
  const socket = join(opts.dir, `sockgate-${Date.now()}.sock`);
  const child: ChildProcess = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), opts.bin ?? join(REPO, 'bin/sockgate.js'), '--listen', socket, '--upstream', opts.engine, '--policy', opts.policy],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...opts.env } },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 200 && !existsSync(socket); i++) await sleep(50);
  if (!existsSync(socket)) {
    child.kill('SIGKILL');
    throw new Error('sockgate did not start');
  }
  return {
    socket,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
    },
  };
}
