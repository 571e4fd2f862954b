import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { createImageLabelCache } from '../../../src/proxy/image-labels.js';
import { startFakeDaemon, type FakeDaemon } from '../../helpers/fake-daemon.js';

/** image id → [status, inspect answer] */
let images: Record<string, [number, unknown]> = {};
let daemon: FakeDaemon;
let pool: Pool;

beforeAll(async () => {
  daemon = await startFakeDaemon();
  daemon.handler = (req, res) => {
    const id = /^\/images\/([^/]+)\/json$/.exec(req.url ?? '')?.[1] ?? '';
    const [status, body] = images[id] ?? [404, { message: 'No such image' }];
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
  pool = new Pool('http://localhost', { socketPath: daemon.socketPath });
});
afterEach(() => {
  images = {};
  daemon.received.length = 0;
});
afterAll(async () => {
  await pool?.close();
  await daemon?.close();
});

const withLabels = (labels: Record<string, string> | null): [number, unknown] => [200, { Config: { Labels: labels } }];

describe('whether an image carries sockgate\'s reserved labels', () => {
  it.each<[string, Record<string, string> | null, boolean]>([
    ['an image with an io.sockgate.* label', { 'io.sockgate.owner': 'ci' }, true],
    ['an image with another io.sockgate label among others', { a: 'b', 'io.sockgate.x': '' }, true],
    ['an image with other labels only', { 'io.sockgatex': 'y', 'org.opencontainers.image.title': 't' }, false],
    ['an image with no labels', null, false],
  ])('is told for %s', async (_what, labels, reserved) => {
    images['sha256:1'] = withLabels(labels);
    expect(await createImageLabelCache(pool, 1000).carriesReserved('sha256:1')).toBe(reserved);
  });

  it('asks the engine once per image id (content never changes)', async () => {
    images['sha256:1'] = withLabels({ 'io.sockgate.owner': 'ci' });
    images['sha256:2'] = withLabels({});
    const cache = createImageLabelCache(pool, 1000);
    expect(await cache.carriesReserved('sha256:1')).toBe(true);
    expect(await cache.carriesReserved('sha256:1')).toBe(true);
    expect(await cache.carriesReserved('sha256:2')).toBe(false);
    expect(await cache.carriesReserved('sha256:2')).toBe(false);
    expect(daemon.received.map((c) => c.url)).toEqual(['/images/sha256:1/json', '/images/sha256:2/json']);
  });

  it.each<[string, [number, unknown] | undefined, RegExp]>([
    ['an image that is gone', undefined, /image sha256:1 of the container is gone/],
    ['an engine error', [500, { message: 'boom' }], /image sha256:1 could not be looked up \(the engine answered 500/],
  ])('fails closed for %s, and asks again next time', async (_what, answer, message) => {
    if (answer !== undefined) images['sha256:1'] = answer;
    const cache = createImageLabelCache(pool, 1000);
    await expect(cache.carriesReserved('sha256:1')).rejects.toThrow(message);
    await expect(cache.carriesReserved('sha256:1')).rejects.toThrow(message);
    expect(daemon.received).toHaveLength(2);
  });
});
