/**
 * Small requests: a closed loop of `concurrency` workers, each sending the same GET over a
 * keep-alive undici Pool on one socket for a fixed time; req/s and per-request latency.
 */

import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { percentile } from './lib.js';

export interface LoadResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** requests timed, plus the warm-up ones */
  readonly requests: number;
}

export async function load(socket: string, path: string, concurrency: number, durationMs: number): Promise<LoadResult> {
  const pool = new Pool('http://localhost', { socketPath: socket, connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  // Warm up: open the connections (and let JIT settle) before the clock starts.
  await Promise.all(Array.from({ length: concurrency }, () => one()));
  latencies.length = 0;
  errors = 0;
  const t0 = performance.now();
  const end = t0 + durationMs;
  async function one(): Promise<void> {
    const s = performance.now();
    try {
      const res = await pool.request({ method: 'GET', path });
      await res.body.text();
      if (res.statusCode !== 200) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - s);
  }
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const elapsed = performance.now() - t0;
  await pool.close();
  return { rps: (latencies.length / elapsed) * 1000, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors, requests: latencies.length + concurrency };
}
