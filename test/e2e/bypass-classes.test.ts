/**
 * The classes of bypass found by reading sockgate's source as an attacker, against the real
 * engine. Each test first shows the effect on the engine's own socket (the engine's state is the
 * evidence), then that the preset refuses the same request, that it never reached the engine,
 * and that the audit record names where the request was refused (bodyPointer or queryParam).
 * The gate-level proofs of every spelling are in test/unit/policy/preset-bypasses.test.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsSince, logMark } from '../helpers/engine-log.js';
import { docker, engineSocket, REPO_ROOT, startSockgate, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';
import { listenOnLoopback } from '../helpers/loopback.js';
import { request } from '../helpers/raw-http.js';
import { tarOf } from '../helpers/tar.js';
import { waitUntil } from '../helpers/wait.js';

const tag = `${process.pid}`;
const NAME = `sg-bc-${tag}`;
const TARGET = `${NAME}-target`;
let engine: string;
let uc: SockgateProcess;
let ci: SockgateProcess;

beforeAll(async () => {
  engine = engineSocket();
  uc = await startSockgate(['--policy', join(REPO_ROOT, 'policies/untrusted-create.yaml')]);
  ci = await startSockgate(['--policy', join(REPO_ROOT, 'policies/ci-runner.yaml')]);
  // Someone else's container, running: the one a client must not reach. (--network none: engine
  // 28 here runs without the default bridge.)
  const run = await docker(engine, ['run', '-d', '--name', TARGET, '--network', 'none', '--ipc', 'shareable', TEST_IMAGE, 'sleep', '600']);
  expect(run.code, run.stderr).toBe(0);
}, 60_000);
afterAll(async () => {
  await uc?.stop();
  await ci?.stop();
  const left = await docker(engine, ['ps', '-aq', '--filter', `name=${NAME}`]);
  for (const id of left.stdout.split('\n').filter(Boolean)) await docker(engine, ['rm', '-f', id]);
  await docker(engine, ['network', 'rm', `${NAME}-mine`, `${NAME}-other`, `${NAME}-lan`]);
  await docker(engine, ['rmi', '-f', `${NAME}-img:1`]);
});

/** A denial's audit record, once sockgate has written it. */
async function deniedRecord(gate: SockgateProcess, seen: number, what: (r: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await waitUntil(() => (found = gate.records.slice(seen).find((r) => r['msg'] === 'request denied' && what(r))) !== undefined, 3000, 'the audit record of the denial');
  return found!;
}

const nsOf = async (container: string, ns: string): Promise<string> => (await docker(engine, ['exec', container, 'readlink', `/proc/self/ns/${ns}`])).stdout.trim();

describe('a namespace mode naming another container as container:/<name>', () => {
  it.each([
    ['--network', 'net', '/HostConfig/NetworkMode', 'deny-network-container'],
    ['--ipc', 'ipc', '/HostConfig/IpcMode', 'deny-ipc-container'],
  ])('docker run %s container:/<name>: joins that namespace on the engine socket; untrusted-create refuses it', async (flag, ns, pointer, rule) => {
    const direct = await docker(engine, ['run', '--rm', flag, `container:/${TARGET}`, TEST_IMAGE, 'readlink', `/proc/self/ns/${ns}`]);
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout.trim()).toBe(await nsOf(TARGET, ns));
    const seen = uc.records.length;
    const mark = logMark();
    const via = await docker(uc.socketPath, ['create', '--name', `${NAME}-join-${ns}`, flag, `container:/${TARGET}`, TEST_IMAGE, 'true']);
    expect(via.code).not.toBe(0);
    expect(via.stderr).toContain(`denied by rule ${rule}`);
    expect(callsSince(mark).filter((c) => c.uri.includes('/containers/create'))).toEqual([]);
    expect((await deniedRecord(uc, seen, (r) => r['rule'] === rule))['bodyPointer']).toBe(pointer);
  });

  it('a build with networkmode=container:/<name>: its RUN steps run in that network namespace on the engine socket; untrusted-create refuses it', async () => {
    const context = tarOf({ Dockerfile: `FROM ${TEST_IMAGE}\nRUN readlink /proc/self/ns/net\n` });
    const build = (socket: string) => request(socket, 'POST', `/build?networkmode=${encodeURIComponent(`container:/${TARGET}`)}&rm=1&nocache=1&t=${NAME}-img:1`, { headers: { 'Content-Type': 'application/x-tar' }, body: context });
    const direct = await build(engine);
    expect(direct.status, direct.body).toBe(200);
    expect(direct.body).toContain(await nsOf(TARGET, 'net'));
    const seen = uc.records.length;
    const mark = logMark();
    const via = await build(uc.socketPath);
    expect(via.status).toBe(403);
    expect(via.body).toContain('deny-build-container-network');
    expect(callsSince(mark).filter((c) => c.uri.startsWith('/build'))).toEqual([]);
    expect((await deniedRecord(uc, seen, (r) => r['rule'] === 'deny-build-container-network'))['queryParam']).toBe('networkmode');
  }, 60_000);
});

