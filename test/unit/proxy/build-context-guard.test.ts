import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { TarEntry } from '../../../src/inspect/tar-reader.js';
import { BuildContextRefused, createBuildContextGuard } from '../../../src/proxy/build-context-guard.js';
import { tarOf } from '../../helpers/tar.js';

const WANTED = new Set(['Dockerfile']);

/** Upload `context` through a guard in pieces of `piece` bytes; what went on to the engine, and how it ended. */
async function upload(
  context: Buffer,
  problem: (entries: readonly TarEntry[]) => string | null | Promise<string | null>,
  piece = 4096,
): Promise<{ passed: Buffer; error: unknown; seen: readonly TarEntry[] | null }> {
  const out: Buffer[] = [];
  let seen: readonly TarEntry[] | null = null;
  const guard = createBuildContextGuard(WANTED, (entries) => ((seen = entries), problem(entries)));
  const pieces = Array.from({ length: Math.ceil(context.length / piece) }, (_, i) => context.subarray(i * piece, (i + 1) * piece));
  const sink = new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) });
  let error: unknown = null;
  await pipeline(Readable.from(pieces), guard, sink).catch((e: unknown) => (error = e));
  return { passed: Buffer.concat(out), error, seen };
}

/** A context with a Dockerfile and enough other data that the held-back end is a small part of it. */
const context = (gzip = false): Buffer => tarOf({ Dockerfile: 'FROM busybox\nRUN true\n', 'data.bin': 'x'.repeat(100_000) }, { gzip });

describe('the build context guard', () => {
  it.each([
    ['an uncompressed context', false],
    ['a gzip-compressed context', true],
  ])('passes %s on unchanged when the check finds nothing wrong, and shows the check the Dockerfile', async (_what, gzip) => {
    const ctx = context(gzip);
    const { passed, error, seen } = await upload(ctx, () => null);
    expect(error).toBeNull();
    expect(passed.equals(ctx)).toBe(true);
    expect(seen!.find((e) => e.name === 'Dockerfile')?.data?.toString()).toBe('FROM busybox\nRUN true\n');
  });

  it('passes on a context shorter than the bytes it holds back', async () => {
    const tiny = tarOf({ Dockerfile: 'FROM scratch\n' });
    const { passed, error } = await upload(tiny, () => null, 100);
    expect(error).toBeNull();
    expect(passed.equals(tiny)).toBe(true);
  });

  it('cuts a refused build before its end: the engine never has the whole context', async () => {
    const ctx = context();
    const { passed, error } = await upload(ctx, () => 'RUN --privileged is not allowed');
    expect(error).toBeInstanceOf(BuildContextRefused);
    expect(error).toMatchObject({ reason: 'RUN --privileged is not allowed', unreadable: false });
    expect(passed.length).toBeLessThan(ctx.length);
    expect(ctx.subarray(0, passed.length).equals(passed)).toBe(true);
  });

  it('waits for a check that asks the engine something', async () => {
    const { error } = await upload(context(), () => new Promise((r) => setTimeout(() => r('a base image has ONBUILD triggers'), 20)));
    expect(error).toMatchObject({ reason: 'a base image has ONBUILD triggers', unreadable: false });
  });

  it('refuses the build when the check itself fails', async () => {
    const { error } = await upload(context(), () => Promise.reject(new Error('engine unreachable')));
    expect(error).toMatchObject({ reason: 'sockgate could not check the build: engine unreachable', unreadable: true });
  });

  it.each([
    ['bzip2', [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41]],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00]],
  ])('refuses a %s-compressed context as unreadable, without asking the check', async (name, magic) => {
    const ctx = Buffer.concat([Buffer.from(magic), Buffer.alloc(50_000)]);
    const { error, seen } = await upload(ctx, () => null);
    expect(error).toMatchObject({ unreadable: true });
    expect((error as BuildContextRefused).reason).toContain(`compressed with ${name}`);
    expect(seen).toBeNull();
  });

  it.each([
    ['bytes that are no tar archive', Buffer.from('this is not a tar archive at all'.repeat(100)), /not a tar archive sockgate can read/],
    ['a broken gzip stream', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(5000, 0xff)]), /gzip-compressed context cannot be read/],
  ])('refuses %s as unreadable', async (_what, ctx, reason) => {
    const { error } = await upload(ctx, () => null);
    expect(error).toMatchObject({ unreadable: true });
    expect((error as BuildContextRefused).reason).toMatch(reason);
  });
});
