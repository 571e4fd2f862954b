/**
 * A real Prometheus server (Debian bookworm's `prometheus` package, /usr/bin/prometheus) for
 * end-to-end tests of its Docker service discovery through sockgate. It listens on 127.0.0.1 only,
 * keeps its TSDB in a temp directory, and is stopped by its own pid. Without the binary the tests
 * that need it FAIL (never skip): .ci/run installs the package.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './temp.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

/** Throws a message that says what to install when Prometheus is missing. */
export function requirePrometheus(): void {
  if (!existsSync(PROMETHEUS_BIN)) {
    throw new Error(
      `${PROMETHEUS_BIN} is missing: these end-to-end tests run a real Prometheus against sockgate. ` +
        'Install Debian\'s package (`apt-get install -y prometheus`; .ci/run must do it, and must not start its service).',
    );
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface PromTarget {
  readonly discoveredLabels: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly scrapePool: string;
  readonly health: string;
}

export interface PromTargets {
  readonly activeTargets: PromTarget[];
  readonly droppedTargets: { discoveredLabels: Record<string, string> }[];
}

export interface PrometheusProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** GET /api/v1/targets */
  targets(): Promise<PromTargets>;
  /** what Prometheus logged (stderr and stdout) */
  log(): string;
  stop(): Promise<void>;
}

/** Start Prometheus with this configuration (YAML, given the port it will listen on), wait until /-/ready answers 200. */
export async function startPrometheus(config: (port: number) => string): Promise<PrometheusProcess> {
  requirePrometheus();
  const { dir, cleanup } = tempDir('sg-prom-');
  const configFile = join(dir, 'prometheus.yml');
  const port = await freeLoopbackPort();
  writeFileSync(configFile, config(port));
  const child = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--log.level=info'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  const base = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    }
    cleanup();
  };

  const started = Date.now();
  for (;;) {
    if (exited) {
      cleanup();
      throw new Error(`prometheus exited during start-up:\n${log.slice(-4000)}`);
    }
    const ready = await fetch(`${base}/-/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() - started > 20_000) {
      await stop();
      throw new Error(`prometheus not ready within 20 s:\n${log.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    port,
    child,
    async targets() {
      const r = await fetch(`${base}/api/v1/targets`);
      const body = (await r.json()) as { status: string; data: PromTargets };
      if (r.status !== 200 || body.status !== 'success') throw new Error(`GET /api/v1/targets: ${r.status} ${JSON.stringify(body)}`);
      return body.data;
    },
    log: () => log,
    stop,
  };
}
