import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatcher } from 'undici';
import { EnginePool, engineRawHeaders } from '../../../src/proxy/engine-pool.js';
import { startFakeDaemon, type FakeDaemon } from '../../helpers/fake-daemon.js';

let daemon: FakeDaemon;
let pool: EnginePool;

beforeAll(async () => {
  daemon = await startFakeDaemon();
  daemon.handler = (_req, res) => {
    // Header names as an engine spells them, one of them twice.
    res.writeHead(200, [
      ['Api-Version', '1.41'],
      ['X-Twice', 'a'],
      ['X-Twice', 'b'],
      ['Content-Type', 'application/json'],
    ].flat());
    res.end('{}');
  };
  pool = new EnginePool('http://localhost', { socketPath: daemon.socketPath });
});
afterAll(async () => {
  await pool?.close();
  await daemon?.close();
});

const OPTIONS: Dispatcher.RequestOptions = { path: '/version', method: 'GET', headers: { host: 'docker' } };

describe('the engine pool', () => {
  it('keeps each answer\'s header lines as the engine spelled them, for the promise form', async () => {
    const res = await pool.request(OPTIONS);
    const raw = engineRawHeaders(res.body);
    await res.body.text();
    expect(raw).toEqual(expect.arrayContaining(['Api-Version', '1.41', 'X-Twice', 'a', 'X-Twice', 'b']));
    expect(raw!.indexOf('X-Twice')).toBeLessThan(raw!.lastIndexOf('X-Twice'));
  });

  it('still gives promise-form callers the lower-cased header map, repeated headers as lists', async () => {
    const res = await pool.request(OPTIONS);
    await res.body.text();
    expect(res.headers['api-version']).toBe('1.41');
    expect(res.headers['x-twice']).toEqual(['a', 'b']);
    expect(res.headers['Api-Version']).toBeUndefined();
  });

  it('keeps the raw header lines for the callback form too', async () => {
    const raw = await new Promise<readonly string[] | undefined>((resolve, reject) => {
      pool.request(OPTIONS, (err, data) => {
        if (err) return reject(err);
        const lines = engineRawHeaders(data.body);
        data.body.resume();
        data.body.once('end', () => resolve(lines));
      });
    });
    expect(raw).toEqual(expect.arrayContaining(['Api-Version', '1.41', 'Content-Type', 'application/json']));
  });

  it('knows no header lines for a body that is not an engine answer', () => {
    expect(engineRawHeaders({})).toBeUndefined();
  });

  it('hands the callback form the error of an engine it cannot reach', async () => {
    const dead = new EnginePool('http://localhost', { socketPath: `${daemon.socketPath}.missing` });
    const err = await new Promise<Error | null>((resolve) => dead.request(OPTIONS, (e) => resolve(e)));
    await dead.close();
    expect(err).toBeInstanceOf(Error);
  });
});
