import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { policyFromYaml, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { request } from '../helpers/raw-http.js';
import { waitUntil } from '../helpers/wait.js';
import { tarOf } from '../helpers/tar.js';

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

describe('build contexts whose Dockerfile a rule checks', () => {
  const BUILD_POLICY = policyFromYaml(`version: 1
rules:
  - id: allow-image-build
    effect: allow
    endpoints: [images.build]
    dockerfile:
      registries: [docker.io]
`);
  let p: RunningProxy;
  beforeEach(async () => {
    p = await startProxy(BUILD_POLICY, daemon.socketPath);
  });
  afterEach(async () => {
    await p.close();
  });
  const build = (tar: Buffer, query = '') => request(p.socketPath, 'POST', `/v1.41/build?t=x${query}`, { headers: { 'Content-Type': 'application/x-tar' }, body: tar });

  it('forwards the whole context when the Dockerfile keeps to the rule, gzip-compressed too', async () => {
    for (const gzip of [false, true]) {
      daemon.received.length = 0;
      const tar = tarOf({ Dockerfile: 'FROM busybox\nRUN true\n', 'app.txt': 'x'.repeat(100_000) }, { gzip });
      const res = await build(tar);
      expect(res.status, res.body).toBe(200);
      expect(daemon.received.find((r) => r.url.startsWith('/v1.41/build'))!.body.equals(tar)).toBe(true);
    }
  });

  it('cuts the upload before its end and answers 403 with the reason when the Dockerfile fetches from elsewhere; the engine never gets a whole context', async () => {
    const res = await build(tarOf({ 'app.txt': 'x'.repeat(200_000), Dockerfile: 'FROM busybox\nADD http://127.0.0.1:9/x /x\n' }));
    expect(res.status).toBe(403);
    expect((res.json() as { message: string }).message).toContain('Dockerfile line 2: ADD http://127.0.0.1:9/x makes the engine download it');
    await new Promise((r) => setTimeout(r, 100));
    expect(daemon.received.filter((r) => r.url.includes('/build'))).toHaveLength(0);
    await waitUntil(() => p.log.audit().some((r) => r['msg'] === 'request denied' && String(r['reason']).includes('build context refused')), 2000, 'the denial record');
  });

  it('refuses a context it cannot read: another compression, or not a tar archive', async () => {
    const xz = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(2000)]);
    const res = await build(xz);
    expect(res.status).toBe(400);
    expect((res.json() as { message: string }).message).toContain('compressed with xz');
    expect((await build(Buffer.alloc(4096, 0x41))).status).toBe(400);
  });
});
