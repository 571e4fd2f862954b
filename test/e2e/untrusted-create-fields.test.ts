/**
 * Container create fields that reach the host, or make the engine reach where the client
 * chooses, cannot be used through policies/untrusted-create.yaml (an allow-list of fields), in any
 * spelling the engine accepts: log drivers that connect out, published ports, an OOM score that
 * spares the container, unbounded tmpfs, and the fields the engine gained after API 1.41.
 * On an engine that has a field, the same body sent to the engine socket first shows the effect
 * is real (the engine created the container with it); on 20.10, which ignores the field, the
 * refusal through sockgate holds as well (the body means something else on a newer engine).
 * (A field no engine version sockgate knows has is ignored by these engines and refused for a newer
 * one: test/integration/body.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsSince, logMark } from '../helpers/engine-log.js';
import { docker, engineSocket, REPO_ROOT, startSockgate, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';
import { listenOnLoopback } from '../helpers/loopback.js';
import { request } from '../helpers/raw-http.js';
import { waitUntil } from '../helpers/wait.js';
import { tarOf } from '../helpers/tar.js';

const PRESET = join(REPO_ROOT, 'policies/untrusted-create.yaml');
const tag = `${process.pid}`;
const NAME = `sg-mf-${tag}`;
let engine: string;
let gate: SockgateProcess;
let apiVersion: string;
const hostDir = mkdtempSync(join(tmpdir(), 'sg-mf-host-'));

beforeAll(async () => {
  engine = engineSocket();
  gate = await startSockgate(['--policy', PRESET]);
  apiVersion = (await docker(engine, ['version', '--format', '{{.Server.APIVersion}}'])).stdout.trim();
});
afterAll(async () => {
  await gate?.stop();
  const left = await docker(engine, ['ps', '-aq', '--filter', `name=${NAME}`]);
  for (const id of left.stdout.split('\n').filter(Boolean)) await docker(engine, ['rm', '-f', id]);
  rmSync(hostDir, { recursive: true, force: true });
});

const atLeast = (v: string): boolean => {
  const [a, b] = apiVersion.split('.').map(Number) as [number, number];
  const [c, d] = v.split('.').map(Number) as [number, number];
  return a > c || (a === c && b >= d);
};

interface Case {
  readonly name: string;
  /** API version that added the field */
  readonly since: string;
  readonly hostConfig: Record<string, unknown>;
  /** the JSON pointer sockgate's denial names */
  readonly pointer: string;
  /** on an engine with the field: what the created container shows (inspect format → expected) */
  readonly engineShows?: readonly [string, string];
  /** top-level body fields beside HostConfig */
  readonly extra?: Record<string, unknown>;
}

const mount = (m: Record<string, unknown>): Record<string, unknown> => ({ Mounts: [{ Target: '/host', ...m }] });