describe('EndpointSettings.NetworkID, through ci-runner (ownership)', () => {
  let other = '';
  beforeAll(async () => {
    // The owning client's own network, and another owner's.
    expect((await docker(ci.socketPath, ['network', 'create', `${NAME}-mine`])).code).toBe(0);
    other = (await docker(engine, ['network', 'create', '--internal', `${NAME}-other`])).stdout.trim();
    for (const job of ['a', 'b']) {
      const r = await docker(ci.socketPath, ['run', '-d', '--name', `${NAME}-job-${job}`, '--network', `${NAME}-mine`, TEST_IMAGE, 'sleep', '300']);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 60_000);
  const networksOf = async (c: string) => (await docker(engine, ['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', c])).stdout.trim().split(' ');
  const connect = (socket: string, job: string) =>
    request(socket, 'POST', `/networks/${NAME}-mine/connect`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Container: job, EndpointConfig: { NetworkID: other } }) });

  it('a connect to its own network with NetworkID set attaches to the other network on the engine socket; ci-runner refuses it, naming the field', async () => {
    const direct = await connect(engine, `${NAME}-job-a`);
    expect(direct.status, direct.body).toBe(200);
    expect(await networksOf(`${NAME}-job-a`)).toContain(`${NAME}-other`);
    const seen = ci.records.length;
    const mark = logMark();
    const via = await connect(ci.socketPath, `${NAME}-job-b`);
    expect(via.status).toBe(403);
    expect((JSON.parse(via.body) as { message: string }).message).toContain(`network "${other}" named at /EndpointConfig/NetworkID is not one this profile can see or use`);
    expect(callsSince(mark).filter((c) => c.uri.includes('/connect'))).toEqual([]);
    expect(await networksOf(`${NAME}-job-b`)).toEqual([`${NAME}-mine`]);
    expect((await deniedRecord(ci, seen, (r) => r['code'] === 'SOCKGATE_DENY_NOT_OWNED'))['bodyPointer']).toBe('/EndpointConfig/NetworkID');
  });

  it('a create keyed by its own network with NetworkID set is attached to the other network on the engine socket; ci-runner refuses it, naming the field', async () => {
    const body = JSON.stringify({ Image: TEST_IMAGE, Cmd: ['sleep', '60'], HostConfig: { NetworkMode: `${NAME}-mine` }, NetworkingConfig: { EndpointsConfig: { [`${NAME}-mine`]: { NetworkID: other } } } });
    const direct = await request(engine, 'POST', `/containers/create?name=${NAME}-nid-a`, { headers: { 'Content-Type': 'application/json' }, body });
    expect(direct.status, direct.body).toBe(201);
    expect((await docker(engine, ['start', `${NAME}-nid-a`])).code).toBe(0);
    const ids = (await docker(engine, ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.NetworkID}} {{end}}', `${NAME}-nid-a`])).stdout.trim().split(' ');
    expect(ids).toContain(other);
    const seen = ci.records.length;
    const via = await request(ci.socketPath, 'POST', `/containers/create?name=${NAME}-nid-b`, { headers: { 'Content-Type': 'application/json' }, body });
    expect(via.status).toBe(403);
    expect((await docker(engine, ['inspect', `${NAME}-nid-b`])).code).not.toBe(0);
    expect((await deniedRecord(ci, seen, (r) => r['path'] === '/containers/create'))['bodyPointer']).toBe(`/NetworkingConfig/EndpointsConfig/${NAME}-mine/NetworkID`);
  });
});

