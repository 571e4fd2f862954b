import { describe, expect, it } from 'vitest';
import { readTarHeader } from '../../../src/inspect/tar-reader.js';
import { tarOf } from '../../helpers/tar.js';

/** The first header block of an archive of `files`. */
const firstHeader = (files: Record<string, string>, format: 'gnu' | 'posix' | 'ustar' = 'ustar'): Buffer => Buffer.from(tarOf(files, { format }).subarray(0, 512));

/** Rewrite a header's checksum field after editing it, as a tar writer would. */
function resum(block: Buffer): Buffer {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return block;
}

describe('readTarHeader', () => {
  it.each([
    ['a ustar regular file', firstHeader({ 'a/b.txt': 'hello' }), { type: '0', name: 'a/b.txt', size: 5 }],
    ['a GNU regular file', firstHeader({ Dockerfile: 'FROM x\n' }, 'gnu'), { type: '0', name: 'Dockerfile', size: 7 }],
    ['a ustar name split into prefix and name', firstHeader({ [`${'p'.repeat(120)}/Dockerfile`]: '' }), { type: '0', name: `${'p'.repeat(120)}/Dockerfile`, size: 0 }],
    ['a GNU long-name entry', firstHeader({ [`${'d'.repeat(120)}/f`]: 'x' }, 'gnu'), { type: 'L', name: '././@LongLink', size: 122 + 1 /* the name and its NUL */ }],
    ['a PAX extended header', firstHeader({ [`${'d'.repeat(120)}/f`]: 'x' }, 'posix'), { type: 'x', name: 'PaxHeader', size: '132 path=\n'.length + 122 }],
    ['a base-256 size', resum(Buffer.concat([firstHeader({ f: '' }).subarray(0, 124), Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00]), firstHeader({ f: '' }).subarray(136)])), { type: '0', name: 'f', size: 256 }],
  ])('reads %s', (_what, block, header) => {
    expect(readTarHeader(block)).toEqual({ ok: true, header });
  });

  it.each([
    ['a changed byte', (b: Buffer) => { b[0] = 0x41; return b; }, 'a header checksum does not match'],
    ['a size that is not octal', (b: Buffer) => { b.write('0000000009x\0', 124, 'latin1'); return resum(b); }, 'a header size is not a number'],
  ])('refuses a header with %s', (_what, edit, reason) => {
    expect(readTarHeader(edit(firstHeader({ f: 'x' })))).toEqual({ ok: false, reason });
  });
});