const CASES: readonly Case[] = [
  {
    name: 'a log driver the engine itself connects out with (syslog to an address the client picks)',
    since: '1.24',
    hostConfig: { LogConfig: { Type: 'syslog', Config: { 'syslog-address': 'tcp://127.0.0.1:1' } } },
    pointer: '/HostConfig/LogConfig/Type',
    engineShows: ['{{.HostConfig.LogConfig.Type}}', 'syslog'],
  },
  {
    name: 'a local log driver with options (the preset allows none)',
    since: '1.24',
    hostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '1g' } } },
    pointer: '/HostConfig/LogConfig/Config',
    engineShows: ['{{index .HostConfig.LogConfig.Config "max-size"}}', '1g'],
  },
  {
    name: 'a port published on every host interface (PortBindings)',
    since: '1.24',
    hostConfig: { PortBindings: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '18080' }] } },
    pointer: '/HostConfig/PortBindings',
    engineShows: ['{{json .HostConfig.PortBindings}}', '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"18080"}]}'],
  },
  {
    name: 'an OOM score the kernel spares while the container takes the host\'s memory (OomScoreAdj -1000)',
    since: '1.24',
    hostConfig: { OomScoreAdj: -1000 },
    pointer: '/HostConfig/OomScoreAdj',
    engineShows: ['{{.HostConfig.OomScoreAdj}}', '-1000'],
  },
  {
    name: 'a tmpfs without a size (HostConfig.Tmpfs)',
    since: '1.24',
    hostConfig: { Tmpfs: { '/t': 'rw' } },
    pointer: '/HostConfig/Tmpfs',
    engineShows: ['{{json .HostConfig.Tmpfs}}', '{"/t":"rw"}'],
  },
  {
    name: 'a tmpfs mount without a size (Mounts Type tmpfs)',
    since: '1.24',
    hostConfig: mount({ Type: 'tmpfs' }),
    pointer: '/HostConfig/Mounts',
    engineShows: ['{{(index .HostConfig.Mounts 0).Type}}', 'tmpfs'],
  },
  {
    name: 'a bind mount that creates its missing host mountpoint (BindOptions.CreateMountpoint)',
    since: '1.42',
    hostConfig: mount({ Type: 'bind', Source: join(hostDir, 'made-by-engine'), BindOptions: { CreateMountpoint: true } }),
    pointer: '/HostConfig/Mounts/0/Source',
    engineShows: ['{{(index .Mounts 0).Source}}', join(hostDir, 'made-by-engine')],
  },
  {
    name: 'a bind mount read-only but not recursively (BindOptions.ReadOnlyNonRecursive)',
    since: '1.44',
    hostConfig: mount({ Type: 'bind', Source: hostDir, ReadOnly: true, BindOptions: { ReadOnlyNonRecursive: true } }),
    pointer: '/HostConfig/Mounts/0/Source',
    engineShows: ['{{(index .HostConfig.Mounts 0).BindOptions.ReadOnlyNonRecursive}}', 'true'],
  },
  {
    name: 'a bind mount forced read-only recursively (BindOptions.ReadOnlyForceRecursive)',
    since: '1.44',
    hostConfig: mount({ Type: 'bind', Source: hostDir, ReadOnly: true, BindOptions: { ReadOnlyForceRecursive: true } }),
    pointer: '/HostConfig/Mounts/0/Source',
  },
  {
    name: 'a volume mount with a subpath and bind driver options (VolumeOptions.Subpath)',
    since: '1.45',
    hostConfig: mount({
      Type: 'volume',
      Source: `${NAME}-subvol`,
      VolumeOptions: { Subpath: 'etc', DriverConfig: { Name: 'local', Options: { type: 'none', o: 'bind', device: '/' } } },
    }),
    pointer: '/HostConfig/Mounts/0/VolumeOptions/DriverConfig/Options',
  },
  {
    name: 'the same, with the field names spelled as Go would still bind them (subpath, driverconfig)',
    since: '1.45',
    hostConfig: mount({ Type: 'volume', Source: `${NAME}-subvol2`, VolumeOptions: { subpath: 'etc', driverconfig: { Name: 'local', Options: { o: 'bind', device: '/' } } } }),
    pointer: '/HostConfig/Mounts/0/VolumeOptions/subpath',
  },
  {
    name: 'a mount spelled "bindoptions", which Go binds to BindOptions',
    since: '1.42',
    hostConfig: mount({ Type: 'bind', Source: hostDir, bindoptions: { CreateMountpoint: true } }),
    pointer: '/HostConfig/Mounts/0/bindoptions',
  },
  {
    name: 'an annotation the runtime reads (HostConfig.Annotations), spelled "annotations"',
    since: '1.43',
    hostConfig: { annotations: { 'org.opencontainers.runc.exec.isolated-cpu-affinity-transition': 'temporary' } },
    pointer: '/HostConfig/annotations',
  },
  {
    name: 'an image mount (Mounts Type "image", ImageOptions; API 1.48): the allow-list names only volume and tmpfs',
    since: '1.48',
    hostConfig: { NetworkMode: 'none', ...mount({ Type: 'image', Source: TEST_IMAGE, ImageOptions: { Subpath: 'etc' } }) },
    pointer: '/HostConfig/Mounts',
    engineShows: ['{{(index .HostConfig.Mounts 0).Type}}', 'image'],
  },
  {
    name: 'endpoint driver options (per-endpoint sysctls, API 1.46) and a gateway priority (1.48): endpoint options are not on the allow-list',
    since: '1.46',
    hostConfig: { NetworkMode: 'none' },
    extra: { NetworkingConfig: { EndpointsConfig: { none: { GwPriority: 5, DriverOpts: { 'com.docker.network.endpoint.sysctls': 'net.ipv4.conf.IFNAME.forwarding=1' } } } } },
    pointer: '/NetworkingConfig/EndpointsConfig/none/DriverOpts',
    engineShows: ['{{json .NetworkSettings.Networks.none.DriverOpts}}', '{"com.docker.network.endpoint.sysctls":"net.ipv4.conf.IFNAME.forwarding=1"}'],
  },
];

