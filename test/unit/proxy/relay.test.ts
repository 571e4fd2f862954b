import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResponseHead } from '../../../src/proxy/headers.js';
import { relayStream, relayWhole, writeHead } from '../../../src/proxy/relay.js';
import { rawExchange } from '../../helpers/raw-http.js';
import { tempDir } from '../../helpers/temp.js';
import { waitUntil } from '../../helpers/wait.js';

let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
let server: Server;
let socketPath: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ dir: socketPath, cleanup } = tempDir('sg-relay-'));
  socketPath = join(socketPath, 'relay.sock');
  server = createServer((req, res) => handle(req, res));
  await new Promise<void>((r) => server.listen(socketPath, r));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  cleanup();
});

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
const headOf = (raw: string): string => raw.slice(0, raw.indexOf('\r\n\r\n')).toLowerCase();
const bodyOf = (raw: string): string => raw.slice(raw.indexOf('\r\n\r\n') + 4);
const head = (framing: ResponseHead['framing'], headers: string[] = ['Api-Version', '1.41']): ResponseHead => ({ headers, framing });

describe('writing an engine answer\'s head', () => {
  it('writes the engine\'s header lines in its spelling', async () => {
    handle = (_req, res) => (writeHead(res, 200, head('length', ['Api-Version', '1.41', 'Content-Length', '2']), { keepAlive: true }), res.end('ok'));
    const raw = await rawExchange(socketPath, GET, 1000, 100);
    expect(raw).toContain('\r\nApi-Version: 1.41\r\n');
    expect(headOf(raw)).toContain('connection: keep-alive');
  });

  it('sends a close-delimited answer unframed and closes the connection after it', async () => {
    handle = (_req, res) => (writeHead(res, 200, head('close'), { keepAlive: true }), res.write('raw '), res.end('stream'));
    const raw = await rawExchange(socketPath, GET, 1000);
    expect(headOf(raw)).not.toContain('transfer-encoding');
    expect(headOf(raw)).toContain('connection: close');
    expect(bodyOf(raw)).toBe('raw stream');
  });

  it('keeps a chunked answer chunked', async () => {
    handle = (_req, res) => (writeHead(res, 200, head('chunked'), { keepAlive: true }), res.end('abc'));
    const raw = await rawExchange(socketPath, GET, 1000, 100);
    expect(headOf(raw)).toContain('transfer-encoding: chunked');
    expect(bodyOf(raw)).toBe('3\r\nabc\r\n0\r\n\r\n');
  });

  it('closes the connection after the answer when it may not carry another request', async () => {
    handle = (_req, res) => (writeHead(res, 200, head('length', ['Content-Length', '2']), { keepAlive: false }), res.end('ok'));
    const raw = await rawExchange(socketPath, GET, 1000);
    expect(headOf(raw)).toContain('connection: close');
  });
});

describe('relaying a whole rewritten body', () => {
  it('sends it with its own length', async () => {
    handle = (_req, res) => relayWhole(res, 200, head('chunked'), Buffer.from('[{"Id":"a"}]'), { keepAlive: true });
    const raw = await rawExchange(socketPath, GET, 1000, 100);
    expect(headOf(raw)).toContain('content-length: 12');
    expect(headOf(raw)).not.toContain('transfer-encoding');
    expect(bodyOf(raw)).toBe('[{"Id":"a"}]');
  });
});

describe('relaying a streamed body', () => {
  it('sends a stream\'s head at once, before its first body byte', async () => {
    const body = new PassThrough();
    handle = (_req, res) => relayStream(res, 200, head('chunked'), body, { keepAlive: true });
    const raw = await rawExchange(socketPath, GET, 1000, 150);
    body.end();
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/);
  });

  it('relays the body as it comes and ends it cleanly', async () => {
    const body = new PassThrough();
    handle = (_req, res) => {
      relayStream(res, 200, head('chunked'), body, { keepAlive: true });
      body.write('one');
      setTimeout(() => body.end('two'), 20);
    };
    const raw = await rawExchange(socketPath, GET, 1000, 150);
    expect(bodyOf(raw)).toBe('3\r\none\r\n3\r\ntwo\r\n0\r\n\r\n');
  });

  it('cuts the client off, with no clean end, when the engine\'s body fails', async () => {
    const body = new PassThrough();
    handle = (_req, res) => {
      relayStream(res, 200, head('chunked'), body, { keepAlive: true });
      body.write('part');
      setTimeout(() => body.destroy(new Error('engine went away')), 20);
    };
    const raw = await rawExchange(socketPath, GET, 1000);
    expect(bodyOf(raw)).toBe('4\r\npart\r\n');
  });

  it('stops reading the engine\'s body when the client leaves', async () => {
    const body = new PassThrough();
    handle = (_req, res) => relayStream(res, 200, head('chunked'), body, { keepAlive: true });
    const client = connect({ path: socketPath });
    client.write(GET);
    await new Promise((r) => client.once('data', r));
    client.destroy();
    await waitUntil(() => body.destroyed, 2000, 'engine body destroyed');
  });
});
