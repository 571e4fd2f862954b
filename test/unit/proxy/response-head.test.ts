import { describe, expect, it } from 'vitest';
import { closesAfter, contentLengthOf, isChunked, readResponseHead } from '../../../src/proxy/response-head.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('reading an engine answer\'s head from raw bytes', () => {
  it('reads the status and the header lines as the engine spelled them, and hands on the body\'s start', () => {
    const r = readResponseHead(b('HTTP/1.1 200 OK\r\nApi-Version: 1.51\r\nContent-Length: 2\r\nX-Odd:  spaced \r\n\r\nOK'));
    expect(r).toMatchObject({ kind: 'head', status: 200, rawHeaders: ['Api-Version', '1.51', 'Content-Length', '2', 'X-Odd', 'spaced'] });
    expect(r.kind === 'head' && r.rest.toString()).toBe('OK');
  });

  it('waits for a head that has not fully arrived, and skips interim answers', () => {
    expect(readResponseHead(b('HTTP/1.1 200 OK\r\nContent-Le'))).toEqual({ kind: 'more' });
    expect(readResponseHead(b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'))).toMatchObject({ kind: 'head', status: 204 });
    expect(readResponseHead(b('HTTP/1.1 101 Switching Protocols\r\nUpgrade: tcp\r\n\r\n'))).toMatchObject({ kind: 'head', status: 101 });
  });

  it.each([
    ['a status line that is not HTTP/1.x', 'HTTP/2 200\r\n\r\n'],
    ['a status code that is not three digits', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nnot a header\r\n\r\n'],
    ['an obsolete folded line', 'HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n'],
    ['a space before the colon', 'HTTP/1.1 200 OK\r\nA : b\r\n\r\n'],
    ['a bare LF', 'HTTP/1.1 200 OK\r\nA: b\nC: d\r\n\r\n'],
  ])('refuses %s', (_what, text) => {
    expect(readResponseHead(b(text)).kind).toBe('error');
  });

  it('refuses a head larger than the limit, whole or still arriving', () => {
    expect(readResponseHead(b(`HTTP/1.1 200 OK\r\nA: ${'x'.repeat(100)}`), 64).kind).toBe('error');
    expect(readResponseHead(b(`HTTP/1.1 200 OK\r\nA: ${'x'.repeat(100)}\r\n\r\n`), 64).kind).toBe('error');
  });
});

describe('the framing an engine answer\'s headers give', () => {
  it('reads Content-Length: one value, repeats that agree, nothing else', () => {
    expect(contentLengthOf(['Content-Length', '12'])).toBe(12);
    expect(contentLengthOf(['content-length', '3', 'Content-Length', '3'])).toBe(3);
    expect(contentLengthOf([])).toBeNull();
    for (const bad of [['Content-Length', '1', 'Content-Length', '2'], ['Content-Length', '-1'], ['Content-Length', '1,1'], ['Content-Length', ' 1']]) expect(contentLengthOf(bad)).toBeNaN();
  });

  it('takes Transfer-Encoding only as exactly chunked, once', () => {
    expect(isChunked(['Transfer-Encoding', 'chunked'])).toBe(true);
    expect(isChunked([])).toBeNull();
    expect(isChunked(['Transfer-Encoding', 'gzip, chunked'])).toBe(false);
    expect(isChunked(['Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked'])).toBe(false);
  });

  it('tells an answer after which the engine closes its connection', () => {
    expect(closesAfter(['Connection', 'keep-alive, close'])).toBe(true);
    expect(closesAfter(['Connection', 'keep-alive'])).toBe(false);
  });
});