describe('docker top with ps_args the client crafts', () => {
  let host: ChildProcess;
  afterAll(() => {
    host?.kill();
  });

  it('reads a host process\'s command line on the engine socket (the engine runs ps on the host); untrusted-create allows only fixed formats', async () => {
    const secret = `sg-host-secret-${tag}`;
    const containerPid = (await docker(engine, ['inspect', '-f', '{{.State.Pid}}', TARGET])).stdout.trim();
    // A host process, started after the container: its row follows the container's in ps's output.
    host = spawn('sh', ['-c', 'sleep 120', secret], { stdio: 'ignore' });
    await waitUntil(() => host.pid !== undefined, 2000, 'the host process');
    // The engine keeps rows whose column titled PID holds a container process, and a row with "-"
    // there when the row before it was kept: -o lwp=PID with BSD m titles the thread column PID,
    // which is "-" on every process line and the pid on each thread line.
    const psArgs = `-olwp=PID,args m -p${containerPid},${host.pid}`;
    const top = (socket: string) => request(socket, 'GET', `/containers/${TARGET}/top?ps_args=${encodeURIComponent(psArgs)}`);
    const direct = await top(engine);
    expect(direct.status, direct.body).toBe(200);
    expect(direct.body).toContain(secret);
    const seen = uc.records.length;
    const mark = logMark();
    const via = await top(uc.socketPath);
    expect(via.status).toBe(403);
    expect(via.body).not.toContain(secret);
    expect((JSON.parse(via.body) as { message: string }).message).toContain('does not meet the condition of rule allow-container-top on ps_args');
    expect(callsSince(mark).filter((c) => c.uri.includes('/top'))).toEqual([]);
    expect((await deniedRecord(uc, seen, (r) => r['endpoint'] === 'containers.top'))['queryParam']).toBe('ps_args');
    // docker top with no options, and with a fixed format, still works.
    for (const args of [[], ['aux']]) {
      const ok = await docker(uc.socketPath, ['top', TARGET, ...args]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('sleep 600');
    }
  });
});

describe('a network subnet more specific than a route the host has', () => {
  /**
   * The host's first on-link IPv4 route of /26 or wider that is not an engine's bridge, and a /30
   * near its end that holds neither a gateway nor the host's address: one /30 per engine of the
   * run (SOCKGATE_E2E_ENGINES), since the engines' projects run side by side on one host.
   */
  function hostLan(): { prefix: string; probe: string } {
    const toInt = (a: string) => a.split('.').map(Number).reduce((x, y) => x * 256 + y, 0);
    const dotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
    const engines = (process.env['SOCKGATE_E2E_ENGINES'] ?? '').split(',').map((e) => e.slice(e.indexOf('=') + 1));
    const slot = Math.max(0, engines.indexOf(process.env['SOCKGATE_E2E_DOCKER_HOST'] ?? ''));
    const routes = JSON.parse(execFileSync('ip', ['-j', '-4', 'route'], { encoding: 'utf8' })) as { dst: string; dev: string; gateway?: string; prefsrc?: string; scope?: string }[];
    const used = routes.flatMap((r) => [r.gateway, r.prefsrc]).filter((a): a is string => a !== undefined).map(toInt);
    for (const r of routes) {
      const m = /^([\d.]+)\/(\d+)$/.exec(r.dst);
      if (m === null || r.scope !== 'link' || Number(m[2]) > 26 || /^(br-|docker)/.test(r.dev)) continue;
      const last = toInt(m[1]!) + 2 ** (32 - Number(m[2])) - 4 * (slot + 1);
      if (used.some((a) => a >= last && a < last + 4)) continue;
      return { prefix: `${dotted(last)}/30`, probe: dotted(last + 2) };
    }
    throw new Error('this host has no on-link IPv4 route of /26 or wider to test against');
  }
  const routeDev = (addr: string): string => (JSON.parse(execFileSync('ip', ['-j', 'route', 'get', addr], { encoding: 'utf8' })) as { dev: string }[])[0]!.dev;

  it('the engine creates it on its own socket and the host routes that part of its LAN to the bridge; untrusted-create refuses a chosen subnet', async () => {
    const { prefix, probe } = hostLan();
    const before = routeDev(probe);
    expect(before).not.toMatch(/^br-/);
    const direct = await docker(engine, ['network', 'create', '--subnet', prefix, `${NAME}-lan`]);
    expect(direct.code, direct.stderr).toBe(0);
    expect(routeDev(probe)).toBe(`br-${direct.stdout.trim().slice(0, 12)}`);
    expect((await docker(engine, ['network', 'rm', `${NAME}-lan`])).code).toBe(0);
    expect(routeDev(probe)).toBe(before);
    const seen = uc.records.length;
    const via = await docker(uc.socketPath, ['network', 'create', '--subnet', prefix, `${NAME}-lan`]);
    expect(via.code).not.toBe(0);
    expect(via.stderr).toContain('IPAM.Config is not one of them');
    expect((await docker(engine, ['network', 'inspect', `${NAME}-lan`])).code).not.toBe(0);
    expect((await deniedRecord(uc, seen, (r) => r['endpoint'] === 'networks.create'))['bodyPointer']).toBe('/IPAM/Config');
    expect(routeDev(probe)).toBe(before);
  });
});

describe('BuildKit through version=2 without a session', () => {
  it('the engine builds an uploaded context with its BuildKit on its own socket; untrusted-create refuses it, naming version', async () => {
    const context = tarOf({ Dockerfile: `FROM ${TEST_IMAGE}\nRUN true\n` });
    const build = (socket: string) => request(socket, 'POST', `/build?version=2&t=${NAME}-img:1`, { headers: { 'Content-Type': 'application/x-tar' }, body: context });
    const direct = await build(engine);
    expect(direct.status, direct.body).toBe(200);
    expect(direct.body).toContain('moby.buildkit.trace');
    const seen = uc.records.length;
    const mark = logMark();
    const via = await build(uc.socketPath);
    expect(via.status).toBe(403);
    expect((JSON.parse(via.body) as { message: string }).message).toMatch(/\?version="2" does not meet the condition of rule allow-image-build on version/);
    expect(callsSince(mark).filter((c) => c.uri.startsWith('/build'))).toEqual([]);
    expect((await deniedRecord(uc, seen, (r) => r['endpoint'] === 'images.build'))['queryParam']).toBe('version');
  }, 120_000);
});

describe('the ONBUILD triggers of a base image, through untrusted-create', () => {
  const BASE = `${NAME}-onbuild:1`;
  const build = (socket: string, dockerfile: string, query = '') =>
    request(socket, 'POST', `/build?rm=1&t=${NAME}-img:1${query}`, { headers: { 'Content-Type': 'application/x-tar' }, body: tarOf({ Dockerfile: dockerfile }) });
  afterAll(async () => {
    await docker(engine, ['rmi', '-f', BASE]);
  });

  it('a trigger that ADDs a URL on the host\'s loopback: the engine fetches it building FROM that image on its own socket; sockgate reads the trigger and refuses', async () => {
    const target = await listenOnLoopback();
    try {
      // Someone (on the engine socket) built an image whose trigger fetches from the host's loopback.
      const made = await build(engine, `FROM ${TEST_IMAGE}\nONBUILD ADD http://127.0.0.1:${target.port}/payload /payload\n`);
      expect(made.status, made.body).toBe(200);
      expect((await docker(engine, ['tag', `${NAME}-img:1`, BASE])).code).toBe(0);
      await build(engine, `FROM ${BASE}\nRUN true\n`);
      await waitUntil(() => target.connections() > 0, 15_000, 'the engine running the trigger');
      const before = target.connections();
      const seen = uc.records.length;
      const via = await build(uc.socketPath, `FROM ${BASE}\nRUN true\n`);
      expect(via.status, via.body).toBe(403);
      expect((JSON.parse(via.body) as { message: string }).message).toContain(`Dockerfile line 1: the ONBUILD trigger "ADD http://127.0.0.1:${target.port}/payload /payload" of ${BASE}: ADD`);
      await new Promise((r) => setTimeout(r, 500));
      expect(target.connections()).toBe(before);
      await deniedRecord(uc, seen, (r) => String(r['reason']).includes('ONBUILD trigger'));
    } finally {
      await target.close();
    }
  }, 60_000);

  it('a base image the engine does not have, and pull=1, are refused: the engine would pull and run triggers nobody has read', async () => {
    const missing = await build(uc.socketPath, `FROM docker.io/library/sg-missing-${tag}:1\nRUN true\n`);
    expect(missing.status).toBe(403);
    expect((JSON.parse(missing.body) as { message: string }).message).toContain(`FROM docker.io/library/sg-missing-${tag}:1 is not on the engine`);
    const seen = uc.records.length;
    const pulled = await build(uc.socketPath, `FROM ${TEST_IMAGE}\nRUN true\n`, '&pull=1');
    expect(pulled.status).toBe(403);
    expect((await deniedRecord(uc, seen, (r) => String(r['reason']).startsWith('pull=1')))['queryParam']).toBe('pull');
    const plain = await build(uc.socketPath, `FROM ${TEST_IMAGE}\nRUN true\n`);
    expect(plain.status, plain.body).toBe(200);
    expect(plain.body).not.toContain('errorDetail');
  }, 60_000);
});
