import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { policyFromYaml, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { request } from '../helpers/raw-http.js';
import { waitUntil } from '../helpers/wait.js';

const POLICY = policyFromYaml(`version: 1
rules:
  - id: allow-create
    effect: allow
    endpoints: [containers.create, images.build]
  - id: deny-privileged
    effect: deny
    description: no privileged containers
    endpoints: [containers.create]
    body:
      - path: HostConfig.Privileged
        equals: true
`);

let daemon: FakeDaemon;
/** The request sockgate forwarded (not its own lookups of the image and volumes a create names). */
const posted = () => daemon.received.find((r) => r.method === 'POST');
let proxy: RunningProxy;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  proxy = await startProxy(POLICY, daemon.socketPath, { maxBodyBytes: 4096 });
});
afterEach(async () => {
  await proxy.close();
  await daemon.close();
});

const create = (body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  request(proxy.socketPath, 'POST', '/v1.41/containers/create?name=x', { headers, body });

describe('inspected bodies', () => {
  it('forwards exactly the bytes it checked', async () => {
    const body = '{"Image":"busybox",  "Cmd":["true"],\n "HostConfig":{"Privileged":false}}';
    const res = await create(body);
    expect(res.status).toBe(200);
    expect(posted()!.body.toString()).toBe(body);
    expect(posted()!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('denies by the decoded body and audits the facts it used', async () => {
    const res = await create('{"Image":"busybox","HostConfig":{"Privileged":true,"Binds":["/etc:/x"]}}');
    expect(res.status).toBe(403);
    expect((res.json() as { message: string }).message).toContain('denied by rule deny-privileged (no privileged containers)');
    expect(daemon.received).toHaveLength(0);
    const rec = proxy.log.audit().find((r) => r['msg'] === 'request denied')!;
    expect(rec).toMatchObject({ rule: 'deny-privileged', endpoint: 'containers.create', bodyFacts: { hostPaths: ['/etc'] } });
  });

  it('refuses HostConfig fields at the top level, which engines up to 20.10 apply and newer ones ignore', async () => {
    const res = await create('{"Image":"busybox","Privileged":true}');
    expect(res.status).toBe(400);
    expect((res.json() as { message: string }).message).toContain('refused at /Privileged');
    expect(daemon.received).toHaveLength(0);
  });

  it('forwards a body without a Content-Type without adding one', async () => {
    const res = await create('{"Image":"busybox"}', {});
    expect(res.status).toBe(200);
    expect(posted()!.headers['content-type']).toBeUndefined();
    expect(posted()!.body.toString()).toBe('{"Image":"busybox"}');
  });

  it('refuses a body whose meaning depends on Go decoding rules, naming the JSON pointer', async () => {
    for (const [body, pointer] of [
      ['{"Image":"busybox","HostConfig":{"privileged":true}}', '/HostConfig/privileged'],
      ['{"Image":"busybox","HostConfig":{"Privileged":false,"Privileged":true}}', '/HostConfig/Privileged'],
      ['{"Image":"busybox"} {"HostConfig":{"Privileged":true}}', '/'],
      ['{"Image":"busybox","HostConfig":{"Privileged":"yes"}}', '/HostConfig/Privileged'],
    ] as const) {
      const res = await create(body);
      expect(res.status, body).toBe(400);
      expect((res.json() as { message: string }).message, body).toContain(`refused at ${pointer}`);
    }
    expect(daemon.received).toHaveLength(0);
  });

  it('inspects the body whatever the Content-Type says, and a chunked one too', async () => {
    expect((await create('{"HostConfig":{"Privileged":true}}', { 'Content-Type': 'text/plain' })).status).toBe(403);
    const status = await new Promise<number>((resolve) => {
      const req = httpRequest({ socketPath: proxy.socketPath, method: 'POST', path: '/containers/create', headers: { Host: 'd' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.write('{"HostConfig":');
      setTimeout(() => req.end('{"Privileged":true}}'), 30);
    });
    expect(status).toBe(403);
    expect(daemon.received).toHaveLength(0);
  });

  it('refuses an empty create body, as the engine does', async () => {
    const res = await request(proxy.socketPath, 'POST', '/containers/create');
    expect(res.status).toBe(400);
    expect(daemon.received).toHaveLength(0);
  });

  it('answers 413 past --max-body-bytes', async () => {
    const res = await create(JSON.stringify({ Image: 'busybox', Labels: { big: 'x'.repeat(5000) } }));
    expect(res.status).toBe(413);
    expect((res.json() as { message: string }).message).toContain('SOCKGATE_DENY_BODY_TOO_LARGE');
    expect(daemon.received).toHaveLength(0);
  });

  it('streams bodies that no rule inspects (a build context is forwarded before it ends)', async () => {
    let firstChunkSeenByEngine = false;
    daemon.server.removeAllListeners('request');
    daemon.server.on('request', (req, res) => {
      req.once('data', () => (firstChunkSeenByEngine = true));
      req.on('end', () => res.end('{}'));
    });
    let status = 0;
    const done = new Promise<void>((resolve, reject) => {
      const req = httpRequest({ socketPath: proxy.socketPath, method: 'POST', path: '/build', headers: { Host: 'd', 'Content-Type': 'application/x-tar' } }, (r) => {
        status = r.statusCode ?? 0;
        r.resume();
        r.on('end', resolve);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1024, 1));
      void waitUntil(() => firstChunkSeenByEngine, 3000, 'engine received the first chunk before the upload ended').then(
        () => req.end(Buffer.alloc(1024, 2)),
        (err: Error) => {
          req.destroy();
          reject(err);
        },
      );
    });
    await done;
    expect(status).toBe(200);
  });
});

describe('body keys no engine version sockgate knows has', () => {
  const withEngineVersion = async (version: string): Promise<void> => {
    daemon.handler = (_req, res) => {
      res.setHeader('Api-Version', version);
      res.setHeader('Content-Type', 'application/json');
      res.end('{}');
    };
    await proxy.app.probeEngine();
    daemon.received.length = 0;
  };
  const BODY = '{"Image":"busybox","Cmd":["true"],"name":"web","HostConfig":{"FutureHostAccess":true}}';

  it('are forwarded to an engine whose API version sockgate knows, which ignores them (dockerode sends "name")', async () => {
    await withEngineVersion('1.51');
    const res = await create(BODY);
    expect(res.status, res.body).toBe(200);
    expect(posted()!.body.toString()).toBe(BODY);
  });

  it('are refused, naming the key, when the engine is newer than sockgate knows', async () => {
    await withEngineVersion('1.52');
    const res = await create(BODY);
    expect(res.status).toBe(400);
    expect((res.json() as { message: string }).message).toContain('refused at /name');
    expect(daemon.received).toHaveLength(0);
  });

  it('are refused while the engine\'s version is not known (it never answered)', async () => {
    const res = await create(BODY);
    expect(res.status).toBe(400);
    expect(daemon.received).toHaveLength(0);
  });

  it('learns a changed engine version from its answers (an engine upgraded under sockgate)', async () => {
    await withEngineVersion('1.51');
    daemon.handler = (_req, res) => {
      res.setHeader('Api-Version', '1.52');
      res.end('{}');
    };
    expect((await create('{"Image":"busybox"}')).status).toBe(200);
    expect((await create(BODY)).status).toBe(400);
  });
});
