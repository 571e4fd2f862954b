/**
 * Protocol hygiene, driven with raw bytes on the socket (not a well-behaved client). Every case
 * asserts what reached the (fake) engine, not only the status code.
 */
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { policyFromYaml, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { rawExchange, request, statuses } from '../helpers/raw-http.js';
import { waitUntil } from '../helpers/wait.js';

// Allows only what the tests need; everything else must never reach the engine.
const POLICY = policyFromYaml(`version: 1
rules:
  - id: allow-list
    effect: allow
    methods: [GET]
    endpoints: [containers.list, system.ping]
  - id: allow-start
    effect: allow
    methods: [POST]
    endpoints: [containers.start]
`);

let daemon: FakeDaemon;
let proxy: RunningProxy;

beforeEach(async () => {
  daemon = await startFakeDaemon();
  proxy = await startProxy(POLICY, daemon.socketPath, { clientHeadersTimeoutMs: 400, clientBodyIdleTimeoutMs: 400 });
});
afterEach(async () => {
  await proxy.close();
  await daemon.close();
});

const forwarded = (): string[] => daemon.received.map((r) => `${r.method} ${r.url}`);

describe('framing', () => {
  it.each([
    ['duplicate Content-Length', 'POST /containers/a/start HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}'],
    ['conflicting Content-Length', 'POST /containers/a/start HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}'],
    ['Content-Length list', 'POST /containers/a/start HTTP/1.1\r\nHost: d\r\nContent-Length: 2, 2\r\n\r\n{}'],
    ['Content-Length with Transfer-Encoding', 'POST /containers/a/start HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['Transfer-Encoding not ending in chunked', 'POST /containers/a/start HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n'],
    ['obfuscated Transfer-Encoding', 'POST /containers/a/start HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n'],
    ['space before the colon', 'POST /containers/a/start HTTP/1.1\r\nHost: d\r\nContent-Length : 2\r\n\r\n{}'],
    ['bare LF line endings', 'POST /containers/create HTTP/1.1\nHost: d\nContent-Length: 2\n\n{}'],
    ['lower-case method', 'get /containers/json HTTP/1.1\r\nHost: d\r\n\r\n'],
    ['missing Host on HTTP/1.1', 'GET /containers/json HTTP/1.1\r\n\r\n'],
    ['header folding', 'GET /containers/json HTTP/1.1\r\nHost: d\r\nX-A: 1\r\n  continued\r\n\r\n'],
    ['NUL in a header', 'GET /containers/json HTTP/1.1\r\nHost: d\r\nX-A: a\u0000b\r\n\r\n'],
  ])('refuses %s with 400, closes, and forwards nothing', async (_name, payload) => {
    const raw = await rawExchange(proxy.socketPath, payload);
    expect(statuses(raw)[0]).toBe(400);
    expect(forwarded()).toEqual([]);
  });

  it('refuses a bad chunk and never delivers a request built from it', async () => {
    const raw = await rawExchange(proxy.socketPath, 'POST /containers/a/start HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n');
    expect(statuses(raw).every((s) => s === 400)).toBe(true);
    // The engine may have seen the start of the request, never a complete one.
    expect(daemon.received.filter((r) => r.body.length > 0)).toEqual([]);
  });
});

describe('keep-alive and pipelining', () => {
  it('decides every pipelined request on its own, denied ones included', async () => {
    const raw = await rawExchange(
      proxy.socketPath,
      'GET /containers/json HTTP/1.1\r\nHost: d\r\n\r\n' +
        'GET /info HTTP/1.1\r\nHost: d\r\n\r\n' +
        'GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n',
    );
    expect(statuses(raw)).toEqual([200, 403, 200]);
    expect(forwarded()).toEqual(['GET /containers/json', 'GET /_ping']);
  });

  it('never lets a request hidden in an allowed request\'s body reach the engine', async () => {
    const smuggled = 'DELETE /containers/victim HTTP/1.1\r\nHost: d\r\n\r\n';
    // Content-Length: 0 — the bytes after the head are a second request, which the gate decides.
    const raw = await rawExchange(proxy.socketPath, `POST /containers/a/start HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n${smuggled}`);
    expect(statuses(raw)).toEqual([200, 403]);
    expect(forwarded()).toEqual(['POST /containers/a/start']);
  });

  it('forwards exactly Content-Length body bytes', async () => {
    const body = '{"a":1}';
    const smuggled = 'DELETE /containers/victim HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n';
    const raw = await rawExchange(proxy.socketPath, `POST /containers/a/start HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}${smuggled}`);
    expect(statuses(raw)).toEqual([200, 403]);
    expect(daemon.received).toHaveLength(1);
    expect(daemon.received[0]!.body.toString()).toBe(body);
  });

  it('reads and discards a denied request\'s body, then decides the next request on its own', async () => {
    const raw = await rawExchange(
      proxy.socketPath,
      'POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}' + 'GET /containers/json HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n',
    );
    expect(statuses(raw)).toEqual([403, 200]);
    expect(forwarded()).toEqual(['GET /containers/json']);
  });

  it('closes the connection after denying a request whose body is over the drain limit', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10);
    const raw = await rawExchange(proxy.socketPath, `POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: ${big.length}\r\n\r\n${big}GET /containers/json HTTP/1.1\r\nHost: d\r\n\r\n`);
    expect(statuses(raw)).toEqual([403]);
    expect(raw.toLowerCase()).toContain('connection: close');
    expect(forwarded()).toEqual([]);
  });
});

