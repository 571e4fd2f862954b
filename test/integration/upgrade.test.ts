import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { policyFromYaml, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { rawExchange, statuses } from '../helpers/raw-http.js';
import { waitUntil } from '../helpers/wait.js';

const POLICY = policyFromYaml(`version: 1
rules:
  - id: allow-exec-start
    effect: allow
    methods: [POST]
    endpoints: [exec.start]
  - id: allow-info
    effect: allow
    methods: [GET]
    endpoints: [system.info]
`);

let daemon: FakeDaemon;
let proxy: RunningProxy;

beforeEach(async () => {
  daemon = await startFakeDaemon();
  proxy = await startProxy(POLICY, daemon.socketPath);
});
afterEach(async () => {
  await proxy.close();
  await daemon.close();
});

/** Engine-like hijack: read the JSON body, answer 101, then echo upper-cased input until EOF. */
function hijackingEngine(d: FakeDaemon): void {
  d.upgradeHandler = (req, socket, head) => {
    const want = Number(req.headers['content-length'] ?? 0);
    let body = head;
    const onBody = (c: Buffer): void => {
      body = Buffer.concat([body, c]);
      if (body.length >= want) start();
    };
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      socket.off('data', onBody);
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      const rest = body.subarray(want);
      if (rest.length) socket.write(rest.toString().toUpperCase());
      socket.on('data', (c: Buffer) => socket.write(c.toString().toUpperCase()));
      socket.on('end', () => socket.end('<eof>'));
    };
    if (body.length >= want) start();
    else socket.on('data', onBody);
  };
}

function openRaw(path: string): Promise<{ sock: Socket; text: () => string; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ path, allowHalfOpen: true });
    let out = '';
    let closed = false;
    sock.on('data', (d) => (out += d.toString()));
    sock.on('close', () => (closed = true));
    sock.on('error', reject);
    sock.on('connect', () => resolve({ sock, text: () => out, closed: () => closed }));
  });
}

describe('upgrade (hijacked) connections', () => {
  it('splices an allowed exec start both ways and keeps half-close', async () => {
    hijackingEngine(daemon);
    const c = await openRaw(proxy.socketPath);
    const body = '{"Detach":false,"Tty":false}';
    c.sock.write(`POST /v1.41/exec/abc/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await waitUntil(() => c.text().includes('101 UPGRADED'), 3000, '101');
    c.sock.write('hello ');
    await waitUntil(() => c.text().includes('HELLO '), 3000, 'echo');
    c.sock.end('world'); // stdin EOF, like `echo hello world | docker exec -i`
    await waitUntil(() => c.text().endsWith('WORLD<eof>'), 3000, 'output after half-close');
    await waitUntil(() => c.closed(), 3000, 'close');
    expect(daemon.received[0]!.url).toBe('/v1.41/exec/abc/start');
    expect(daemon.received[0]!.headers['upgrade']).toBe('tcp');
    const rec = proxy.log.audit().find((r) => r['msg'] === 'request allowed')!;
    expect(rec).toMatchObject({ endpoint: 'exec.start', upgrade: true, rule: 'allow-exec-start' });
  });

  it('denies an upgrade the policy does not allow, before anything reaches the engine', async () => {
    hijackingEngine(daemon);
    const raw = await rawExchange(proxy.socketPath, 'POST /containers/abc/attach?stream=1&stdin=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    expect(statuses(raw)).toEqual([403]);
    expect(raw).toContain('no rule matched POST /containers/abc/attach');
    expect(daemon.received).toHaveLength(0);
  });

  it('refuses an Upgrade header on an endpoint that does not hijack', async () => {
    const raw = await rawExchange(proxy.socketPath, 'GET /info HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    expect(statuses(raw)).toEqual([400]);
    expect(raw).toContain('does not switch protocols');
    expect(daemon.received).toHaveLength(0);
  });

  it('relays a non-101 answer and closes, so nothing else rides on the connection unchecked', async () => {
    daemon.upgradeHandler = (_req, socket) => {
      // Like the engine for a missing exec: a plain 404, keeping the connection open.
      socket.write('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{"message":"No such exec"}\n');
      socket.on('data', (d: Buffer) => daemon.received.push({ method: 'RAW', url: d.toString(), headers: {}, rawHeaders: [], body: d }));
    };
    const raw = await rawExchange(
      proxy.socketPath,
      'POST /exec/nope/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}' +
        'POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}',
    );
    expect(statuses(raw)).toEqual([404]);
    expect(raw).toContain('No such exec');
    expect(daemon.received.filter((r) => r.method === 'RAW')).toHaveLength(0);
  });

  it('answers 502 when the engine is unreachable for an upgrade', async () => {
    await daemon.close();
    const raw = await rawExchange(proxy.socketPath, 'POST /exec/abc/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}');
    expect(statuses(raw)).toEqual([502]);
    expect(raw).toContain('SOCKGATE_ERR_UPSTREAM_UNAVAILABLE');
    daemon = await startFakeDaemon();
  });
});

describe('the older hijack form: 200 and a raw stream, without Upgrade', () => {
  it('relays the raw stream unframed until the engine closes, and forwards nothing sent after the request', async () => {
    daemon.handler = (_req, res) => {
      // What the engine writes on a hijacked connection when the request had no Upgrade header.
      const socket = res.socket!;
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nout1\n');
      setTimeout(() => socket.end('out2\n'), 300);
    };
    const body = '{"Detach":false,"Tty":true}';
    const raw = await new Promise<string>((resolve) => {
      const c = connect({ path: proxy.socketPath });
      let out = '';
      let sentStdin = false;
      c.on('data', (d: Buffer) => {
        out += d.toString('latin1');
        // stdin of the older form, once the stream has started: sockgate cannot tell it from a
        // next request, so it is never forwarded, and no error is written into the stream
        if (!sentStdin && out.includes('\r\n\r\n')) {
          sentStdin = true;
          c.write('stdin-line\n');
        }
      });
      c.on('error', () => undefined);
      c.on('close', () => resolve(out));
      c.write(`POST /v1.41/exec/abc/start HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      setTimeout(() => c.destroy(), 3000);
    });
    expect(statuses(raw)).toEqual([200]);
    expect(raw.toLowerCase()).not.toContain('transfer-encoding');
    expect(raw.endsWith('\r\n\r\nout1\nout2\n')).toBe(true);
    expect(daemon.received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1.41/exec/abc/start']);
  });
});
