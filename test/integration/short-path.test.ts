/**
 * The short path (proxy/engine-link.ts): admitted GET and HEAD requests without a body go to the
 * engine on the client connection's own engine connection, written by hand, and the answer is
 * relayed by its framing. Against a raw fake engine that answers exactly the bytes a test gives.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_ALL, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { rawExchange, statuses } from '../helpers/raw-http.js';
import { rawEngine, type RawEngine } from '../helpers/raw-engine.js';
import { waitUntil } from '../helpers/wait.js';

let engine: RawEngine;
let proxy: RunningProxy;
beforeAll(async () => {
  engine = await rawEngine();
  proxy = await startProxy(ALLOW_ALL, engine.socketPath, { upstream: { headersTimeoutMs: 500 } });
  // (the engine's version is probed at start, through the pool)
  await appProbed();
});
const appProbed = async (): Promise<void> => {
  await proxy.app.probeEngine();
  engine.heads.length = 0;
};
afterAll(async () => {
  await proxy.close();
  await engine.close();
});
afterEach(() => {
  engine.heads.length = 0;
  engine.bodyBytes = 0;
  engine.chunks = 0;
  engine.answer = (_head, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nApi-Version: 1.51\r\n\r\nok');
});

/** Send requests on one client connection, each once the answer before it is in; the whole exchange. */
async function exchange(requests: string[], waitMs = 800): Promise<string> {
  if (requests.length === 1) return rawExchange(proxy.socketPath, requests[0]!, waitMs, 300);
  const sock = connect({ path: proxy.socketPath });
  let out = '';
  sock.on('data', (d) => (out += d.toString('latin1')));
  let closed = false;
  sock.on('close', () => (closed = true));
  for (const [i, r] of requests.entries()) {
    if (closed) break;
    sock.write(r);
    await waitUntil(() => closed || (out.match(/HTTP\/1\.1 \d{3}/g) ?? []).length > i, waitMs, `answer ${i + 1}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  sock.destroy();
  return out;
}

describe('the short path for GET and HEAD', () => {
  it('sends the checked target with the client\'s headers on one engine connection per client connection, kept across requests', async () => {
    const out = await exchange(['GET /v1.41/containers/json?all=1 HTTP/1.1\r\nHost: d\r\nX-Trace: 1\r\n\r\n', 'GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n']);
    expect(statuses(out)).toEqual([200, 200]);
    expect(out).toContain('Api-Version: 1.51');
    expect(engine.heads).toHaveLength(1);
    expect(engine.heads[0]!.map((h) => h.split('\r\n')[0])).toEqual(['GET /v1.41/containers/json?all=1 HTTP/1.1', 'GET /_ping HTTP/1.1']);
    expect(engine.heads[0]![0]).toContain('x-trace: 1');
    // a second client connection gets its own engine connection
    await exchange(['GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n']);
    expect(engine.heads).toHaveLength(2);
  });

  it('relays a chunked answer de-chunked and framed anew, and a HEAD answer without a body', async () => {
    engine.answer = (head, s) =>
      head.startsWith('HEAD') ? s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n') : s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    const out = await exchange(['GET /containers/json HTTP/1.1\r\nHost: d\r\n\r\n', 'HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n']);
    expect(statuses(out)).toEqual([200, 200]);
    const [chunked, headOnly] = out.split(/(?=HTTP\/1\.1 200)/);
    expect(chunked).toMatch(/transfer-encoding: chunked/i);
    expect(chunked!.replace(/\r\n/g, '|')).toContain('|abc|');
    expect(headOnly).toContain('Content-Length: 5');
    expect(headOnly!.endsWith('\r\n\r\n')).toBe(true);
    expect(engine.heads).toHaveLength(1);
  });

  it('relays a close-delimited answer to the engine\'s EOF and then closes the client\'s connection', async () => {
    engine.answer = (_h, s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil-eof');
    const out = await exchange(['GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n', 'GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n']);
    expect(statuses(out)).toEqual([200]);
    expect(out.endsWith('until-eof')).toBe(true);
  });

  it('retries once on a new connection when the engine closed a kept one, and answers 502 when the engine is gone', async () => {
    let first = true;
    engine.answer = (_h, s) => {
      if (first) {
        first = false;
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        setTimeout(() => s.destroy(), 20);
      } else s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nnew');
    };
    const sock = connect({ path: proxy.socketPath });
    let out = '';
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.write('GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n');
    await waitUntil(() => out.includes('ok'), 2000, 'first answer');
    await new Promise((r) => setTimeout(r, 100));
    sock.write('GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n');
    await waitUntil(() => out.includes('new'), 2000, 'the retried answer');
    sock.destroy();
    expect(engine.heads).toHaveLength(2);
  });

  it.each([
    ['a head sockgate cannot read', (s: Socket) => s.write('HTTP/1.1 200 OK\r\nbroken\r\n\r\n'), 502],
    ['no head in time', () => undefined, 504],
    ['a close before any answer', (s: Socket) => s.destroy(), 502],
  ])('answers the client in the engine\'s form for %s', async (_what, answer, status) => {
    engine.answer = (_h, s) => answer(s);
    const out = await exchange(['GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n'], 1500);
    expect(statuses(out)).toEqual([status]);
    expect(out).toMatch(/\{"message":"sockgate: .*SOCKGATE_ERR_UPSTREAM_(UNAVAILABLE|TIMEOUT)\]"\}/);
  });

  it('cuts the client off, never passing on extra bytes, when the engine sends more than its Content-Length', async () => {
    engine.answer = (_h, s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n');
      setTimeout(() => s.write('okHTTP/1.1 200 OK\r\n\r\n'), 20);
    };
    const out = await exchange(['GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n']);
    expect(out).not.toContain('okHTTP');
  });

  it('sends a Host to the engine for an HTTP/1.0 client that gave none', async () => {
    const out = await exchange(['GET /_ping HTTP/1.0\r\n\r\n']);
    expect(statuses(out)).toEqual([200]);
    expect(engine.heads.at(-1)![0]).toContain('host: localhost');
  });

  it('streams a large upload to the engine by its Content-Length on a connection of its own, and relays the answer', async () => {
    const size = 256 * 1024;
    engine.answer = (head, s) => {
      if (!head.startsWith('POST')) return void s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      const wait = setInterval(() => {
        if (engine.bodyBytes < size) return;
        clearInterval(wait);
        s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nloaded\r\n0\r\n\r\n');
      }, 5);
    };
    const out = await exchange(['GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n', `POST /images/load HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-tar\r\nContent-Length: ${size}\r\n\r\n${'x'.repeat(size)}`, 'GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n'], 3000);
    expect(statuses(out)).toEqual([200, 200, 200]);
    expect(out).toContain('loaded');
    expect(engine.bodyBytes).toBe(size);
    // the upload went on a new engine connection (never repeated on a kept one); the next GET uses it
    expect(engine.heads.map((c) => c.map((h) => h.split(' ')[0]))).toEqual([['GET'], ['POST', 'GET']]);
    expect(engine.heads[1]![0]).toContain(`content-length: ${size}`);
  });

  it('closes the client\'s connection after an answer the engine gave before the end of the upload', async () => {
    engine.answer = (_h, s) => s.write('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"message":"no"}\n');
    const size = 128 * 1024;
    const sock = connect({ path: proxy.socketPath });
    let out = '';
    let closed = false;
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('close', () => (closed = true));
    sock.on('error', () => undefined);
    sock.write(`POST /images/load HTTP/1.1\r\nHost: d\r\nContent-Length: ${size}\r\n\r\n${'x'.repeat(1000)}`);
    await waitUntil(() => out.includes('{"message":"no"}'), 2000, 'the early answer');
    expect(statuses(out)).toEqual([400]);
    expect(out.toLowerCase()).toContain('connection: close');
    sock.write('x'.repeat(size - 1000));
    await waitUntil(() => closed, 3000, 'the client connection closed');
  });

  it('streams a chunked upload (as Go clients send one) chunked anew, whatever its size', async () => {
    engine.answer = (_h, s) => {
      const wait = setInterval(() => {
        if (engine.chunks === 0 || engine.bodyBytes < 6 + 70_000) return;
        clearInterval(wait);
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone');
      }, 5);
    };
    const big = 'y'.repeat(70_000);
    const out = await exchange([`PUT /containers/c/archive?path=%2Ftmp HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`], 3000);
    expect(statuses(out)).toEqual([200]);
    expect(out).toContain('done');
    expect(engine.bodyBytes).toBe(6 + 70_000);
    expect(engine.heads[0]![0]).toContain('transfer-encoding: chunked');
  });
});