const body = (hostConfig: Record<string, unknown>, extra: Record<string, unknown> = {}): string => JSON.stringify({ Image: TEST_IMAGE, Cmd: ['true'], HostConfig: hostConfig, ...extra });

describe('host-reaching create fields, through untrusted-create', () => {
  it.each(CASES.map((c) => [c.name, c]))('%s: refused with its pointer, and never reaches the engine', async (_name, c) => {
    if (c.engineShows !== undefined && atLeast(c.since)) {
      // The effect is real: this engine creates the container with the field on its own socket.
      const direct = await request(engine, 'POST', `/containers/create?name=${NAME}-direct`, { headers: { 'Content-Type': 'application/json' }, body: body(c.hostConfig, c.extra) });
      expect(direct.status, direct.body).toBe(201);
      const shown = await docker(engine, ['inspect', '--format', c.engineShows[0], `${NAME}-direct`]);
      expect(shown.stdout.trim()).toBe(c.engineShows[1]);
      await docker(engine, ['rm', '-f', `${NAME}-direct`]);
    }
    const mark = logMark();
    const seen = gate.records.length;
    const res = await request(gate.socketPath, 'POST', `/containers/create?name=${NAME}-via`, { headers: { 'Content-Type': 'application/json' }, body: body(c.hostConfig, c.extra) });
    expect([400, 403], res.body).toContain(res.status);
    expect((JSON.parse(res.body) as { message: string }).message).toContain('sockgate:');
    expect(callsSince(mark).filter((call) => call.uri.includes('/containers/create'))).toEqual([]);
    // the audit record names the field (it reaches the test through sockgate's stdout)
    await waitUntil(() => gate.records.slice(seen).some((r) => r['msg'] === 'request denied' && JSON.stringify(r).includes(c.pointer)), 3000, `audit record naming ${c.pointer}`);
    expect((await docker(engine, ['inspect', `${NAME}-via`])).code).not.toBe(0);
  });

});


/** A TCP listener on the host's loopback that counts the connections it gets (the engine's). */

describe('the engine\'s own reach, through untrusted-create', () => {
  it('an image pull from a registry on the host\'s loopback: the engine connects there on its own socket, never through sockgate', async () => {
    const registry = await listenOnLoopback();
    try {
      const ref = encodeURIComponent(`127.0.0.1:${registry.port}/sg-probe`);
      const direct = await request(engine, 'POST', `/images/create?fromImage=${ref}&tag=latest`);
      expect(direct.status).toBeLessThan(600);
      await waitUntil(() => registry.connections() > 0, 10_000, 'the engine connecting to the loopback registry');
      const before = registry.connections();
      const mark = logMark();
      const seen = gate.records.length;
      const via = await request(gate.socketPath, 'POST', `/images/create?fromImage=${ref}&tag=latest`);
      expect(via.status).toBe(403);
      expect(via.body).toContain('sockgate:');
      expect(callsSince(mark).filter((c) => c.uri.includes('/images/create'))).toEqual([]);
      await waitUntil(() => gate.records.slice(seen).some((r) => r['msg'] === 'request denied' && r['endpoint'] === 'images.create'), 3000, 'the audit record of the refused pull');
      await new Promise((r) => setTimeout(r, 300));
      expect(registry.connections()).toBe(before);
    } finally {
      await registry.close();
    }
  });

  it('a pull from Docker Hub is still let through (and fails here, offline, at the engine)', async () => {
    const mark = logMark();
    const via = await request(gate.socketPath, 'POST', `/images/create?fromImage=${encodeURIComponent('sg-no-such-image-here')}&tag=latest`);
    expect(via.body).not.toContain('sockgate:');
    expect(callsSince(mark).some((c) => c.uri.includes('/images/create'))).toBe(true);
  });
});

