import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import type { ResolvedTarget } from '../../../src/inspect/engine-answers.js';
import { createTargetCache, TARGET_CACHE_TTL_MS, type TargetCache } from '../../../src/proxy/target-cache.js';
import { startFakeDaemon, type FakeDaemon } from '../../helpers/fake-daemon.js';
import { waitUntil } from '../../helpers/wait.js';

const FOUND: ResolvedTarget = { ok: true, facts: { id: 'a'.repeat(64), name: 'web', image: 'nginx', labels: {}, imageId: '' } };
const REF = { via: 'container', ref: 'web' } as const;

let daemon: FakeDaemon;
let pool: Pool;
/** the open event streams the fake engine is serving */
let streams: ServerResponse[] = [];
let eventsStatus = 200;
let cache: TargetCache;
let errors: Error[];
let clock: number;

beforeAll(async () => {
  daemon = await startFakeDaemon();
  daemon.handler = (req, res) => {
    if (!req.url?.startsWith('/events')) return void res.writeHead(404).end();
    if (eventsStatus !== 200) return void res.writeHead(eventsStatus).end('{"message":"no"}');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    streams.push(res);
  };
  pool = new Pool('http://localhost', { socketPath: daemon.socketPath });
});
beforeEach(() => {
  streams = [];
  eventsStatus = 200;
  errors = [];
  clock = 1_000_000;
  daemon.received.length = 0;
  cache = createTargetCache(pool, (e) => errors.push(e), () => clock);
});
afterEach(() => cache.close());
afterAll(async () => {
  await pool?.close();
  await daemon?.close();
});

/** A resolver that counts its calls. */
function resolver(value: ResolvedTarget = FOUND): { resolve: () => Promise<ResolvedTarget>; calls: () => number } {
  let n = 0;
  return { resolve: () => (n++, Promise.resolve(value)), calls: () => n };
}

/** First use opens the event stream; wait until it is connected. */
async function goLive(r = resolver()): Promise<void> {
  await cache.lookup({ via: 'container', ref: 'warm-up' }, r.resolve);
  await waitUntil(() => cache.live, 2000, 'event stream');
}

const event = (): void => void streams.at(-1)!.write('{"Type":"container","Action":"rename"}\n');
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 30));

describe('the target lookup cache', () => {
  it('opens the engine\'s container event stream on first use, not before', async () => {
    await tick();
    expect(daemon.received).toEqual([]);
    await goLive();
    expect(daemon.received.map((c) => c.url)).toEqual([`/events?filters=${encodeURIComponent('{"type":["container"]}')}`]);
  });

  it('does not keep a lookup made before the event stream was connected', async () => {
    const r = resolver();
    await cache.lookup(REF, r.resolve);
    await waitUntil(() => cache.live, 2000, 'event stream');
    await cache.lookup(REF, r.resolve);
    expect(r.calls()).toBe(2);
  });

  it('answers a repeated lookup from the cache while the stream is connected', async () => {
    await goLive();
    const r = resolver();
    expect(await cache.lookup(REF, r.resolve)).toBe(FOUND);
    expect(await cache.lookup(REF, r.resolve)).toBe(FOUND);
    expect(r.calls()).toBe(1);
  });

  it.each([
    ['the same reference via an exec', { via: 'exec', ref: 'web' } as const],
    ['another reference', { via: 'container', ref: 'web2' } as const],
  ])('keeps %s apart', async (_what, other) => {
    await goLive();
    const r = resolver();
    await cache.lookup(REF, r.resolve);
    await cache.lookup(other, r.resolve);
    expect(r.calls()).toBe(2);
  });

  it('asks the engine again once an entry is older than its lifetime', async () => {
    await goLive();
    const r = resolver();
    await cache.lookup(REF, r.resolve);
    clock += TARGET_CACHE_TTL_MS - 1;
    await cache.lookup(REF, r.resolve);
    expect(r.calls()).toBe(1);
    clock += 1;
    await cache.lookup(REF, r.resolve);
    expect(r.calls()).toBe(2);
  });

  it('never keeps a failed lookup', async () => {
    await goLive();
    const r = resolver({ ok: false, reason: 'no such container: web' });
    await cache.lookup(REF, r.resolve);
    await cache.lookup(REF, r.resolve);
    expect(r.calls()).toBe(2);
  });

  it('empties itself on any container event', async () => {
    await goLive();
    const r = resolver();
    await cache.lookup(REF, r.resolve);
    event();
    await tick();
    await cache.lookup(REF, r.resolve);
    expect(r.calls()).toBe(2);
  });

  it('does not keep a lookup that an event overlapped', async () => {
    await goLive();
    let n = 0;
    const slow = async (): Promise<ResolvedTarget> => {
      n++;
      if (n === 1) {
        event();
        await tick();
      }
      return FOUND;
    };
    await cache.lookup(REF, slow);
    await cache.lookup(REF, slow);
    expect(n).toBe(2);
  });

  it('is bypassed while the event stream is down, and connects again', async () => {
    await goLive();
    const r = resolver();
    await cache.lookup(REF, r.resolve);
    streams.at(-1)!.end();
    await waitUntil(() => !cache.live, 2000, 'stream down');
    await cache.lookup(REF, r.resolve);
    expect(r.calls()).toBe(2);
    await waitUntil(() => cache.live, 3000, 'reconnect');
    expect(streams).toHaveLength(2);
  });

  it('reports an event stream the engine refuses, and stays bypassed', async () => {
    eventsStatus = 500;
    const r = resolver();
    await cache.lookup(REF, r.resolve);
    await waitUntil(() => errors.length > 0, 2000, 'error reported');
    expect(errors[0]!.message).toBe('the engine answered 500 to GET /events');
    expect(cache.live).toBe(false);
    await cache.lookup(REF, r.resolve);
    expect(r.calls()).toBe(2);
  });

  it('closes the event stream when closed', async () => {
    await goLive();
    const closed = new Promise<void>((r) => streams.at(-1)!.once('close', r));
    cache.close();
    expect(cache.live).toBe(false);
    await closed;
  });
});
