import { describe, expect, it } from 'vitest';
import { createChunkedDecoder } from '../../../src/proxy/chunked.js';

const feed = (...parts: string[]) => {
  const d = createChunkedDecoder();
  let data = '';
  let last;
  for (const p of parts) {
    last = d.push(Buffer.from(p, 'latin1'));
    if (!last.ok) return last;
    data += Buffer.concat([...last.data]).toString('latin1');
  }
  return { ...last, text: data };
};

describe('the chunked body reader of upgrade requests', () => {
  it('reads an empty body and hands back what follows it', () => {
    expect(feed('0\r\n\r\nPRI')).toMatchObject({ ok: true, done: true, text: '', rest: Buffer.from('PRI') });
  });

  it('reads chunks split anywhere, sizes in either case of hex', () => {
    expect(feed('5\r\nhel', 'lo\r\n', 'A\r\n0123456789\r', '\n0\r', '\n\r\n')).toMatchObject({ ok: true, done: true, text: 'hello0123456789' });
  });

  it('waits for more while the body is not complete', () => {
    expect(feed('3\r\nabc\r\n')).toMatchObject({ ok: true, done: false, text: 'abc' });
  });

  it.each([
    ['a chunk extension', '0;ext=1\r\n\r\n'],
    ['trailers', '0\r\nX-Trailer: 1\r\n\r\n'],
    ['a size that is not hex', 'zz\r\n'],
    ['a size with spaces', ' 5\r\nhello\r\n0\r\n\r\n'],
    ['data not followed by CRLF', '2\r\nabX\r\n'],
    ['a size line without end', '0000000000000000000'],
  ])('refuses %s', (_what, input) => {
    expect(feed(input).ok).toBe(false);
  });
});
