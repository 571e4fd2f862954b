/**
 * sockgate benchmark (run on demand: `npm run bench`; not part of `npm test`).
 *
 * Runs each scenario once directly against the engine and once through sockgate (allow-all
 * policy), in the same run, and prints each figure with its ratio to direct. Scenarios:
 *   - bulk: `docker save IMAGE | docker load` of an image of --size-mb MB (built on first use
 *     from random data on top of the e2e test image), wall time, and sockgate's peak RSS
 *     (VmHWM) during the transfer;
 *   - idle: sockgate's RSS after start-up.
 *
 * Usage: npm run bench -- [--engine /tmp/e2e/docker.sock] [--size-mb 600]
 * Needs a running engine with the image sockgate-test:busybox (bash scripts/engine.sh start /tmp/e2e).
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const REPO = join(import.meta.dirname, '..');
const BASE_IMAGE = 'sockgate-test:busybox';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const engine = arg('engine', (process.env['SOCKGATE_E2E_DOCKER_HOST'] ?? 'unix:///tmp/e2e/docker.sock').replace(/^unix:\/\//, ''));
const sizeMb = Number(arg('size-mb', '600'));

function docker(socket: string, args: string[], input?: string): string {
  const r = spawnSync('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: '0' }, input, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Kernel's figures for a process: current and peak resident set, in MB. */
function memory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 'NaN');
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function startSockgate(dir: string): Promise<{ socket: string; pid: number; stop: () => void }> {
  const policy = join(dir, 'allow-all.yaml');
  writeFileSync(policy, 'version: 1\nname: allow-all\ndefault: allow\nrules: []\n');
  const socket = join(dir, 'sockgate.sock');
  const child = spawn(process.execPath, [join(REPO, 'bin/sockgate.js'), '--listen', socket, '--upstream', engine, '--policy', policy, '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(socket)) throw new Error('sockgate did not start');
  await new Promise((r) => setTimeout(r, 500));
  return { socket, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

function ensureBigImage(): string {
  const name = `sockgate-bench:${sizeMb}mb`;
  if (spawnSync('docker', ['image', 'inspect', name], { env: { ...process.env, DOCKER_HOST: `unix://${engine}` } }).status === 0) return name;
  const ctx = mkdtempSync(join(tmpdir(), 'sg-bench-ctx-'));
  // Several layers, so the tar carries several large files; random data so nothing compresses.
  const layers = Math.max(1, Math.round(sizeMb / 100));
  const per = Math.round((sizeMb * 1_000_000) / layers);
  const runs = Array.from({ length: layers }, (_, i) => `RUN head -c ${per} /dev/urandom > /big${i}`).join('\n');
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${BASE_IMAGE}\n${runs}\n`);
  docker(engine, ['build', '-q', '-t', name, ctx]);
  rmSync(ctx, { recursive: true, force: true });
  return name;
}

/** `docker save IMAGE | docker load` against one socket; seconds. */
function saveLoad(socket: string, image: string): number {
  const t0 = performance.now();
  const env = `DOCKER_HOST=unix://${socket}`;
  const r = spawnSync('sh', ['-c', `${env} docker save ${image} | ${env} docker load -q`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`save | load failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
  const gate = await startSockgate(dir);
  try {
    const idle = memory(gate.pid);
    const image = ensureBigImage();
    const bytes = Number(docker(engine, ['image', 'inspect', '--format', '{{.Size}}', image]).trim());
    saveLoad(engine, image); // warm the page cache
    const direct = saveLoad(engine, image);
    const before = memory(gate.pid);
    const through = saveLoad(gate.socket, image);
    const after = memory(gate.pid);
    const mb = bytes / 1e6;
    console.log(`sockgate benchmark — engine ${engine}, node ${process.version}`);
    console.log(`idle RSS: ${fmt(idle.rssMb)} MB`);
    console.log(`save | load of ${fmt(mb, 0)} MB image (${image}), each way through one socket:`);
    console.log(`  direct    ${fmt(direct, 2)} s  ${fmt((2 * mb) / direct)} MB/s`);
    console.log(`  sockgate  ${fmt(through, 2)} s  ${fmt((2 * mb) / through)} MB/s  ratio ${fmt(direct / through, 2)} (throughput, 1.00 = as fast as direct)`);
    console.log(`  sockgate peak RSS ${fmt(after.peakMb)} MB (before the transfer: RSS ${fmt(before.rssMb)} MB, peak ${fmt(before.peakMb)} MB)`);
  } finally {
    gate.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