describe('what a named volume stands for, through untrusted-create', () => {
  const VOL = `${NAME}-bindvol`;
  afterAll(async () => {
    await docker(engine, ['volume', 'rm', '-f', VOL]);
  });

  it('a volume someone else created with o=bind,device=<host dir>: the host\'s files on the engine socket, refused through sockgate by its device', async () => {
    writeFileSync(join(hostDir, 'marker'), 'host-file\n');
    const made = await docker(engine, ['volume', 'create', '--opt', 'type=none', '--opt', 'o=bind', '--opt', `device=${hostDir}`, VOL]);
    expect(made.code, made.stderr).toBe(0);
    // The effect is real: a container mounting the volume by name reads the host directory.
    const direct = await docker(engine, ['run', '--rm', '--network', 'none', '-v', `${VOL}:/v`, TEST_IMAGE, 'cat', '/v/marker']);
    expect(direct.stdout).toBe('host-file\n');
    const mark = logMark();
    const seen = gate.records.length;
    for (const how of [['-v', `${VOL}:/v`], ['--mount', `type=volume,source=${VOL},target=/v`]]) {
      const via = await docker(gate.socketPath, ['run', '--rm', '--network', 'none', ...how, TEST_IMAGE, 'cat', '/v/marker']);
      expect(via.code).not.toBe(0);
      expect(via.stderr).toContain('sockgate: denied by rule deny-host-paths');
    }
    expect(callsSince(mark).filter((c) => c.uri.includes('/containers/create'))).toEqual([]);
    // sockgate looked the volume up, and its audit records name the field that named it
    expect(callsSince(mark).some((c) => c.method === 'GET' && c.uri === `/volumes/${VOL}`)).toBe(true);
    await waitUntil(() => ['/HostConfig/Binds/0', '/HostConfig/Mounts/0/Source'].every((p) => gate.records.slice(seen).some((r) => r['msg'] === 'request denied' && r['bodyPointer'] === p)), 3000, 'the audit records of both refusals');
  });
});

