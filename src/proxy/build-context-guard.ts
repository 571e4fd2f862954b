/**
 * The upload of a build context whose Dockerfile a policy checks: bytes go on to the engine as
 * they come, read alongside (gzip-compressed contexts decompressed for reading; bzip2, xz and
 * zstd ones, which the engine also accepts, are refused), and the last bytes of the upload are
 * passed on only once the Dockerfile has been found and checked (inspect/build-context.ts). The classic
 * builder acts only on a complete context (it extracts the whole upload first), so a refused
 * build is cut before its end: the engine sees an aborted upload and builds nothing.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { createTarReader, type TarEntry } from '../inspect/tar-reader.js';

/** Bytes of the upload's end held until the Dockerfile has been checked. */
const HELD_BYTES = 16 * 1024;

/** Largest Dockerfile read. */
const MAX_DOCKERFILE_BYTES = 1024 * 1024;

export class BuildContextRefused extends Error {
  constructor(
    readonly reason: string,
    /** true when the context itself could not be read (not a policy question) */
    readonly unreadable: boolean,
  ) {
    super(reason);
  }
}

const MAGIC: readonly [string, number[]][] = [
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

/**
 * `wanted`: the entry names the builder may read as the Dockerfile; `problem`: what is wrong with
 * the entries read (null: the build may go on), maybe once the engine has been asked something
 * (the ONBUILD triggers of base images); a lookup that fails refuses the build.
 */
export function createBuildContextGuard(wanted: ReadonlySet<string>, problem: (entries: readonly TarEntry[]) => string | null | Promise<string | null>): Transform {
  const tar = createTarReader((name) => wanted.has(name), MAX_DOCKERFILE_BYTES);
  let head: Buffer = Buffer.alloc(0);
  let mode: 'detect' | 'plain' | 'gzip' = 'detect';
  let gunzip: Gunzip | null = null;
  let unreadable: string | null = null;

  const read = (chunk: Buffer): void => {
    if (unreadable !== null) return;
    const step = tar.push(chunk);
    if (!step.ok) unreadable = `the context is not a tar archive sockgate can read (${step.reason})`;
  };
  const feed = (chunk: Buffer): void => {
    if (mode === 'detect') {
      head = Buffer.concat([head, chunk]);
      if (head.length < 6) return;
      const compressed = MAGIC.find(([, m]) => m.every((b, i) => head[i] === b));
      if (compressed !== undefined) {
        unreadable = `the context is compressed with ${compressed[0]}, which sockgate does not read (send it uncompressed or gzip-compressed)`;
        mode = 'plain';
        return;
      }
      if (head[0] === 0x1f && head[1] === 0x8b) {
        mode = 'gzip';
        gunzip = createGunzip();
        gunzip.on('data', read);
        gunzip.on('error', (err: Error) => (unreadable = `the gzip-compressed context cannot be read (${err.message})`));
      } else mode = 'plain';
      chunk = head;
    }
    if (mode === 'gzip') gunzip!.write(chunk);
    else read(chunk);
  };

  // The last bytes are held back until the verdict: with Content-Length framing, the engine has
  // a whole context as soon as it has every byte, whether or not the upload then ends cleanly.
  let held: Buffer = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      feed(chunk);
      held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      if (held.length <= HELD_BYTES) return done();
      const out = held.subarray(0, held.length - HELD_BYTES);
      held = Buffer.from(held.subarray(held.length - HELD_BYTES));
      done(null, out);
    },
    flush(done: TransformCallback) {
      let decided = false;
      const decide = (): void => {
        if (decided) return;
        decided = true;
        if (unreadable !== null) return done(new BuildContextRefused(unreadable, true));
        Promise.resolve()
          .then(() => problem(tar.entries))
          .then(
            (why) => (why !== null ? done(new BuildContextRefused(why, false)) : done(null, held)),
            (err: Error) => done(new BuildContextRefused(`sockgate could not check the build: ${err.message}`, true)),
          );
      };
      if (mode === 'detect' && head.length > 0) {
        mode = 'plain';
        read(head);
      }
      if (gunzip === null) return decide();
      gunzip.once('end', decide);
      gunzip.once('error', decide);
      gunzip.end();
    },
  });
}
