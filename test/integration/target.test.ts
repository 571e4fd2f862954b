/**
 * Rules on the container a request acts on, with a fake engine: sockgate looks the container up
 * (inspect), decides on the engine's answer, and forwards the request naming the container by
 * the id it checked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { policyFromYaml, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { rawExchange, request, statuses } from '../helpers/raw-http.js';

const POLICY = policyFromYaml(`version: 1
rules:
  - id: allow-web
    effect: allow
    endpoints: [containers.logs, containers.restart, containers.attach, exec.start]
    target:
      labels:
        tier: { equals: web }
`);

const WEB_ID = 'a'.repeat(64);
const DB_ID = 'd'.repeat(64);
const CONTAINERS: Record<string, { Id: string; Name: string; Config: { Image: string; Labels: Record<string, string> } }> = {
  web: { Id: WEB_ID, Name: '/web', Config: { Image: 'nginx', Labels: { tier: 'web' } } },
  db: { Id: DB_ID, Name: '/db', Config: { Image: 'postgres', Labels: { tier: 'db' } } },
};

let daemon: FakeDaemon;
let proxy: RunningProxy;
// The event stream the lookup cache subscribes to is not a lookup.
const calls = (): string[] => daemon.received.map((r) => `${r.method} ${r.url}`).filter((c) => !c.startsWith('GET /events'));

beforeEach(async () => {
  daemon = await startFakeDaemon();
  daemon.handler = (req, res) => {
    const m = /^\/containers\/([^/]+)\/json$/.exec(req.url ?? '');
    if (m) {
      const c = CONTAINERS[decodeURIComponent(m[1]!)] ?? Object.values(CONTAINERS).find((x) => x.Id === m[1]);
      res.writeHead(c ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(c ?? { message: `No such container: ${m[1]}` }));
      return;
    }
    if (req.url === '/exec/e1/json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ID: 'e1', ContainerID: DB_ID }));
      return;
    }
    res.writeHead(204);
    res.end();
  };
  proxy = await startProxy(POLICY, daemon.socketPath);
});
afterEach(async () => {
  await proxy.close();
  await daemon.close();
});

describe('rules on the container a request acts on', () => {
  it('looks the container up, allows it by its labels, and forwards the request naming it by the checked id', async () => {
    const res = await request(proxy.socketPath, 'POST', '/v1.41/containers/web/restart?t=1');
    expect(res.status).toBe(204);
    expect(calls()).toEqual(['GET /containers/web/json', `POST /v1.41/containers/${WEB_ID}/restart?t=1`]);
    const decision = proxy.log.audit().find((r) => r['msg'] === 'request allowed');
    expect(decision).toMatchObject({ rule: 'allow-web', target: { id: WEB_ID, name: 'web' } });
  });

  it('denies a container whose labels do not match, and forwards nothing but the lookup', async () => {
    const res = await request(proxy.socketPath, 'GET', '/v1.41/containers/db/logs');
    expect(res.status).toBe(403);
    expect(calls()).toEqual(['GET /containers/db/json']);
  });

  it('denies a container that does not exist, saying so', async () => {
    const res = await request(proxy.socketPath, 'GET', '/v1.41/containers/nosuch/logs');
    expect(res.status).toBe(403);
    expect((res.json() as { message: string }).message).toMatch(/no such container: nosuch .*SOCKGATE_DENY_TARGET/);
  });

  it('resolves an exec instance to its container before an upgrade, and refuses without forwarding', async () => {
    const raw = await rawExchange(proxy.socketPath, 'POST /v1.41/exec/e1/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    expect(statuses(raw)).toEqual([403]);
    expect(calls()).toEqual(['GET /exec/e1/json', `GET /containers/${DB_ID}/json`]);
  });

  it('denies when the engine cannot be asked', async () => {
    await daemon.close();
    const res = await request(proxy.socketPath, 'POST', '/v1.41/containers/web/restart');
    expect(res.status).toBe(403);
    expect(res.body).toContain('SOCKGATE_DENY_TARGET');
  });
});

describe('the lookup cache', () => {
  /** Serve /events as a held-open stream; `emit` sends one event on it. */
  const withEventStream = (): { emit: () => void } => {
    const streams: import('node:http').ServerResponse[] = [];
    const base = daemon.handler;
    daemon.handler = (req, res, body) => {
      if ((req.url ?? '').startsWith('/events')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        streams.push(res);
        return;
      }
      base(req, res, body);
    };
    return { emit: () => streams.forEach((r) => r.write('{"Type":"container","Action":"rename"}\n')) };
  };
  const lookups = (): number => calls().filter((c) => c === 'GET /containers/web/json').length;
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150));

  it('reuses a lookup while the engine event stream is connected, and forgets it on any container event', async () => {
    const events = withEventStream();
    await request(proxy.socketPath, 'POST', '/v1.41/containers/web/restart');
    await settle();
    await request(proxy.socketPath, 'POST', '/v1.41/containers/web/restart');
    await request(proxy.socketPath, 'POST', '/v1.41/containers/web/restart');
    expect(lookups()).toBe(2);
    events.emit();
    await settle();
    await request(proxy.socketPath, 'POST', '/v1.41/containers/web/restart');
    expect(lookups()).toBe(3);
  });

  it('is not used while there is no event stream: every request is looked up', async () => {
    for (let i = 0; i < 3; i++) expect((await request(proxy.socketPath, 'POST', '/v1.41/containers/web/restart')).status).toBe(204);
    expect(lookups()).toBe(3);
  });
});

describe('body and target conditions together', () => {
  it('reads the body, then looks the container up, and decides on both', async () => {
    await proxy.close();
    proxy = await startProxy(
      policyFromYaml(`version: 1
rules:
  - id: allow-exec-in-web
    effect: allow
    endpoints: [exec.create]
    target:
      labels:
        tier: { equals: web }
  - id: deny-privileged-exec
    effect: deny
    endpoints: [exec.create]
    body:
      - { path: Privileged, equals: true }
`),
      daemon.socketPath,
    );
    const post = (name: string, body: string) => request(proxy.socketPath, 'POST', `/v1.41/containers/${name}/exec`, { headers: { 'Content-Type': 'application/json' }, body });
    expect((await post('web', '{"Cmd":["id"]}')).status).toBe(204);
    expect((await post('web', '{"Cmd":["id"],"Privileged":true}')).status).toBe(403);
    expect((await post('db', '{"Cmd":["id"]}')).status).toBe(403);
    expect((await post('web', '{"Cmd":["id"],"privileged":true}')).status).toBe(400);
    const forwarded = daemon.received.filter((r) => r.url.endsWith('/exec'));
    expect(forwarded.map((r) => [r.url, r.body.toString()])).toEqual([[`/v1.41/containers/${WEB_ID}/exec`, '{"Cmd":["id"]}']]);
  });
});
