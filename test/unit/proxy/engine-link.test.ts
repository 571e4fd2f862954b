import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EngineLink, type LinkOptions } from '../../../src/proxy/engine-link.js';
import { forwardRequestHeaders } from '../../../src/proxy/headers.js';
import { rawEngine, type RawEngine } from '../../helpers/raw-engine.js';
import { rawExchange, statuses } from '../../helpers/raw-http.js';
import { tempDir } from '../../helpers/temp.js';
import { waitUntil } from '../../helpers/wait.js';

const OK = (s: Socket): void => void s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nApi-Version: 1.51\r\n\r\nok');

let engine: RawEngine;
let server: Server;
let socketPath: string;
let cleanup: () => void;
let linkOptions: LinkOptions;
/** what each forward() said, the heads handed to onHead, and the failures handed to onFailure */
let accepted: boolean[] = [];
let heads: [number, readonly string[]][] = [];
let failures: [string, boolean][] = [];
/** the client's target → the checked one (what a gate would have decided to send) */
const checked = (url: string): string => url.replace('/client/', '/checked/');

/** Forward as the server does: one link per client connection, the headers filtered, a body streamed in its own framing. */
function forward(req: IncomingMessage, res: Parameters<EngineLink['forward']>[1], links: WeakMap<object, EngineLink>): void {
  let link = links.get(req.socket);
  if (link === undefined) {
    const mine = new EngineLink(linkOptions);
    links.set(req.socket, (link = mine));
    req.socket.once('close', () => mine.close());
  }
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const body = length !== undefined || chunked ? { body: req, bodyLength: length === undefined ? null : Number(length) } : {};
  const headers = { ...forwardRequestHeaders(req.headers), ...(chunked ? { 'transfer-encoding': 'chunked' } : {}) };
  const ok = link.forward({ method: req.method ?? 'GET', target: checked(req.url ?? '/'), headers, keepAlive: true, ...body }, res, {
    onHead: (status, raw) => heads.push([status, raw]),
    onFailure: (err, timedOut) => {
      failures.push([err.message, timedOut]);
      res.writeHead(timedOut ? 504 : 502).end();
    },
  });
  accepted.push(ok);
  if (!ok) res.writeHead(503).end();
}

beforeAll(async () => {
  engine = await rawEngine();
  const dir = tempDir('sg-link-');
  cleanup = dir.cleanup;
  socketPath = join(dir.dir, 'client.sock');
  const links = new WeakMap<object, EngineLink>();
  server = createServer((req, res) => forward(req, res, links));
  await new Promise<void>((r) => server.listen(socketPath, r));
  linkOptions = { socketPath: engine.socketPath, connectTimeoutMs: 1000, headersTimeoutMs: 0 };
});
afterEach(() => {
  engine.heads.length = 0;
  engine.bodyBytes = 0;
  engine.chunks = 0;
  engine.answer = (_h, s) => OK(s);
  linkOptions = { socketPath: engine.socketPath, connectTimeoutMs: 1000, headersTimeoutMs: 0 };
  accepted = [];
  heads = [];
  failures = [];
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await engine.close();
  cleanup();
});

/** Send requests on one client connection, each once the answer before it is in. */
async function sequential(requests: readonly string[]): Promise<string> {
  const sock = connect({ path: socketPath });
  let out = '';
  sock.on('data', (d: Buffer) => (out += d.toString('latin1')));
  for (const [i, r] of requests.entries()) {
    sock.write(r);
    await waitUntil(() => statuses(out).length > i, 2000, `answer ${i + 1}`);
    await new Promise((res) => setTimeout(res, 30));
  }
  sock.destroy();
  return out;
}

