import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingFile } from '../../../src/audit/rotating-file.js';
import { tempDir } from '../../helpers/temp.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('sg-rot-');
});
afterEach(() => tmp.cleanup());

const line = (i: number, pad = 40): string => JSON.stringify({ i, pad: 'x'.repeat(pad) }) + '\n';
const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : []);

describe('RotatingFile', () => {
  it('writes records that come together in one call, and still rotates between them at the size limit', () => {
    const path = join(tmp.dir, 'audit.log');
    const size = Buffer.byteLength(line(0));
    const f = new RotatingFile({ path, maxBytes: size * 3 + 5, keep: 10 });
    f.write(line(0) + line(1));
    f.write(line(2) + line(3) + line(4) + line(5) + line(6));
    f.close();
    const files = [path, `${path}.1`, `${path}.2`];
    for (const file of files) expect(statSync(file).size).toBeLessThanOrEqual(size * 3 + 5);
    const all = [...files].reverse().flatMap((file) => lines(file).map((l) => (JSON.parse(l) as { i: number }).i));
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('creates the file with mode 0600 and appends whole lines', () => {
    const path = join(tmp.dir, 'audit.log');
    const f = new RotatingFile({ path, maxBytes: 1 << 20, keep: 2 });
    f.write(line(1));
    f.write(line(2));
    f.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(lines(path).map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([1, 2]);
  });

  it('rotates before a write that would pass maxBytes, so no file exceeds it and no record is split', () => {
    const path = join(tmp.dir, 'audit.log');
    const size = Buffer.byteLength(line(0));
    const f = new RotatingFile({ path, maxBytes: size * 3 + 5, keep: 10 });
    for (let i = 0; i < 10; i++) f.write(line(i));
    f.close();
    const files = [path, ...[1, 2, 3].map((n) => `${path}.${n}`)];
    for (const file of files) {
      expect(statSync(file).size).toBeLessThanOrEqual(size * 3 + 5);
      for (const l of lines(file)) expect(() => JSON.parse(l) as unknown).not.toThrow();
    }
    // newest in PATH, then PATH.1 (next newest) ...: every record once, in order
    const all = [...files].reverse().flatMap((file) => lines(file).map((l) => (JSON.parse(l) as { i: number }).i));
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(lines(path)).toHaveLength(1);
  });

  it('keeps only `keep` rotated files, dropping the oldest', () => {
    const path = join(tmp.dir, 'audit.log');
    const f = new RotatingFile({ path, maxBytes: Buffer.byteLength(line(0)), keep: 2 });
    for (let i = 0; i < 6; i++) f.write(line(i));
    f.close();
    expect(readdirSync(tmp.dir).sort()).toEqual(['audit.log', 'audit.log.1', 'audit.log.2']);
    expect([path, `${path}.1`, `${path}.2`].map((p) => (JSON.parse(lines(p)[0]!) as { i: number }).i)).toEqual([5, 4, 3]);
  });

  it('keeps no rotated file with keep 0', () => {
    const path = join(tmp.dir, 'audit.log');
    const f = new RotatingFile({ path, maxBytes: Buffer.byteLength(line(0)), keep: 0 });
    for (let i = 0; i < 3; i++) f.write(line(i));
    f.close();
    expect(readdirSync(tmp.dir)).toEqual(['audit.log']);
    expect(lines(path)).toEqual([line(2).trimEnd()]);
  });

  it('writes a record larger than maxBytes whole, into a file of its own', () => {
    const path = join(tmp.dir, 'audit.log');
    const f = new RotatingFile({ path, maxBytes: 100, keep: 3 });
    f.write(line(1, 10));
    f.write(line(2, 500));
    f.write(line(3, 10));
    f.close();
    expect(lines(`${path}.2`).map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([1]);
    expect(lines(`${path}.1`)).toEqual([line(2, 500).trimEnd()]);
    expect(lines(path).map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([3]);
  });

  it('counts an existing file towards maxBytes and leaves its mode alone', () => {
    const path = join(tmp.dir, 'audit.log');
    writeFileSync(path, line(0));
    chmodSync(path, 0o640);
    const f = new RotatingFile({ path, maxBytes: Buffer.byteLength(line(0)) + 1, keep: 1 });
    f.write(line(1));
    f.close();
    expect(lines(`${path}.1`)).toEqual([line(0).trimEnd()]);
    expect(lines(path)).toEqual([line(1).trimEnd()]);
    expect(statSync(`${path}.1`).mode & 0o777).toBe(0o640);
  });

  it('survives a failed write: reports it, never throws, and resumes once the file can be written again', () => {
    const dir = join(tmp.dir, 'logs');
    const path = join(dir, 'audit.log');
    // a directory that does not exist yet: creating the file fails at start
    expect(() => new RotatingFile({ path, maxBytes: 1000, keep: 1 })).toThrow(/ENOENT/);
    const errors: { err: Error; lost: number }[] = [];
    mkdirSync(dir);
    const f = new RotatingFile({ path, maxBytes: 1000, keep: 1, onError: (err, lost) => errors.push({ err, lost }) });
    f.write(line(1));
    // the directory disappears: the next rotation (forced by size) cannot reopen the file
    rmSync(dir, { recursive: true });
    expect(() => f.write(line(2, 2000))).not.toThrow();
    expect(f.write(line(3))).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.lost).toBe(1);
    expect(f.lost).toBe(2);
    mkdirSync(dir);
    f.write(line(4));
    f.close();
    expect(lines(path).map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([4]);
  });
});
