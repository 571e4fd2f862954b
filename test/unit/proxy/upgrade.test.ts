import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spliceUpgrade, writeRawError, type SpliceOutcome } from '../../../src/proxy/upgrade.js';
import { startFakeDaemon, type FakeDaemon } from '../../helpers/fake-daemon.js';
import { rawExchange, statuses } from '../../helpers/raw-http.js';
import { tempDir } from '../../helpers/temp.js';
import { waitUntil } from '../../helpers/wait.js';

/** What a raw socket got from writeRawError, and whether it was ended. */
function written(status: number, message: string, extra?: Record<string, string>): { text: string; ended: boolean } {
  const socket = new PassThrough();
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  writeRawError(socket, status, message, extra);
  return { text, ended: socket.writableEnded };
}

describe('an engine-style error written on a raw socket', () => {
  it.each([
    [403, 'HTTP/1.1 403 Forbidden\r\n'],
    [400, 'HTTP/1.1 400 Bad Request\r\n'],
    [502, 'HTTP/1.1 502 Error\r\n'],
    [504, 'HTTP/1.1 504 Error\r\n'],
  ])('starts a %i with its status line', (status, line) => {
    expect(written(status, 'no').text.startsWith(line)).toBe(true);
  });

  it('is a complete JSON answer the engine would give, and closes the connection', () => {
    const { text, ended } = written(403, 'sockgate: denied [SOCKGATE_DENY_POLICY]', { 'Api-Version': '1.41' });
    const [head, body] = text.split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n').slice(1)).toEqual(['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', 'Api-Version: 1.41']);
    expect(JSON.parse(body)).toEqual({ message: 'sockgate: denied [SOCKGATE_DENY_POLICY]' });
    expect(ended).toBe(true);
  });

  it('writes nothing on a socket that is already gone', () => {
    const socket = new PassThrough();
    socket.destroy();
    let wrote = false;
    socket.on('data', () => (wrote = true));
    writeRawError(socket, 403, 'no');
    expect(wrote).toBe(false);
    expect(socket.destroyed).toBe(true);
  });
});

describe('splicing an admitted upgrade request to the engine', () => {
  let daemon: FakeDaemon;
  let server: Server;
  let socketPath: string;
  let cleanup: () => void;
  let outcomes: SpliceOutcome[] = [];
  let upstream = { socketPath: '', headersTimeoutMs: 0 };

  beforeAll(async () => {
    daemon = await startFakeDaemon();
    const dir = tempDir('sg-splice-');
    cleanup = dir.cleanup;
    socketPath = join(dir.dir, 'gate.sock');
    // The checked target is given apart from the client's: the engine must see the checked one.
    server = createServer().on('upgrade', (req, socket, head) => spliceUpgrade(req, socket, head, '/v1.41/exec/checked/start', upstream, (o) => outcomes.push(o)));
    await new Promise<void>((r) => server.listen(socketPath, r));
    upstream = { socketPath: daemon.socketPath, headersTimeoutMs: 0 };
  });
  afterEach(() => {
    daemon.received.length = 0;
    daemon.upgradeHandler = null;
    outcomes = [];
    upstream = { socketPath: daemon.socketPath, headersTimeoutMs: 0 };
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await daemon?.close();
    cleanup();
  });

  const request = (body: string, extra = ''): string =>
    `POST /exec/client-wrote/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade, X-Hop\r\nUpgrade: tcp\r\nX-Hop: 1\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`;

  it('sends the checked target with filtered headers, and after the 101 pipes both ways until both sides end', async () => {
    daemon.upgradeHandler = (_req, socket) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.on('data', (c: Buffer) => socket.write(c.toString().toUpperCase()));
      socket.on('end', () => socket.end('<eof>'));
    };
    const client = connect({ path: socketPath, allowHalfOpen: true });
    let text = '';
    client.on('data', (c: Buffer) => (text += c.toString()));
    client.write(request(''));
    await waitUntil(() => text.includes('\r\n\r\n'), 2000, '101');
    client.end('hello');
    await new Promise((r) => client.once('close', r));
    expect(text).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n/);
    // The engine read the client's FIN as stdin's end and still sent what it had left.
    expect(text.endsWith('\r\n\r\nHELLO<eof>')).toBe(true);
    const [seen] = daemon.received;
    expect(seen!.url).toBe('/v1.41/exec/checked/start');
    expect(seen!.headers['x-hop']).toBeUndefined();
    expect(seen!.headers['upgrade']).toBe('tcp');
    await waitUntil(() => outcomes.length > 0, 2000, 'outcome');
    expect(outcomes).toEqual([{ status: 101 }]);
  });

  it('relays an answer that is not a 101, closes the connection, and passes nothing more on', async () => {
    const body = '{"message":"no such exec"}';
    daemon.upgradeHandler = (_req, socket) => socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const raw = await rawExchange(socketPath, request('{}') + 'POST /containers/create HTTP/1.1\r\nHost: d\r\n\r\n', 2000);
    expect(statuses(raw)).toEqual([404]);
    expect(raw.endsWith(body)).toBe(true);
    expect(raw.toLowerCase()).toContain('connection: close');
    expect(daemon.received).toHaveLength(1);
    await waitUntil(() => outcomes.length > 0, 2000, 'outcome');
    expect(outcomes[0]!.status).toBe(404);
  });

  it('refuses a malformed chunked body with 400 before anything reaches the engine', async () => {
    const raw = await rawExchange(socketPath, 'POST /session HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 1000);
    expect(statuses(raw)).toEqual([400]);
    expect(raw).toContain('SOCKGATE_DENY_REQUEST_MALFORMED');
    expect(daemon.received).toEqual([]);
    expect(outcomes).toEqual([{ status: 400 }]);
  });

  it('answers 502 with the reason when the engine cannot be reached', async () => {
    upstream = { socketPath: `${daemon.socketPath}.missing`, headersTimeoutMs: 0 };
    const raw = await rawExchange(socketPath, request('{}'), 2000);
    expect(statuses(raw)).toEqual([502]);
    expect(raw).toContain('SOCKGATE_ERR_UPSTREAM_UNAVAILABLE');
    expect(outcomes[0]).toMatchObject({ status: 502, error: expect.any(Error) as unknown });
  });

  it('answers 504 when the engine does not answer in time', async () => {
    upstream = { socketPath: daemon.socketPath, headersTimeoutMs: 100 };
    daemon.upgradeHandler = () => undefined;
    const raw = await rawExchange(socketPath, request('{}'), 2000);
    expect(statuses(raw)).toEqual([504]);
    expect(raw).toContain('SOCKGATE_ERR_UPSTREAM_TIMEOUT');
    expect(outcomes[0]).toMatchObject({ status: 504 });
  });
});
