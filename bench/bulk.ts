/**
 * Bulk transfers over the API (no docker CLI in the way): GET /images/{name}/get streamed and
 * discarded (download), POST /images/load of the same tar read from a file (upload).
 */

import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import { BASE_IMAGE, docker } from './lib.js';

/** An image of about `sizeMb` MB of random data (built on first use on top of the e2e test image). */
export function ensureBigImage(engine: string, sizeMb: number): string {
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

/** Save the image to a tar file once (the upload source); returns its path and size. */
export function saveTar(engine: string, image: string, dir: string): { file: string; bytes: number } {
  const file = join(dir, 'image.tar');
  docker(engine, ['save', '-o', file, image]);
  return { file, bytes: statSync(file).size };
}

/** Download the image tar through `socket`, discarding it; MB/s (1 MB = 10^6 bytes). */
export async function download(socket: string, image: string): Promise<{ mbps: number; bytes: number }> {
  const client = new Client('http://localhost', { socketPath: socket, bodyTimeout: 0, headersTimeout: 0 });
  const t0 = performance.now();
  const res = await client.request({ method: 'GET', path: `/images/${encodeURIComponent(image)}/get` });
  if (res.statusCode !== 200) throw new Error(`image get answered ${res.statusCode}`);
  let bytes = 0;
  for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  const s = (performance.now() - t0) / 1000;
  await client.close();
  return { mbps: bytes / 1e6 / s, bytes };
}

/** Upload the tar (POST /images/load) through `socket`; MB/s. */
export async function upload(socket: string, tar: { file: string; bytes: number }): Promise<{ mbps: number }> {
  const client = new Client('http://localhost', { socketPath: socket, bodyTimeout: 0, headersTimeout: 0 });
  const t0 = performance.now();
  const res = await client.request({
    method: 'POST',
    path: '/images/load?quiet=1',
    headers: { 'content-type': 'application/x-tar', 'content-length': String(tar.bytes) },
    body: createReadStream(tar.file, { highWaterMark: 256 * 1024 }),
  });
  const text = await res.body.text();
  const s = (performance.now() - t0) / 1000;
  await client.close();
  if (res.statusCode !== 200 || text.includes('"error"')) throw new Error(`image load answered ${res.statusCode}: ${text.slice(0, 300)}`);
  return { mbps: tar.bytes / 1e6 / s };
}

export function cleanupTar(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
