import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { claimedUserAgent, createConnectionCounter, MAX_USER_AGENT_CHARS } from '../../../src/audit/client.js';

describe('numbering the connections of a listener', () => {
  it('numbers connections from 1 in accept order and knows each one\'s number', () => {
    const counter = createConnectionCounter();
    const [a, b, c] = [{}, {}, {}] as Socket[];
    counter.onConnection(a!);
    counter.onConnection(b!);
    counter.onConnection(c!);
    expect([counter.connOf(a!), counter.connOf(b!), counter.connOf(c!), counter.connOf(a!)]).toEqual([1, 2, 3, 1]);
  });

  it('gives 0 for a connection it never saw', () => {
    expect(createConnectionCounter().connOf({})).toBe(0);
  });

  it('counts each listener on its own', () => {
    const one = createConnectionCounter();
    const two = createConnectionCounter();
    const s = {} as Socket;
    one.onConnection({} as Socket);
    one.onConnection(s);
    two.onConnection(s);
    expect([one.connOf(s), two.connOf(s)]).toEqual([2, 1]);
  });
});

describe('the client\'s claimed User-Agent', () => {
  it.each<[string, string | string[] | undefined, string | null]>([
    ['is kept as sent', 'Docker-Client/27.0.1 (linux)', 'Docker-Client/27.0.1 (linux)'],
    ['is null when absent', undefined, null],
    ['is null when empty', '', null],
    ['is one value when sent twice', ['a/1', 'b/2'], 'a/1, b/2'],
    ['is cut to its bounded length', 'x'.repeat(MAX_USER_AGENT_CHARS + 10), 'x'.repeat(MAX_USER_AGENT_CHARS)],
    ['is kept whole at exactly the bound', 'y'.repeat(MAX_USER_AGENT_CHARS), 'y'.repeat(MAX_USER_AGENT_CHARS)],
  ])('%s', (_what, header, expected) => {
    expect(claimedUserAgent(header)).toBe(expected);
  });
});