describe('idle client connections', () => {
  /** Send one ping, stay idle `idleMs`, send another; the status codes seen and whether the socket closed first. */
  async function pingTwice(socketPath: string, idleMs: number): Promise<{ statuses: number[]; closedWhileIdle: boolean }> {
    const { connect } = await import('node:net');
    return new Promise((resolve, reject) => {
      const s = connect({ path: socketPath });
      let out = '';
      let closed = false;
      s.on('data', (d: Buffer) => (out += d.toString('latin1')));
      s.on('close', () => (closed = true));
      s.on('error', () => undefined);
      s.write('GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n');
      setTimeout(() => {
        const closedWhileIdle = closed;
        if (closed) return resolve({ statuses: statuses(out), closedWhileIdle });
        s.write('GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n');
        s.once('close', () => resolve({ statuses: statuses(out), closedWhileIdle }));
      }, idleMs);
      setTimeout(() => reject(new Error('no answer')), idleMs + 5000);
    });
  }

  it('keeps an idle keep-alive connection open until the client closes it, as the engine does', async () => {
    // Closing idle connections races the client's next request on them (a reset for docker-py).
    expect(proxy.app.server.keepAliveTimeout).toBe(0);
    const r = await pingTwice(proxy.socketPath, 1500);
    expect(r).toEqual({ statuses: [200, 200], closedWhileIdle: false });
  });

  it('closes idle connections after --client-idle-timeout when one is set', async () => {
    await proxy.close();
    proxy = await startProxy(POLICY, daemon.socketPath, { clientIdleTimeoutMs: 300 });
    const r = await pingTwice(proxy.socketPath, 1500);
    expect(r).toEqual({ statuses: [200], closedWhileIdle: true });
  });

  it.each(['ECONNRESET', 'EPIPE'])('does not report a client that hangs up (%s) as a malformed request', async (code) => {
    // Node reports socket errors of a client connection (a reset read, a write to a client that
    // left, as after docker run --rm's wait) through the same clientError hook as parse errors.
    const { connect } = await import('node:net');
    const serverSide = new Promise<import('node:net').Socket>((resolve) => proxy.app.server.once('connection', resolve));
    const client = connect({ path: proxy.socketPath });
    client.on('error', () => undefined);
    const socket = await serverSide;
    proxy.app.server.emit('clientError', Object.assign(new Error(`read ${code}`), { code }), socket);
    expect(socket.destroyed).toBe(true);
    expect(proxy.log.records.filter((r) => r['msg'] === 'malformed request')).toEqual([]);
    client.destroy();
  });
});

describe('request targets on the wire', () => {
  it.each([
    ['absolute-form', 'GET http://docker/containers/json HTTP/1.1\r\nHost: d\r\n\r\n'],
    ['absolute-form with another path', 'GET http://docker/v1.41/containers/create HTTP/1.1\r\nHost: d\r\n\r\n'],
    ['asterisk-form', 'OPTIONS * HTTP/1.1\r\nHost: d\r\n\r\n'],
    ['dot segments', 'GET /containers/json/../../info HTTP/1.1\r\nHost: d\r\n\r\n'],
    ['encoded dot segments', 'GET /v1.41/containers/%2e%2e/info HTTP/1.1\r\nHost: d\r\n\r\n'],
    ['doubled slash', 'GET //containers/json HTTP/1.1\r\nHost: d\r\n\r\n'],
    ['trailing slash', 'GET /containers/json/ HTTP/1.1\r\nHost: d\r\n\r\n'],
    ['odd version prefix', 'GET /v1.41.1/containers/json HTTP/1.1\r\nHost: d\r\n\r\n'],
    ['semicolon in the query', 'GET /containers/json?all=1;size=1 HTTP/1.1\r\nHost: d\r\n\r\n'],
  ])('refuses %s with 400 and forwards nothing', async (_name, payload) => {
    const raw = await rawExchange(proxy.socketPath, payload);
    expect(statuses(raw)[0]).toBe(400);
    expect(raw).toContain('application/json');
    expect(forwarded()).toEqual([]);
  });

  it('refuses CONNECT without forwarding anything', async () => {
    const raw = await rawExchange(proxy.socketPath, 'CONNECT docker:2375 HTTP/1.1\r\nHost: docker:2375\r\n\r\n', 500);
    expect(statuses(raw).filter((s) => s < 400)).toEqual([]);
    expect(forwarded()).toEqual([]);
  });

  it('refuses an unknown method without forwarding anything', async () => {
    const raw = await rawExchange(proxy.socketPath, 'PROPFIND /containers/json HTTP/1.1\r\nHost: d\r\n\r\n');
    expect(statuses(raw)[0]).toBeGreaterThanOrEqual(400);
    expect(forwarded()).toEqual([]);
  });
});