const get = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nHost: d\r\n${extra}\r\n`;

describe('a client connection\'s link to the engine', () => {
  it('writes the checked target and the given headers, and hands the engine\'s head to onHead', async () => {
    const out = await sequential([get('/client/containers/json?all=1', 'X-Trace: 1\r\n')]);
    expect(engine.heads).toEqual([['GET /checked/containers/json?all=1 HTTP/1.1\r\nhost: d\r\nx-trace: 1']]);
    expect(statuses(out)).toEqual([200]);
    expect(out.endsWith('\r\n\r\nok')).toBe(true);
    expect(heads).toEqual([[200, ['Content-Length', '2', 'Api-Version', '1.51']]]);
  });

  it('sends the Host undici would send when the client sent none', async () => {
    await rawExchange(socketPath, 'GET /_ping HTTP/1.0\r\n\r\n', 1000, 100);
    expect(engine.heads[0]![0]).toBe('GET /_ping HTTP/1.1\r\nhost: localhost');
  });

  it('keeps one engine connection across the requests of one client connection', async () => {
    await sequential([get('/a'), get('/b'), get('/c')]);
    expect(engine.heads.map((c) => c.length)).toEqual([3]);
  });

  it.each([
    ['a chunked answer, decoded and framed anew', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', '3\r\nabc\r\n0\r\n\r\n', [1]],
    ['an empty answer', 'HTTP/1.1 204 No Content\r\n\r\n', '', [1]],
  ])('relays %s and keeps the engine connection', async (_what, answer, body, perConnection) => {
    engine.answer = (_h, s) => void s.write(answer);
    const out = await sequential([get('/a')]);
    expect(out.slice(out.indexOf('\r\n\r\n') + 4)).toBe(body);
    expect(engine.heads.map((c) => c.length)).toEqual(perConnection);
  });

  it('relays a close-delimited answer to its end, then uses a new engine connection', async () => {
    engine.answer = (h, s) => void (h.startsWith('GET /a') ? s.end('HTTP/1.1 200 OK\r\n\r\nraw stream') : OK(s));
    const out = await rawExchange(socketPath, get('/a'), 1000);
    expect(out.endsWith('\r\n\r\nraw stream')).toBe(true);
    await sequential([get('/b')]);
    expect(engine.heads.map((c) => c.length)).toEqual([1, 1]);
  });

  it('tries a GET again once, on a new connection, when a kept engine connection closes before answering', async () => {
    let n = 0;
    engine.answer = (_h, s) => (++n === 2 ? s.destroy() : OK(s));
    const out = await sequential([get('/a'), get('/b')]);
    expect(statuses(out)).toEqual([200, 200]);
    expect(engine.heads).toEqual([['GET /a HTTP/1.1\r\nhost: d', 'GET /b HTTP/1.1\r\nhost: d'], ['GET /b HTTP/1.1\r\nhost: d']]);
    expect(failures).toEqual([]);
  });

  it('never repeats a request with a body: it goes on a new connection, and a failure is reported', async () => {
    engine.answer = (h, s) => (h.startsWith('POST') ? s.destroy() : OK(s));
    const out = await sequential([get('/a'), 'POST /b HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}']);
    expect(statuses(out)).toEqual([200, 502]);
    expect(engine.heads.map((c) => c.length)).toEqual([1, 1]);
    expect(failures).toHaveLength(1);
  });

  it.each([
    ['Content-Length', 'POST /b HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\n\r\nhello', false],
    ['chunked', 'POST /b HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n', true],
  ])('streams a %s request body to the engine in its framing', async (_what, request, chunked) => {
    const out = await sequential([request]);
    expect(statuses(out)).toEqual([200]);
    expect(engine.bodyBytes).toBe(5);
    // (the raw engine counts the chunks of a chunked body, the last one included)
    expect(engine.chunks > 0).toBe(chunked);
  });

  it.each([
    ['the engine cannot be reached', () => (linkOptions = { ...linkOptions, socketPath: `${engine.socketPath}.missing` }), 502, false],
    ['the engine does not answer in time', () => ((linkOptions = { ...linkOptions, headersTimeoutMs: 100 }), (engine.answer = () => undefined)), 504, true],
    ['the engine answers with a head it cannot read', () => (engine.answer = (_h, s) => void s.write('HTTP/1.1 200 OK\r\nbroken\r\n\r\n')), 502, false],
    ['the engine switches protocols on a plain request', () => (engine.answer = (_h, s) => void s.write('HTTP/1.1 101 Switching Protocols\r\n\r\n')), 502, false],
    ['the engine gives two lengths', () => (engine.answer = (_h, s) => void s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok')), 502, false],
  ])('reports a failure before any answer head when %s', async (_what, arrange, status, timedOut) => {
    arrange();
    const out = await sequential([get('/a')]);
    expect(statuses(out)).toEqual([status]);
    expect(failures.map(([, t]) => t)).toEqual([timedOut]);
    expect(heads).toEqual([]);
  });

  it('cuts the client off when the engine sends more than its Content-Length', async () => {
    engine.answer = (_h, s) => void s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokay');
    const out = await rawExchange(socketPath, get('/a'), 1000);
    expect(heads.map(([status]) => status)).toEqual([200]);
    expect(out).not.toContain('okay');
    expect(failures).toEqual([]);
  });
});

describe('whether a link takes a request', () => {
  it('is idle when new, and takes no request once closed', () => {
    const link = new EngineLink(linkOptions);
    expect(link.idle).toBe(true);
    link.close();
    expect(link.idle).toBe(false);
    expect(link.forward({ method: 'GET', target: '/', headers: {}, keepAlive: true }, {} as never, { onHead: () => undefined, onFailure: () => undefined })).toBe(false);
  });

  it('takes no second request while one is in flight', async () => {
    const link = new EngineLink(linkOptions);
    engine.answer = () => undefined;
    const hooks = { onHead: () => undefined, onFailure: () => undefined };
    const res = { once: () => undefined, on: () => undefined, off: () => undefined } as never;
    expect(link.forward({ method: 'GET', target: '/a', headers: {}, keepAlive: true }, res, hooks)).toBe(true);
    expect(link.idle).toBe(false);
    expect(link.forward({ method: 'GET', target: '/b', headers: {}, keepAlive: true }, res, hooks)).toBe(false);
    await waitUntil(() => engine.heads.flat().length === 1, 2000, 'first request');
    await new Promise((r) => setTimeout(r, 30));
    link.close();
    expect(engine.heads.flat()).toEqual(['GET /a HTTP/1.1\r\nhost: localhost']);
  });
});
