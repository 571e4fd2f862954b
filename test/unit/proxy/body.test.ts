import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { consumeBody } from '../../../src/proxy/body.js';

const from = (...parts: string[]): Readable => Readable.from(parts.map((p) => Buffer.from(p)));

describe('reading a whole body within a limit', () => {
  it.each([
    ['an empty body', [], 0, ''],
    ['a body in one piece', ['hello'], 5, 'hello'],
    ['a body in several pieces, exactly at the limit', ['ab', 'cd', 'e'], 5, 'abcde'],
  ])('keeps %s', async (_what, parts, limit, expected) => {
    expect((await consumeBody(from(...parts), limit, true))?.toString()).toBe(expected);
  });

  it.each([
    ['one byte over the limit', ['abcdef'], 5],
    ['over the limit only across pieces', ['abc', 'def'], 5],
  ])('gives null for a body %s', async (_what, parts, limit) => {
    expect(await consumeBody(from(...parts), limit, true)).toBeNull();
  });

  it('reads a discarded body to its end and gives an empty buffer', async () => {
    const body = await consumeBody(from('abc', 'def'), 6, false);
    expect(body).toEqual(Buffer.alloc(0));
  });

  it('stops reading a body past the limit (the rest is not consumed)', async () => {
    const stream = new PassThrough();
    const read = consumeBody(stream, 3, true);
    stream.write('abcd');
    expect(await read).toBeNull();
    expect(stream.isPaused()).toBe(true);
  });

  it('gives null when the stream fails', async () => {
    const stream = new PassThrough();
    const read = consumeBody(stream, 100, true);
    stream.write('ab');
    stream.destroy(new Error('reset'));
    expect(await read).toBeNull();
  });

  it.each([
    ['null for a body cut off before its end', false, null],
    ['what was read for a body that closed complete', true, 'ab'],
  ])('gives %s', async (_what, complete, expected) => {
    const stream = Object.assign(new PassThrough(), { complete });
    const read = consumeBody(stream, 100, true);
    stream.write('ab');
    await new Promise((r) => setImmediate(r));
    stream.destroy();
    expect((await read)?.toString() ?? null).toBe(expected);
  });
});
