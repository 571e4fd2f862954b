import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { ALLOW_ALL, policyFromYaml, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { rawExchange, request, statuses } from '../helpers/raw-http.js';
import { waitUntil } from '../helpers/wait.js';

const POLICY = policyFromYaml(`version: 1
name: test-policy
rules:
  - id: allow-reads
    effect: allow
    methods: [GET, HEAD]
    paths: ["/**"]
  - id: allow-start
    effect: allow
    methods: [POST]
    endpoints: [containers.start, containers.create]
  - id: deny-create
    effect: deny
    description: no new containers
    methods: [POST]
    endpoints: [containers.create]
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

/** Open /events, leave after its first bytes, and wait until the engine's side of it is closed too. */
async function leaveAnEventStream(socketPath: string, firstEvent: string): Promise<void> {
  let upstreamClosed = false;
  daemon.handler = (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(firstEvent);
    req.socket.on('close', () => (upstreamClosed = true));
  };
  await new Promise<void>((resolve) => {
    const req = httpRequest({ socketPath, path: '/events', headers: { Host: 'd' } }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.end();
  });
  await waitUntil(() => upstreamClosed, 3000, 'the engine request closed');
}

describe('forwarding allowed requests', () => {
  it('forwards method, version prefix, path and query unchanged and relays the response', async () => {
    const res = await request(proxy.socketPath, 'GET', '/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D');
    expect(res.status).toBe(200);
    expect(res.headers['api-version']).toBe('1.41');
    expect(daemon.received).toHaveLength(1);
    expect(daemon.received[0]!.method).toBe('GET');
    expect(daemon.received[0]!.url).toBe('/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D');
  });

  it('forwards the request body as sent, and end-to-end headers but not hop-by-hop ones', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const res = await request(proxy.socketPath, 'POST', '/containers/abc/start', {
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'kept', 'Keep-Alive': 'timeout=5', Connection: 'keep-alive, X-Drop', 'X-Drop': 'dropped' },
      body,
    });
    expect(res.status).toBe(200);
    const got = daemon.received[0]!;
    expect(got.body.toString()).toBe(body);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-custom']).toBe('kept');
    expect(got.headers['keep-alive']).toBeUndefined();
    expect(got.headers['x-drop']).toBeUndefined();
  });

  it('streams a chunked request body of unknown length', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ socketPath: proxy.socketPath, method: 'POST', path: '/containers/abc/start', headers: { Host: 'docker', 'Content-Type': 'application/x-tar' } }, (r) => {
        r.resume();
        r.on('end', () => resolve(r.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write('part1-');
      setTimeout(() => req.end('part2'), 50);
    });
    expect(res).toBe(200);
    expect(daemon.received[0]!.body.toString()).toBe('part1-part2');
  });

  it('records an allow decision and a completion record with status and duration', async () => {
    await request(proxy.socketPath, 'GET', '/v1.41/info');
    const audit = proxy.log.audit();
    const decision = audit.find((r) => r['msg'] === 'request allowed')!;
    expect(decision).toMatchObject({ level: 30, listener: 'test', method: 'GET', path: '/info', apiVersion: '1.41', endpoint: 'system.info', effect: 'allow', rule: 'allow-reads' });
    expect(typeof decision['reqId']).toBe('string');
    expect(decision['policyHash']).toBe(POLICY.hash);
    const done = audit.find((r) => r['msg'] === 'request completed')!;
    expect(done).toMatchObject({ reqId: decision['reqId'], status: 200, aborted: false });
    expect(typeof done['durationMs']).toBe('number');
  });

  it('never writes credential headers to the log, yet forwards them to the engine', async () => {
    const secret = 'eyJ1c2VybmFtZSI6ImJvYiIsInBhc3N3b3JkIjoiaHVudGVyMiJ9';
    await request(proxy.socketPath, 'GET', '/info', { headers: { 'X-Registry-Auth': secret, Authorization: `Bearer ${secret}` } });
    await request(proxy.socketPath, 'POST', '/containers/create', { headers: { 'X-Registry-Auth': secret }, body: '{}' });
    expect(daemon.received[0]!.headers['x-registry-auth']).toBe(secret);
    expect(proxy.log.text()).not.toContain(secret);
  });
});

describe('denying requests', () => {
  it('answers 403 in the engine error shape naming the rule, and forwards nothing', async () => {
    const res = await request(proxy.socketPath, 'POST', '/v1.41/containers/create?name=x', { headers: { 'Content-Type': 'application/json' }, body: '{"Image":"busybox"}' });
    expect(res.status).toBe(403);
    // exactly this string: the Go client decodes the message only then
    expect(res.headers['content-type']).toBe('application/json');
    const body = res.json() as { message: string };
    expect(Object.keys(body)).toEqual(['message']);
    expect(body.message).toMatch(/^sockgate: denied by rule deny-create \(no new containers\)/);
    expect(daemon.received).toHaveLength(0);
  });

  it('says "no rule matched" when the default decided', async () => {
    const res = await request(proxy.socketPath, 'DELETE', '/containers/abc');
    expect(res.status).toBe(403);
    expect((res.json() as { message: string }).message).toContain('no rule matched DELETE /containers/abc (endpoint containers.delete)');
    expect(daemon.received).toHaveLength(0);
  });

  it('records each denial at warn with the rule, reason and endpoint', async () => {
    await request(proxy.socketPath, 'POST', '/containers/create', { body: '{}' });
    const denied = proxy.log.audit().find((r) => r['msg'] === 'request denied')!;
    expect(denied).toMatchObject({ level: 40, effect: 'deny', rule: 'deny-create', endpoint: 'containers.create', code: 'SOCKGATE_DENY_POLICY', method: 'POST', path: '/containers/create' });
    const done = proxy.log.audit().find((r) => r['msg'] === 'request completed' && r['reqId'] === denied['reqId']);
    expect(done).toMatchObject({ status: 403 });
  });

  it('decides every request on a keep-alive connection on its own', async () => {
    const raw = await rawExchange(
      proxy.socketPath,
      'GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n' +
        'POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}' +
        'GET /version HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n',
    );
    const codes = statuses(raw);
    expect(codes[0]).toBe(200);
    expect(codes[1]).toBe(403);
    expect(daemon.received.map((r) => r.url)).not.toContain('/containers/create');
  });
});

describe('engine trouble', () => {
  it('answers 502 with a clear message when the engine is down, and keeps serving', async () => {
    await daemon.close();
    const res = await request(proxy.socketPath, 'GET', '/info');
    expect(res.status).toBe(502);
    expect((res.json() as { message: string }).message).toMatch(/sockgate: cannot reach the Docker engine .*SOCKGATE_ERR_UPSTREAM_UNAVAILABLE/);
    daemon = await startFakeDaemon();
    const again = await request(proxy.socketPath, 'GET', '/info');
    expect(again.status).toBe(502); // the proxy still points at the old path, and still answers
  });

  it('answers 504 when the engine does not send headers in time', async () => {
    await proxy.close();
    proxy = await startProxy(POLICY, daemon.socketPath, { upstream: { headersTimeoutMs: 200 } });
    daemon.handler = () => {
      /* never answer */
    };
    const res = await request(proxy.socketPath, 'GET', '/info');
    expect(res.status).toBe(504);
    expect((res.json() as { message: string }).message).toContain('SOCKGATE_ERR_UPSTREAM_TIMEOUT');
  });

  it('waits as long as the engine takes on endpoints that answer when their work is done (docker stop -t 900)', { timeout: 15_000 }, async () => {
    await proxy.close();
    const slow = policyFromYaml('version: 1\nrules:\n  - { id: stop, effect: allow, endpoints: [containers.stop, system.info] }\n');
    proxy = await startProxy(slow, daemon.socketPath, { upstream: { headersTimeoutMs: 200 } });
    daemon.handler = (req, res) => {
      // the engine answers a stop once the container has stopped (well past the 200 ms limit,
      // which undici's coarse timers enforce within about a second)
      setTimeout(() => res.writeHead(204).end(), 2500);
    };
    const info = await request(proxy.socketPath, 'GET', '/v1.41/info');
    expect(info.status).toBe(504);
    const stop = await request(proxy.socketPath, 'POST', '/v1.41/containers/db/stop?t=900');
    expect(stop.status).toBe(204);
  });
});

describe('streaming responses', () => {
  it('delivers each chunk as the engine writes it, and never cuts an idle stream', async () => {
    await proxy.close();
    // Short timeouts everywhere, to show that none of them applies to a response body.
    proxy = await startProxy(ALLOW_ALL, daemon.socketPath, { upstream: { headersTimeoutMs: 200 }, clientIdleTimeoutMs: 200, clientHeadersTimeoutMs: 200 });
    let push: ((s: string) => void) | undefined;
    let finish: (() => void) | undefined;
    daemon.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      push = (s) => res.write(s);
      finish = () => res.end();
    };
    const seen: { at: number; text: string }[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      const req = httpRequest({ socketPath: proxy.socketPath, path: '/events', headers: { Host: 'd' } }, (res) => {
        res.on('data', (d: Buffer) => seen.push({ at: Date.now(), text: d.toString() }));
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    await waitUntil(() => push !== undefined);
    const t0 = Date.now();
    push!('{"status":"create"}\n');
    await waitUntil(() => seen.length === 1);
    expect(seen[0]!.at - t0).toBeLessThan(200);
    await new Promise((r) => setTimeout(r, 1200)); // idle for 6x every configured timeout
    push!('{"status":"start"}\n');
    await waitUntil(() => seen.length === 2);
    finish!();
    await ended;
    expect(seen.map((s) => s.text).join('')).toBe('{"status":"create"}\n{"status":"start"}\n');
  });

  it('passes response headers on as soon as the engine sends them, before any body', async () => {
    // docker run waits for the headers of POST /wait before it sends POST /start: held headers hang it.
    let finish: (() => void) | undefined;
    daemon.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      finish = () => res.end('{"StatusCode":0}\n');
    };
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ socketPath: proxy.socketPath, method: 'POST', path: '/containers/abc/start', headers: { Host: 'd' } }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(finish).toBeDefined();
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(text));
        finish!(); // the body is only sent once the client has seen the headers
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('{"StatusCode":0}\n');
  });

  it('ends the client\'s stream when the engine goes away in the middle of it', async () => {
    daemon.handler = (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"status":"start"}\n');
      setTimeout(() => req.socket.destroy(), 100); // the engine dies mid-stream
    };
    const outcome = await new Promise<{ text: string; how: string }>((resolve) => {
      const req = httpRequest({ socketPath: proxy.socketPath, path: '/events', headers: { Host: 'd' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ text, how: 'end' }));
        res.on('error', () => resolve({ text, how: 'aborted' }));
        res.on('close', () => resolve({ text, how: res.complete ? 'end' : 'aborted' }));
      });
      req.on('error', () => resolve({ text: '', how: 'request error' }));
      req.end();
    });
    // What arrived is delivered, then the stream is cut (not left hanging, not made to look complete).
    expect(outcome).toEqual({ text: '{"status":"start"}\n', how: 'aborted' });
  });

  it('aborts the engine request at once when the client goes away', async () => {
    await leaveAnEventStream(proxy.socketPath, 'x');
    const done = proxy.log.audit().find((r) => r['msg'] === 'request completed');
    expect(done).toMatchObject({ aborted: true });
  });
});


describe('the engine\'s answer as it wrote it', () => {
  it('passes header names on in the engine\'s spelling (Api-Version, not api-version), with repeated ones kept', async () => {
    daemon.handler = (_req, res) => {
      res.setHeader('Api-Version', '1.41');
      res.setHeader('Docker-Experimental', 'false');
      res.setHeader('OSType', 'linux');
      res.setHeader('X-Repeated', ['a', 'b']);
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('OK');
    };
    const raw = await rawExchange(proxy.socketPath, 'GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n');
    expect(statuses(raw)).toEqual([200]);
    const head = raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
    expect(head).toEqual(expect.arrayContaining(['Api-Version: 1.41', 'Docker-Experimental: false', 'OSType: linux', 'X-Repeated: a', 'X-Repeated: b', 'Content-Length: 2']));
    expect(raw.endsWith('\r\n\r\nOK')).toBe(true);
  });

  it('advertises at most the newest API version sockgate knows, in the header and in /version', async () => {
    daemon.handler = (req, res) => {
      res.setHeader('Api-Version', '1.52');
      res.setHeader('Content-Type', 'application/json');
      res.end(req.url === '/version' ? JSON.stringify({ Version: '29.0.0', ApiVersion: '1.52', MinAPIVersion: '1.24' }) : 'OK');
    };
    const ping = await request(proxy.socketPath, 'GET', '/_ping');
    expect(ping.headers['api-version']).toBe('1.51');
    const version = await request(proxy.socketPath, 'GET', '/version');
    expect(version.headers['api-version']).toBe('1.51');
    expect(version.json()).toEqual({ Version: '29.0.0', ApiVersion: '1.51', MinAPIVersion: '1.24' });
  });

  it('refuses a request for an API version newer than it knows, before anything reaches the engine', async () => {
    const res = await request(proxy.socketPath, 'GET', '/v1.52/containers/json');
    expect(res.status).toBe(400);
    expect((res.json() as { message: string }).message).toContain('API version 1.52 is newer than 1.51');
    expect(daemon.received).toHaveLength(0);
  });

  it('keeps a close-delimited answer close-delimited: relayed unframed, then the connection closes', async () => {
    daemon.handler = (_req, res) => {
      const socket = res.socket!;
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it');
    };
    const raw = await rawExchange(proxy.socketPath, 'GET /containers/json HTTP/1.1\r\nHost: d\r\n\r\n', 3000);
    expect(statuses(raw)).toEqual([200]);
    expect(raw.toLowerCase()).not.toContain('transfer-encoding');
    expect(raw).toMatch(/\r\nConnection: close\r\n/i);
    expect(raw.endsWith('\r\n\r\nall of it')).toBe(true);
  });
});

describe('a scoped profile\'s event stream', () => {
  it('ends the engine\'s event stream when the client goes away (the filtered stream does not outlive its client)', async () => {
    const scoped = policyFromYaml(`version: 1
default: allow
scope:
  containers:
    labels:
      team: { equals: web }
rules: []
`);
    const p = await startProxy(scoped, daemon.socketPath);
    try {
      await leaveAnEventStream(p.socketPath, '{"Type":"container","Action":"start","Actor":{"ID":"a","Attributes":{"team":"web"}}}\n');
    } finally {
      await p.close();
    }
  });
});
