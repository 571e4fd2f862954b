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
    endpoints: [exec.start, session]
  - id: allow-info
    effect: allow
    methods: [GET]
    endpoints: [system.info, containers.logs]
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

describe('a raw-stream answer the engine frames (logs of a non-TTY container on engine 28)', () => {
  it('relays a chunked raw stream chunked, so a client that half-closed after its request still gets the whole body', async () => {
    daemon.handler = (_req, res) => {
      // moby 28 answers logs with Content-Type application/vnd.docker.raw-stream and chunked framing.
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream', 'Api-Version': '1.51' });
      res.write(Buffer.from([1, 0, 0, 0, 0, 0, 0, 3, 0x68, 0x69, 0x0a]));
      setTimeout(() => res.end(), 100);
    };
    const raw = await new Promise<string>((resolve) => {
      const c = connect({ path: proxy.socketPath, allowHalfOpen: true });
      let out = '';
      c.on('data', (d: Buffer) => (out += d.toString('latin1')));
      c.on('error', () => undefined);
      c.on('end', () => resolve(out));
      // Send the request, then half-close: a plain HTTP client that has nothing more to send.
      c.end('GET /v1.41/containers/abc/logs?stdout=1 HTTP/1.1\r\nHost: d\r\n\r\n');
      setTimeout(() => {
        c.destroy();
        resolve(out);
      }, 3000);
    });
    expect(statuses(raw)).toEqual([200]);
    expect(raw).toMatch(/\r\nTransfer-Encoding: chunked\r\n/i);
    expect(raw).toContain('\r\nApi-Version: 1.51\r\n');
    // the frame (8-byte header + "hi\n"), chunked, then the last chunk
    expect(raw).toContain('b\r\n\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0003hi\n\r\n');
    expect(raw.endsWith('0\r\n\r\n')).toBe(true);
  });
});

describe('chunked upgrade requests (docker-modem, under dockerode, frames hijacking requests so)', () => {
  /** The engine side: what it read up to its 101, raw, then echo. */
  function recordingHijack(d: FakeDaemon, seen: { bytes: string }): void {
    d.upgradeHandler = (_req, socket, head) => {
      seen.bytes = head.toString('latin1');
      socket.on('data', (c: Buffer) => (seen.bytes += c.toString('latin1')));
      socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
    };
  }

  it('admits an empty chunked body (POST /session with Upgrade: h2c) and forwards it with Content-Length 0', async () => {
    const seen = { bytes: '' };
    recordingHijack(daemon, seen);
    const c = await openRaw(proxy.socketPath);
    c.sock.write('POST /session HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nX-Docker-Expose-Session-Uuid: u1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nPRI * HTTP/2.0');
    await waitUntil(() => c.text().includes('101 UPGRADED'), 3000, '101');
    await waitUntil(() => seen.bytes.includes('PRI'), 3000, 'stream data after 101');
    const forwarded = daemon.received[0]!;
    expect(forwarded.url).toBe('/session');
    expect(forwarded.headers['transfer-encoding']).toBeUndefined();
    expect(forwarded.headers['content-length']).toBe('0');
    expect(forwarded.headers['x-docker-expose-session-uuid']).toBe('u1');
    // nothing of the request's own framing reaches the stream
    expect(seen.bytes).toBe('PRI * HTTP/2.0');
    c.sock.destroy();
  });

  it('forwards a chunked body decoded as it arrives, and what follows its last chunk only after the 101', async () => {
    hijackingEngine(daemon);
    const c = await openRaw(proxy.socketPath);
    c.sock.write('POST /exec/abc/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"Det\r\n');
    await new Promise((r) => setTimeout(r, 50));
    c.sock.write('b\r\nach":false}\r\n0\r\n\r\n');
    await waitUntil(() => daemon.received.length === 1, 3000, 'request at the engine');
    // the fake engine reads a Content-Length body; Node re-frames the decoded one as chunked
    const head = daemon.received[0]!;
    expect(head.headers['transfer-encoding']).toBe('chunked');
    c.sock.destroy();
  });

  it('refuses chunk framing it cannot read the one way the engine would, before the engine sees a body', async () => {
    const seen = { bytes: '' };
    recordingHijack(daemon, seen);
    const raw = await rawExchange(proxy.socketPath, 'POST /session HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nTransfer-Encoding: chunked\r\n\r\n0;ext=1\r\n\r\n');
    expect(statuses(raw)).toEqual([400]);
    expect(raw).toContain('malformed chunked body of an upgrade request');
    expect(seen.bytes).toBe('');
  });

  it('refuses an upgrade request framed with any other transfer coding', async () => {
    const raw = await rawExchange(proxy.socketPath, 'POST /session HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n');
    expect(statuses(raw)).toEqual([400]);
    expect(daemon.received).toHaveLength(0);
  });
});

describe('the end of a spliced stream', () => {
  it('delivers the whole output to a client that reads slowly after the engine has closed (docker exec of a 20 MB output)', async () => {
    const size = 16 * 1024 * 1024;
    daemon.upgradeHandler = (_req, socket) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      // all of it at once, then close: sockgate holds what the client has not read yet
      socket.end(Buffer.alloc(size, 0x61));
    };
    const received = await new Promise<number>((resolve) => {
      const c = connect({ path: proxy.socketPath, allowHalfOpen: true });
      let bytes = -1;
      let head = '';
      c.on('data', (d: Buffer) => {
        if (bytes < 0) {
          head += d.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end === -1) return;
          bytes = Buffer.byteLength(head.slice(end + 4), 'latin1');
          return;
        }
        const before = bytes;
        bytes += d.length;
        // a slow reader near the end: the engine has sent everything and closed meanwhile
        if (before < size / 2 && bytes >= size / 2) {
          c.pause();
          setTimeout(() => c.resume(), 500);
        }
      });
      c.on('close', () => resolve(bytes));
      c.on('error', () => resolve(bytes));
      c.write('POST /exec/abc/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}');
      c.end();
    });
    expect(received).toBe(size);
  });
});
