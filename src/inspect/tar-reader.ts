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

/** The fields of a header block the reader uses. */
export interface TarHeader {
  /** the type flag, as in TarEntry */
  readonly type: string;
  /** the name as written (ustar prefix joined on), before any GNU long name or PAX path replaces it */
  readonly name: string;
  /** the size field (a PAX size may replace it) */
  readonly size: number;
}

/** Read a header block (not a zero block): its fields, or why the engine's reader would fail on it. */
export function readTarHeader(block: Buffer): { readonly ok: true; readonly header: TarHeader } | { readonly ok: false; readonly reason: string } {
  if (!checksumOk(block)) return { ok: false, reason: 'a header checksum does not match' };
  const type = String.fromCharCode(block[156]!);
  const magic = block.subarray(257, 263).toString('latin1');
  const ustar = magic === 'ustar\0';
  const rawName = field(block, 0, 100);
  const prefix = ustar ? field(block, 345, 155) : '';
  const size = numeric(block, 124, 12);
  if (size === null) return { ok: false, reason: 'a header size is not a number' };
  return { ok: true, header: { type, name: prefix !== '' ? `${prefix}/${rawName}` : rawName, size } };
}

/** Entries that describe the next entry (PAX extended, PAX global, GNU long name) rather than a file. */
function isMetaType(type: string): boolean {
  return type === 'x' || type === 'g' || type === 'L';
}

/** Most bytes of a meta entry's data kept; a longer GNU long name or PAX extended header is an error. */
const MAX_META_DATA = 64 * 1024;

/** The entry being read: its data still to come. */
interface OpenEntry {
  readonly name: string;
  readonly type: string;
  /** data bytes still to come */
  size: number;
  readonly keep: boolean;
  readonly parts: Buffer[];
}

/** The reader's state between chunks: the bytes not yet consumed and where in the archive they fall. */
class TarStream implements TarReader {
  readonly entries: TarEntry[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  private failed: string | null = null;
  private current: OpenEntry | null = null;
  /** padding bytes after the current entry's data still to skip */
  private pad = 0;
  /** the name and size a GNU long name or PAX header gave the next entry */
  private nextName: string | null = null;
  private nextSize: number | null = null;
  private zeroBlocks = 0;

  constructor(
    private readonly wanted: (name: string) => boolean,
    private readonly maxData: number,
  ) {}

  push(chunk: Buffer): TarStep {
    if (this.failed !== null) return { ok: false, reason: this.failed };
    if (this.done) return { ok: true, done: true };
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.step());
    if (this.failed !== null) return { ok: false, reason: this.failed };
    return { ok: true, done: this.done };
  }

  /** Consume what the buffer holds of the next piece; false when more input is needed or reading stopped. */
  private step(): boolean {
    return this.current !== null ? this.readData(this.current) : this.readHeader();
  }

  /** Consume the current entry's data and padding; once both are in, finish the entry. */
  private readData(current: OpenEntry): boolean {
    if (current.size > 0) {
      if (this.buf.length === 0) return false;
      const part = this.buf.subarray(0, current.size);
      if (current.keep) current.parts.push(Buffer.from(part));
      current.size -= part.length;
      this.buf = this.buf.subarray(part.length);
      if (current.size > 0) return false;
    }
    if (this.pad > 0) {
      if (this.buf.length === 0) return false;
      const skip = Math.min(this.pad, this.buf.length);
      this.pad -= skip;
      this.buf = this.buf.subarray(skip);
      if (this.pad > 0) return false;
    }
    this.failed = this.finishEntry();
    return this.failed === null;
  }

  /** Consume one header block (or a zero block) and open the entry it describes. */
  private readHeader(): boolean {
    if (this.buf.length < BLOCK) return false;
    const block = this.buf.subarray(0, BLOCK);
    this.buf = this.buf.subarray(BLOCK);
    if (block.every((b) => b === 0)) {
      // Go's reader: two zero blocks end the archive (one, then EOF, also ends it)
      if (++this.zeroBlocks === 2) this.done = true;
      return !this.done;
    }
    if (this.zeroBlocks > 0) {
      this.failed = 'data after a zero block';
      return false;
    }
    const read = readTarHeader(block);
    if (!read.ok) {
      this.failed = read.reason;
      return false;
    }
    this.openEntry(read.header);
    return true;
  }

  /** Start reading the entry a header describes, applying (and then forgetting) a long name or PAX size. */
  private openEntry(header: TarHeader): void {
    const { type, size } = header;
    const meta = isMetaType(type);
    const name = this.nextName ?? header.name;
    const realSize = meta ? size : (this.nextSize ?? size);
    if (!meta) {
      this.nextName = null;
      this.nextSize = null;
    }
    const cleaned = cleanTarName(name);
    // directories, links and devices carry no data (a hard link's size is ignored by Untar)
    const dataSize = type === '0' || type === '\0' || type === '7' || meta ? realSize : 0;
    const keep = meta ? realSize <= MAX_META_DATA : this.wanted(cleaned) && realSize <= this.maxData;
    this.current = { name: cleaned, type, size: dataSize, keep, parts: [] };
    this.pad = (BLOCK - (dataSize % BLOCK)) % BLOCK;
  }

  /** Close the current entry: a meta entry sets what applies to the next one, any other is recorded. Returns an error or null. */
  private finishEntry(): string | null {
    const e = this.current!;
    this.current = null;
    const data = e.keep ? Buffer.concat(e.parts) : null;
    if (e.type === 'L') {
      this.nextName = data === null ? null : field(data, 0, data.length);
      if (this.nextName === null) return 'a GNU long name is too long';
      return null;
    }
    if (e.type === 'x') {
      const records = data === null ? null : paxRecords(data);
      if (records === null) return 'a PAX header is malformed or too long';
      if (records.has('path')) this.nextName = records.get('path')!;
      if (records.has('size')) {
        const n = Number(records.get('size'));
        if (!Number.isSafeInteger(n) || n < 0) return 'a PAX size is not a number';
        this.nextSize = n;
      }
      return null;
    }
    if (e.type === 'g') return null;
    this.entries.push({ name: e.name, type: e.type, data: e.keep && (e.type === '0' || e.type === '\0') ? data : null });
    return null;
  }
}

/** `wanted(name)` says whether to keep an entry's data (regular files only, up to `maxData` bytes). */
export function createTarReader(wanted: (name: string) => boolean, maxData: number): TarReader {
  const stream = new TarStream(wanted, maxData);
  return {
    entries: stream.entries,
    push: (chunk: Buffer): TarStep => stream.push(chunk),
  };
}