describe('io.sockgate.* labels that reach a container through its image', () => {
  const IMAGE = `sg-mf-labelled:${tag}`;
  afterAll(async () => {
    await docker(engine, ['rmi', '-f', IMAGE]);
  });

  it('an image built elsewhere with LABEL io.sockgate.owner: inherited by its containers on the engine socket, refused as a create image through sockgate', async () => {
    const ctx = mkdtempSync(join(tmpdir(), 'sg-mf-ctx-'));
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${TEST_IMAGE}\nLABEL io.sockgate.owner=ci-runner\n`);
    const built = await docker(engine, ['build', '-q', '-t', IMAGE, ctx], { timeoutMs: 120_000 });
    expect(built.code, built.stderr).toBe(0);
    rmSync(ctx, { recursive: true, force: true });
    const c = await docker(engine, ['create', '--name', `${NAME}-inherits`, IMAGE, 'true']);
    expect(c.code, c.stderr).toBe(0);
    expect((await docker(engine, ['inspect', '-f', '{{index .Config.Labels "io.sockgate.owner"}}', `${NAME}-inherits`])).stdout.trim()).toBe('ci-runner');
    await docker(engine, ['rm', '-f', `${NAME}-inherits`]);
    const mark = logMark();
    const via = await docker(gate.socketPath, ['create', IMAGE, 'true']);
    expect(via.code).not.toBe(0);
    expect(via.stderr).toContain('carries the label "io.sockgate.owner"');
    expect(via.stderr).toContain('SOCKGATE_DENY_RESERVED_LABEL');
    expect(callsSince(mark).filter((call) => call.uri.includes('/containers/create'))).toEqual([]);
  });
});

describe('a build through ci-runner (ownership) that joins a network the profile cannot see', () => {
  const NET = `${NAME}-othernet`;
  let ci: SockgateProcess;
  beforeAll(async () => {
    ci = await startSockgate(['--policy', join(REPO_ROOT, 'policies/ci-runner.yaml')]);
  });
  afterAll(async () => {
    await ci?.stop();
    await docker(engine, ['network', 'rm', NET]);
  });

  it('the engine runs the build\'s steps on that network on its own socket; sockgate refuses the build, naming the network', async () => {
    expect((await docker(engine, ['network', 'create', '--internal', NET])).code).toBe(0);
    const ctx = mkdtempSync(join(tmpdir(), 'sg-mf-netctx-'));
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN true\n`);
    const tar = await new Promise<Buffer>((resolve, reject) => {
      execFile('tar', ['-C', ctx, '-c', 'Dockerfile'], { encoding: 'buffer', maxBuffer: 1 << 20 }, (err, out) => (err ? reject(new Error(err.message)) : resolve(out)));
    });
    rmSync(ctx, { recursive: true, force: true });
    const build = (socket: string) =>
      request(socket, 'POST', `/build?networkmode=${NET}&t=sg-mf-netbuild:${tag}&rm=1`, { headers: { 'Content-Type': 'application/x-tar' }, body: tar });
    const direct = await build(engine);
    expect(direct.status, direct.body).toBe(200);
    expect(direct.body).not.toContain('errorDetail');
    await docker(engine, ['rmi', '-f', `sg-mf-netbuild:${tag}`]);
    const mark = logMark();
    const via = await build(ci.socketPath);
    expect(via.status).toBe(403);
    expect((JSON.parse(via.body) as { message: string }).message).toContain(`network "${NET}" named at ?networkmode is not one this profile can see or use`);
    expect(callsSince(mark).filter((c) => c.uri.startsWith('/build'))).toEqual([]);
  });
});

describe('what a build\'s Dockerfile makes the engine fetch, through untrusted-create', () => {
  const build = (socket: string, dockerfile: string) =>
    request(socket, 'POST', `/build?t=sg-mf-df:${tag}&rm=1`, { headers: { 'Content-Type': 'application/x-tar' }, body: tarOf({ Dockerfile: dockerfile, 'keep.txt': 'x' }) });
  afterAll(async () => {
    await docker(engine, ['rmi', '-f', `sg-mf-df:${tag}`]);
  });

  it.each([
    ['ADD of a URL on the host\'s loopback', (port: number) => `FROM ${TEST_IMAGE}\nADD http://127.0.0.1:${port}/payload /payload\n`, 'makes the engine download it'],
    ['FROM an image on a registry on the host\'s loopback', (port: number) => `FROM 127.0.0.1:${port}/base\nRUN true\n`, `is on registry 127.0.0.1:`],
  ])('%s: the engine connects there on its own socket; sockgate refuses the build before the engine acts', async (_what, dockerfile, says) => {
    const target = await listenOnLoopback();
    try {
      await build(engine, dockerfile(target.port));
      await waitUntil(() => target.connections() > 0, 15_000, 'the engine connecting to the loopback listener');
      const before = target.connections();
      const seen = gate.records.length;
      const via = await build(gate.socketPath, dockerfile(target.port));
      expect(via.status, via.body).toBe(403);
      expect((JSON.parse(via.body) as { message: string }).message).toContain(says);
      await new Promise((r) => setTimeout(r, 500));
      expect(target.connections()).toBe(before);
      await waitUntil(() => gate.records.slice(seen).some((r) => r['msg'] === 'request denied' && String(r['reason']).includes('build context refused')), 3000, 'the denial record');
    } finally {
      await target.close();
    }
  });

  it('lets an ordinary build through (FROM a local image, COPY, RUN)', async () => {
    const via = await build(gate.socketPath, `FROM ${TEST_IMAGE}\nCOPY keep.txt /keep.txt\nRUN cat /keep.txt\n`);
    expect(via.status, via.body).toBe(200);
    expect(via.body).not.toContain('errorDetail');
  });
});
