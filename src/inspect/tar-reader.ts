/**
 * An incremental reader of a tar stream (a build context), as Go's archive/tar reads it for the
 * engine's Untar: POSIX ustar (name with prefix), GNU long names ('L'), PAX extended headers
 * ('x': path, size), header checksums verified, end at a zero block. It keeps the data of the
 * entries a caller wants (bounded) and only the names and types of the others. Pure: bytes in,
 * entries out. Anything it cannot read as the engine would is an error.
 */
import { posix } from 'node:path';

export interface TarEntry {
  /** the name as the engine's Untar cleans it (no leading "/" or "./") */
  readonly name: string;
  /** '0' regular file, '1' hard link, '2' symbolic link, '5' directory, … */
  readonly type: string;
  /** the data, for wanted regular entries; null when over the limit or not wanted */
  readonly data: Buffer | null;
}

export type TarStep = { readonly ok: true; readonly done: boolean } | { readonly ok: false; readonly reason: string };

export interface TarReader {
  push(chunk: Buffer): TarStep;
  /** the entries read so far, in order */
  readonly entries: readonly TarEntry[];
}

const BLOCK = 512;

/** Clean a tar name the way moby's archive.Untar does (filepath.Clean, then relative to the root). */
export function cleanTarName(name: string): string {
  const cleaned = posix.normalize('/' + name).replace(/^\/+/, '');
  return cleaned === '' ? '.' : cleaned.replace(/\/$/, '');
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul === -1 ? raw.length : nul).toString('utf8');
}

/** A numeric field: octal text (spaces and NULs around it), or base-256 when the high bit is set. */
function numeric(block: Buffer, start: number, length: number): number | null {
  const raw = block.subarray(start, start + length);
  if ((raw[0]! & 0x80) !== 0) {
    let n = raw[0]! & 0x7f;
    for (let i = 1; i < raw.length; i++) n = n * 256 + raw[i]!;
    return Number.isSafeInteger(n) ? n : null;
  }
  const text = raw.toString('latin1').replace(/[\0 ]+$/, '').replace(/^[ ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return null;
  const n = parseInt(text, 8);
  return Number.isSafeInteger(n) ? n : null;
}

function checksumOk(block: Buffer): boolean {
  const want = numeric(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}

function paxRecords(data: Buffer): Map<string, string> | null {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp === -1) return null;
    const len = Number(data.subarray(i, sp).toString('latin1'));
    if (!Number.isSafeInteger(len) || len <= 0 || i + len > data.length || data[i + len - 1] !== 0x0a) return null;
    const record = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0) return null;
    out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

/** `wanted(name)` says whether to keep an entry's data (regular files only, up to `maxData` bytes). */
export function createTarReader(wanted: (name: string) => boolean, maxData: number): TarReader {
  const entries: TarEntry[] = [];
  let buf: Buffer = Buffer.alloc(0);
  let done = false;
  let failed: string | null = null;
  // the entry being read: its data still to come
  let current: { name: string; type: string; size: number; keep: boolean; parts: Buffer[] } | null = null;
  let pad = 0;
  let nextName: string | null = null;
  let nextSize: number | null = null;
  let zeroBlocks = 0;

  const finishEntry = (): string | null => {
    const e = current!;
    current = null;
    const data = e.keep ? Buffer.concat(e.parts) : null;
    if (e.type === 'L') {
      nextName = data === null ? null : field(data, 0, data.length);
      if (nextName === null) return 'a GNU long name is too long';
      return null;
    }
    if (e.type === 'x') {
      const records = data === null ? null : paxRecords(data);
      if (records === null) return 'a PAX header is malformed or too long';
      if (records.has('path')) nextName = records.get('path')!;
      if (records.has('size')) {
        const n = Number(records.get('size'));
        if (!Number.isSafeInteger(n) || n < 0) return 'a PAX size is not a number';
        nextSize = n;
      }
      return null;
    }
    if (e.type === 'g') return null;
    entries.push({ name: e.name, type: e.type, data: e.keep && (e.type === '0' || e.type === '\0') ? data : null });
    return null;
  };

  const step = (): boolean => {
    if (current !== null) {
      if (current.size > 0) {
        if (buf.length === 0) return false;
        const part = buf.subarray(0, current.size);
        if (current.keep) current.parts.push(Buffer.from(part));
        current.size -= part.length;
        buf = buf.subarray(part.length);
        if (current.size > 0) return false;
      }
      if (pad > 0) {
        if (buf.length === 0) return false;
        const skip = Math.min(pad, buf.length);
        pad -= skip;
        buf = buf.subarray(skip);
        if (pad > 0) return false;
      }
      failed = finishEntry();
      return failed === null;
    }
    if (buf.length < BLOCK) return false;
    const block = buf.subarray(0, BLOCK);
    buf = buf.subarray(BLOCK);
    if (block.every((b) => b === 0)) {
      // Go's reader: two zero blocks end the archive (one, then EOF, also ends it)
      if (++zeroBlocks === 2) done = true;
      return !done;
    }
    if (zeroBlocks > 0) {
      failed = 'data after a zero block';
      return false;
    }
    if (!checksumOk(block)) {
      failed = 'a header checksum does not match';
      return false;
    }
    const type = String.fromCharCode(block[156]!);
    const magic = block.subarray(257, 263).toString('latin1');
    const ustar = magic === 'ustar\0';
    const rawName = field(block, 0, 100);
    const prefix = ustar ? field(block, 345, 155) : '';
    const size = numeric(block, 124, 12);
    if (size === null) {
      failed = 'a header size is not a number';
      return false;
    }
    const name = nextName ?? (prefix !== '' ? `${prefix}/${rawName}` : rawName);
    const realSize = type === 'x' || type === 'g' || type === 'L' ? size : (nextSize ?? size);
    if (type !== 'x' && type !== 'g' && type !== 'L') {
      nextName = null;
      nextSize = null;
    }
    const cleaned = cleanTarName(name);
    // directories, links and devices carry no data (a hard link's size is ignored by Untar)
    const dataSize = type === '0' || type === '\0' || type === '7' || type === 'x' || type === 'g' || type === 'L' ? realSize : 0;
    const meta = type === 'x' || type === 'g' || type === 'L';
    const keep = meta ? realSize <= 64 * 1024 : wanted(cleaned) && realSize <= maxData;
    current = { name: cleaned, type, size: dataSize, keep, parts: [] };
    pad = (BLOCK - (dataSize % BLOCK)) % BLOCK;
    return true;
  };

  return {
    entries,
    push(chunk: Buffer): TarStep {
      if (failed !== null) return { ok: false, reason: failed };
      if (done) return { ok: true, done: true };
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (step());
      if (failed !== null) return { ok: false, reason: failed };
      return { ok: true, done };
    },
  };
}