describe('headers', () => {
  it('refuses a form-encoded body, which the engine would merge into the query', async () => {
    const res = await request(proxy.socketPath, 'POST', '/containers/a/start', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'detachKeys=ctrl-x' });
    expect(res.status).toBe(400);
    expect(forwarded()).toEqual([]);
  });

  it('refuses a GET with a body', async () => {
    const raw = await rawExchange(proxy.socketPath, 'GET /containers/json HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}');
    expect(statuses(raw)[0]).toBe(400);
    expect(forwarded()).toEqual([]);
  });

  it('answers 431 to oversized headers and forwards nothing', async () => {
    const raw = await rawExchange(proxy.socketPath, `GET /containers/json HTTP/1.1\r\nHost: d\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
    expect(statuses(raw)[0]).toBe(431);
    expect(forwarded()).toEqual([]);
  });

  it('serves HTTP/1.0 clients', async () => {
    const raw = await rawExchange(proxy.socketPath, 'GET /containers/json HTTP/1.0\r\n\r\n');
    expect(statuses(raw)).toEqual([200]);
    expect(forwarded()).toEqual(['GET /containers/json']);
  });
});

describe('Expect: 100-continue', () => {
  it('invites the body of an allowed request with 100 Continue, then forwards it', async () => {
    const sock = connect({ path: proxy.socketPath });
    let out = '';
    sock.on('data', (d) => (out += d.toString()));
    sock.write('POST /containers/a/start HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n');
    await waitUntil(() => out.includes('100 Continue'), 2000, '100 Continue');
    sock.write('{}');
    await waitUntil(() => out.includes('200 OK'), 2000, '200');
    sock.destroy();
    expect(daemon.received[0]!.body.toString()).toBe('{}');
    expect(daemon.received[0]!.headers['expect']).toBeUndefined();
  });

  it('answers a denied request at once, without inviting its body', async () => {
    const sock = connect({ path: proxy.socketPath });
    let out = '';
    sock.on('data', (d) => (out += d.toString()));
    sock.write('POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n');
    await waitUntil(() => out.includes('403'), 2000, '403');
    sock.destroy();
    expect(out).not.toContain('100 Continue');
    expect(forwarded()).toEqual([]);
  });
});

describe('slow clients', () => {
  it('cuts off a client that never finishes its headers, while others are served', async () => {
    const slow = connect({ path: proxy.socketPath });
    let closed = false;
    let out = '';
    slow.on('data', (d) => (out += d.toString()));
    slow.on('close', () => (closed = true));
    slow.write('GET /containers/json HTTP/1.1\r\nHost: d\r\n');
    const drip = setInterval(() => slow.write('X-Drip: 1\r\n'), 100);
    try {
      const ok = await request(proxy.socketPath, 'GET', '/containers/json');
      expect(ok.status).toBe(200);
      await waitUntil(() => closed, 5000, 'slow client closed');
    } finally {
      clearInterval(drip);
      slow.destroy();
    }
    expect(statuses(out).every((s) => s === 408)).toBe(true);
    expect(forwarded()).toEqual(['GET /containers/json']);
  });

  it('closes a connection whose request body stalls', async () => {
    let closed = false;
    const slow = connect({ path: proxy.socketPath });
    slow.on('close', () => (closed = true));
    slow.on('error', () => undefined);
    slow.write('POST /containers/a/start HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\n{"a"');
    await waitUntil(() => closed, 5000, 'stalled body closed');
    expect(daemon.received.filter((r) => r.body.length === 10)).toEqual([]);
  });
});
