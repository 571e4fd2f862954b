/**
 * The tool presets in policies/ against the real engine. For each preset, the calls its tool
 * makes are replayed through sockgate (raw HTTP, as the tool's client library sends them, and the
 * docker CLI where it makes the same calls): each is allowed (never 403), and a representative set
 * of calls the tool never makes is denied with 403. Watchtower's preset runs a whole recreate
 * cycle. Everything created here is named sg-preset-* and removed through the engine socket.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyText } from '../../src/policy/load.js';
import { callsSince, logMark } from '../helpers/engine-log.js';
import { docker, engineSocket, REPO_ROOT, startSockgate, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';
import { rawExchange, request, statuses } from '../helpers/raw-http.js';

const preset = (name: string): string => join(REPO_ROOT, 'policies', name);
const tag = `${process.pid}`;
const TARGET = `sg-preset-target-${tag}`;
const NETWORK = `sg-preset-net-${tag}`;
const VOLUME = `sg-preset-vol-${tag}`;
const JSON_HEADERS = { 'Content-Type': 'application/json' };
let engine: string;

beforeAll(async () => {
  engine = engineSocket();
  const run = await docker(engine, ['run', '-d', '--name', TARGET, TEST_IMAGE, 'sleep', '300']);
  expect(run.code, run.stderr).toBe(0);
  const net = await docker(engine, ['network', 'create', NETWORK]);
  expect(net.code, net.stderr).toBe(0);
  const vol = await docker(engine, ['volume', 'create', VOLUME]);
  expect(vol.code, vol.stderr).toBe(0);
});

afterAll(async () => {
  const left = await docker(engine, ['ps', '-aq', '--filter', 'name=sg-preset-']);
  for (const id of left.stdout.split('\n').filter(Boolean)) await docker(engine, ['rm', '-f', id]);
  await docker(engine, ['network', 'rm', NETWORK]);
  await docker(engine, ['volume', 'rm', '-f', VOLUME]);
  await docker(engine, ['rmi', `sg-preset-img:${tag}`]);
});

/** One call: method, target, optional JSON body. */
type Call = readonly [method: string, target: string, body?: unknown];

async function send(gate: SockgateProcess, [method, target, body]: Call): Promise<{ status: number; body: string }> {
  const r = await request(gate.socketPath, method, target, body === undefined ? {} : { headers: JSON_HEADERS, body: JSON.stringify(body) });
  return { status: r.status, body: r.body };
}

/** The calls a tool makes: each is forwarded to the engine (never 403). */
async function expectAllowed(gate: SockgateProcess, calls: readonly Call[]): Promise<void> {
  for (const call of calls) {
    const r = await send(gate, call);
    expect(r.status, `${call[0]} ${call[1]} -> ${r.status} ${r.body.slice(0, 200)}`).not.toBe(403);
    expect(r.status, `${call[0]} ${call[1]} was refused by sockgate: ${r.body.slice(0, 200)}`).not.toBe(400);
  }
}

/** Calls the tool never makes: each is denied by the policy. */
async function expectDenied(gate: SockgateProcess, calls: readonly Call[]): Promise<void> {
  for (const call of calls) {
    const r = await send(gate, call);
    expect(r.status, `${call[0]} ${call[1]} -> ${r.status} ${r.body.slice(0, 200)}`).toBe(403);
  }
}

/** A streaming GET (events, streamed stats): the status line of the answer, then hang up. */
async function streamStatus(gate: SockgateProcess, target: string): Promise<number | undefined> {
  const raw = await rawExchange(gate.socketPath, `GET ${target} HTTP/1.1\r\nHost: docker\r\n\r\n`, 3000, 500);
  return statuses(raw)[0];
}

const now = (): number => Math.floor(Date.now() / 1000);

// Calls no discovery or monitoring tool makes, denied by every read-only preset.
const WRITES_AND_FILE_READS: Call[] = [
  ['POST', '/v1.41/containers/create', { Image: TEST_IMAGE, Cmd: ['true'] }],
  ['POST', `/v1.41/containers/${TARGET}/exec`, { Cmd: ['id'], AttachStdout: true }],
  ['GET', `/v1.41/containers/${TARGET}/archive?path=/etc`],
  ['GET', `/v1.41/containers/${TARGET}/export`],
  ['GET', `/v1.41/containers/${TARGET}/logs?stdout=1`],
  ['POST', `/v1.41/containers/${TARGET}/stop?t=1`],
  ['POST', `/v1.41/containers/${TARGET}/kill`],
  ['DELETE', `/v1.41/containers/${TARGET}?force=1`],
  ['POST', '/v1.41/images/create?fromImage=localhost:1/sg-preset-none&tag=latest'],
  ['POST', '/v1.41/volumes/create', { Name: `sg-preset-denied-${tag}` }],
  ['GET', '/v1.41/swarm'],
  ['GET', '/v1.41/configs'],
];

describe('policies/traefik.yaml', () => {
  let gate: SockgateProcess;
  beforeAll(async () => {
    gate = await startSockgate(['--policy', preset('traefik.yaml')]);
  });
  afterAll(async () => {
    await gate?.stop();
  });

  it("allows the Docker provider's calls: ping, version, containers, inspect, events", async () => {
    await expectAllowed(gate, [
      ['GET', '/_ping'],
      ['HEAD', '/_ping'],
      ['GET', '/v1.41/version'],
      ['GET', '/v1.41/containers/json'],
      ['GET', `/v1.41/containers/${TARGET}/json`],
      ['GET', `/v1.41/events?since=0&until=${now()}`],
    ]);
    // Traefik follows the event stream (watch: true).
    expect(await streamStatus(gate, '/v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D')).toBe(200);
  });

  it("allows the Swarm provider's calls: info, services, tasks, networks (503 on a non-manager, never 403)", async () => {
    await expectAllowed(gate, [
      ['GET', '/v1.41/info'],
      ['GET', '/v1.41/services'],
      ['GET', '/v1.41/tasks?filters=%7B%22desired-state%22%3A%5B%22running%22%5D%7D'],
      ['GET', '/v1.41/networks'],
      ['GET', `/v1.41/networks/${NETWORK}`],
    ]);
  });

  it('docker ps and docker inspect work through it', async () => {
    const ps = await docker(gate.socketPath, ['ps', '--format', '{{.Names}}']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout.split('\n')).toContain(TARGET);
    const inspect = await docker(gate.socketPath, ['container', 'inspect', '--format', '{{.Name}}', TARGET]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout.trim()).toBe(`/${TARGET}`);
  });

  it('denies everything else: writes, exec, archive, logs, images, volumes, nodes, stats', async () => {
    await expectDenied(gate, [
      ...WRITES_AND_FILE_READS,
      ['GET', '/v1.41/images/json'],
      ['GET', '/v1.41/volumes'],
      ['GET', '/v1.41/nodes'],
      ['GET', `/v1.41/containers/${TARGET}/stats?stream=false`],
      ['GET', '/v1.41/system/df'],
    ]);
    const run = await docker(gate.socketPath, ['run', '--rm', TEST_IMAGE, 'true']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('SOCKGATE_DENY_POLICY');
  });
});

describe('policies/homepage-dashboard.yaml', () => {
  let gate: SockgateProcess;
  beforeAll(async () => {
    gate = await startSockgate(['--policy', preset('homepage-dashboard.yaml')]);
  });
  afterAll(async () => {
    await gate?.stop();
  });

  it("allows the dashboard's calls: containers, inspect, one-shot stats, info, version, images, swarm status", async () => {
    await expectAllowed(gate, [
      ['GET', '/_ping'],
      ['HEAD', '/_ping'],
      ['GET', '/v1.41/version'],
      ['GET', '/v1.41/info'],
      ['GET', '/v1.41/containers/json?all=true'],
      ['GET', `/v1.41/containers/${TARGET}/json`],
      ['GET', `/v1.41/containers/${TARGET}/stats?stream=false`],
      ['GET', `/v1.41/containers/${TARGET}/stats?stream=0`],
      ['GET', '/v1.41/images/json'],
      ['GET', '/v1.41/services'],
      ['GET', '/v1.41/tasks'],
    ]);
    expect(await streamStatus(gate, `/v1.41/containers/${TARGET}/stats`)).toBe(200);
  });

  it('docker stats --no-stream works through it', async () => {
    const r = await docker(gate.socketPath, ['stats', '--no-stream', '--format', '{{.Name}}', TARGET]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(TARGET);
  });

  it('denies writes, exec, archive, logs and reads it does not need', async () => {
    await expectDenied(gate, [
      ...WRITES_AND_FILE_READS,
      ['POST', `/v1.41/containers/${TARGET}/restart`],
      ['GET', `/v1.41/containers/${TARGET}/top`],
      ['GET', '/v1.41/networks'],
      ['GET', '/v1.41/volumes'],
      ['GET', `/v1.41/images/${TEST_IMAGE}/get`],
      ['GET', '/v1.41/system/df'],
    ]);
  });
});

describe('policies/prometheus-exporter.yaml', () => {
  let gate: SockgateProcess;
  beforeAll(async () => {
    gate = await startSockgate(['--policy', preset('prometheus-exporter.yaml')]);
  });
  afterAll(async () => {
    await gate?.stop();
  });

  it("allows the exporter's calls: facts, containers, stats, df, images, volumes, networks", async () => {
    await expectAllowed(gate, [
      ['GET', '/_ping'],
      ['HEAD', '/_ping'],
      ['GET', '/v1.41/version'],
      ['GET', '/v1.41/info'],
      ['GET', '/v1.41/containers/json?all=1'],
      ['GET', `/v1.41/containers/${TARGET}/json`],
      ['GET', `/v1.41/containers/${TARGET}/stats?stream=false`],
      ['GET', '/v1.41/system/df'],
      ['GET', '/v1.41/images/json'],
      ['GET', '/v1.41/volumes'],
      ['GET', '/v1.41/networks'],
    ]);
    expect(await streamStatus(gate, `/v1.41/containers/${TARGET}/stats`)).toBe(200);
    const df = await docker(gate.socketPath, ['system', 'df']);
    expect(df.code, df.stderr).toBe(0);
  });

  it('denies writes, exec, archive, logs, events and inspect of other objects', async () => {
    await expectDenied(gate, [
      ...WRITES_AND_FILE_READS,
      ['GET', `/v1.41/events?since=0&until=${now()}`],
      ['GET', `/v1.41/containers/${TARGET}/top`],
      ['GET', `/v1.41/networks/${NETWORK}`],
      ['GET', `/v1.41/volumes/${VOLUME}`],
      ['GET', '/v1.41/services'],
    ]);
  });
});

describe('policies/portainer-readonly.yaml', () => {
  let gate: SockgateProcess;
  beforeAll(async () => {
    gate = await startSockgate(['--policy', preset('portainer-readonly.yaml')]);
  });
  afterAll(async () => {
    await gate?.stop();
  });

  it("allows Portainer's read-only pages", async () => {
    await expectAllowed(gate, [
      ['GET', '/_ping'],
      ['HEAD', '/_ping'],
      ['GET', '/v1.41/version'],
      ['GET', '/v1.41/info'],
      ['GET', '/v1.41/system/df'],
      ['GET', `/v1.41/events?since=0&until=${now()}`],
      ['GET', '/v1.41/containers/json?all=1'],
      ['GET', `/v1.41/containers/${TARGET}/json`],
      ['GET', `/v1.41/containers/${TARGET}/stats?stream=false`],
      ['GET', `/v1.41/containers/${TARGET}/top`],
      ['GET', '/v1.41/images/json'],
      ['GET', `/v1.41/images/${TEST_IMAGE}/json`],
      ['GET', `/v1.41/images/${TEST_IMAGE}/history`],
      ['GET', '/v1.41/networks'],
      ['GET', `/v1.41/networks/${NETWORK}`],
      ['GET', '/v1.41/volumes'],
      ['GET', `/v1.41/volumes/${VOLUME}`],
      ['GET', '/v1.41/plugins'],
      ['GET', '/v1.41/services'],
      ['GET', '/v1.41/tasks'],
      ['GET', '/v1.41/nodes'],
      ['GET', '/v1.41/secrets'],
    ]);
    for (const args of [['ps', '-a'], ['images'], ['network', 'ls'], ['volume', 'ls'], ['system', 'df'], ['info']]) {
      const r = await docker(gate.socketPath, args);
      expect(r.code, `docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });

  it('denies writes, logs, exec, attach, archive, image save, configs and the swarm join tokens', async () => {
    await expectDenied(gate, [
      ...WRITES_AND_FILE_READS,
      ['GET', `/v1.41/containers/${TARGET}/attach/ws?stream=1`],
      ['HEAD', `/v1.41/containers/${TARGET}/archive?path=/etc`],
      ['GET', `/v1.41/images/${TEST_IMAGE}/get`],
      ['GET', '/v1.41/configs/abc'],
      ['GET', '/v1.41/swarm/unlockkey'],
      ['POST', `/v1.41/networks/${NETWORK}/connect`, { Container: TARGET }],
      ['DELETE', `/v1.41/volumes/${VOLUME}`],
    ]);
    const logs = await docker(gate.socketPath, ['logs', TARGET]);
    expect(logs.code).not.toBe(0);
    expect(logs.stderr).toContain('SOCKGATE_DENY_POLICY');
  });
});

describe('policies/deny-all.yaml', () => {
  let gate: SockgateProcess;
  beforeAll(async () => {
    gate = await startSockgate(['--policy', preset('deny-all.yaml')]);
  });
  afterAll(async () => {
    await gate?.stop();
  });

  it('denies even the ping, and names its rule', async () => {
    await expectDenied(gate, [
      ['GET', '/_ping'],
      ['HEAD', '/_ping'],
      ['GET', '/v1.41/version'],
      ['GET', '/v1.41/containers/json'],
      ['GET', '/v1.41/no/such/endpoint'],
      ...WRITES_AND_FILE_READS,
    ]);
    const r = await request(gate.socketPath, 'GET', '/_ping');
    expect(r.body).toContain('deny-everything');
    const v = await docker(gate.socketPath, ['version']);
    expect(v.code).not.toBe(0);
  });
});

describe('policies/ci-runner.yaml', () => {
  it('has exactly the rules of untrusted-create.yaml', () => {
    const load = (name: string) => {
      const r = loadPolicyText(readFileSync(preset(name), 'utf8'), preset(name));
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r.document;
    };
    const ci = load('ci-runner.yaml');
    const uc = load('untrusted-create.yaml');
    expect(ci.name).toBe('ci-runner');
    expect(ci.default).toBe(uc.default);
    expect(ci.rules.length).toBeGreaterThan(0);
    expect(ci.rules).toEqual(uc.rules);
    expect(ci.ownership).toBe(true);
  });

  describe('against the engine', () => {
    let gate: SockgateProcess;
    beforeAll(async () => {
      gate = await startSockgate(['--policy', preset('ci-runner.yaml')]);
    });
    afterAll(async () => {
      await gate?.stop();
    });

    it('runs an ordinary job container and refuses a privileged one', async () => {
      const ok = await docker(gate.socketPath, ['run', '--rm', '--name', `sg-preset-ci-${tag}`, TEST_IMAGE, 'echo', 'ci-job']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout.trim()).toBe('ci-job');
      const bad = await docker(gate.socketPath, ['run', '--rm', '--privileged', '--name', `sg-preset-ci-bad-${tag}`, TEST_IMAGE, 'true']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('deny-privileged');
    });

    it('owns its job containers, and nothing created elsewhere exists for it', async () => {
      const job = `sg-preset-ci-own-${tag}`;
      const other = `sg-preset-ci-other-${tag}`;
      try {
        expect((await docker(gate.socketPath, ['run', '-d', '--name', job, TEST_IMAGE, 'sleep', '60'])).code).toBe(0);
        expect((await docker(engine, ['inspect', '--format', '{{index .Config.Labels "io.sockgate.owner"}}', job])).stdout.trim()).toBe('ci-runner');
        expect((await docker(gate.socketPath, ['exec', job, 'true'])).code).toBe(0);
        expect((await docker(engine, ['run', '-d', '--name', other, TEST_IMAGE, 'sleep', '60'])).code).toBe(0);
        const exec = await docker(gate.socketPath, ['exec', other, 'true']);
        expect(exec.stderr).toContain(`No such container: ${other}`);
        const cp = await docker(gate.socketPath, ['cp', '/etc/hostname', `${other}:/tmp/x`]);
        expect(cp.code).not.toBe(0);
        expect((await docker(gate.socketPath, ['rm', '-f', job])).code).toBe(0);
      } finally {
        await docker(engine, ['rm', '-f', job, other]);
      }
    });
  });
});

describe('policies/watchtower-updater.yaml', () => {
  let gate: SockgateProcess;
  const name = `sg-preset-wt-${tag}`;
  const old = `sg-preset-wt-old-${tag}`;
  beforeAll(async () => {
    gate = await startSockgate(['--policy', preset('watchtower-updater.yaml')]);
    const run = await docker(engine, ['run', '-d', '--name', name, '--label', 'com.centurylinklabs.watchtower.enable=true', TEST_IMAGE, 'sleep', '300']);
    expect(run.code, run.stderr).toBe(0);
    const t = await docker(engine, ['tag', TEST_IMAGE, `sg-preset-img:${tag}`]);
    expect(t.code, t.stderr).toBe(0);
  });
  afterAll(async () => {
    await gate?.stop();
  });

  it('runs a whole recreate cycle: inspect, pull, stop, rename, create, connect, start, remove old, clean up image', async () => {
    await expectAllowed(gate, [
      ['GET', '/_ping'],
      ['HEAD', '/_ping'],
      ['GET', '/v1.41/version'],
      ['GET', '/v1.41/info'],
      ['GET', '/v1.41/containers/json?filters=%7B%22status%22%3A%5B%22running%22%5D%7D'],
      ['GET', `/v1.41/images/${TEST_IMAGE}/json`],
    ]);
    const info = await request(gate.socketPath, 'GET', `/v1.41/containers/${name}/json`);
    expect(info.status, info.body).toBe(200);
    const oldId = (info.json() as { Id: string }).Id;

    // Pull: nothing can be pulled here (no registry); the engine answers an error, sockgate does not.
    const pull = await request(gate.socketPath, 'POST', '/v1.41/images/create?fromImage=localhost:1/sg-preset-none&tag=latest');
    expect(pull.status, pull.body).not.toBe(403);
    expect(pull.status, pull.body).not.toBe(400);

    const stop = await request(gate.socketPath, 'POST', `/v1.41/containers/${name}/stop?t=1`);
    expect(stop.status, stop.body).toBe(204);
    const rename = await request(gate.socketPath, 'POST', `/v1.41/containers/${name}/rename?name=${old}`);
    expect(rename.status, rename.body).toBe(204);

    const create = await request(gate.socketPath, 'POST', `/v1.41/containers/create?name=${name}`, {
      headers: JSON_HEADERS,
      body: JSON.stringify({ Image: TEST_IMAGE, Cmd: ['sleep', '300'], Labels: { 'com.centurylinklabs.watchtower.enable': 'true' }, HostConfig: {} }),
    });
    expect(create.status, create.body).toBe(201);
    const newId = (create.json() as { Id: string }).Id;

    const connect = await request(gate.socketPath, 'POST', `/v1.41/networks/${NETWORK}/connect`, { headers: JSON_HEADERS, body: JSON.stringify({ Container: newId }) });
    expect(connect.status, connect.body).toBe(200);
    const start = await request(gate.socketPath, 'POST', `/v1.41/containers/${newId}/start`);
    expect(start.status, start.body).toBe(204);
    const disconnect = await request(gate.socketPath, 'POST', `/v1.41/networks/${NETWORK}/disconnect`, { headers: JSON_HEADERS, body: JSON.stringify({ Container: newId }) });
    expect(disconnect.status, disconnect.body).toBe(200);
    const remove = await request(gate.socketPath, 'DELETE', `/v1.41/containers/${old}?v=1`);
    expect(remove.status, remove.body).toBe(204);
    const rmi = await request(gate.socketPath, 'DELETE', `/v1.41/images/sg-preset-img:${tag}`);
    expect(rmi.status, rmi.body).toBe(200);

    // What the engine now holds: the new container runs under the old name, the old one is gone.
    const state = await docker(engine, ['inspect', '--format', '{{.Id}} {{.State.Running}}', name]);
    expect(state.stdout.trim()).toBe(`${newId} true`);
    expect((await docker(engine, ['inspect', old])).code).not.toBe(0);
    expect((await docker(engine, ['inspect', oldId])).code).not.toBe(0);
    expect((await docker(engine, ['image', 'inspect', `sg-preset-img:${tag}`])).code).not.toBe(0);

    // Watchtower's stop is a kill with the container's stop signal.
    const kill = await request(gate.socketPath, 'POST', `/v1.41/containers/${newId}/kill?signal=SIGKILL`);
    expect(kill.status, kill.body).toBe(204);
  });

  it('denies a recreate with host settings; none reaches the engine', async () => {
    const mark = logMark();
    const bad: [string, Record<string, unknown>][] = [
      ['privileged', { Privileged: true }],
      ['a bind of /', { Binds: ['/:/host'] }],
      ['a bind mount', { Mounts: [{ Type: 'bind', Source: '/etc', Target: '/host-etc' }] }],
      ['the host network', { NetworkMode: 'host' }],
      ['the host PID namespace', { PidMode: 'host' }],
      ['added capabilities', { CapAdd: ['SYS_ADMIN'] }],
      ['seccomp=unconfined', { SecurityOpt: ['seccomp=unconfined'] }],
      ['a host device', { Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'rwm' }] }],
    ];
    for (const [what, hostConfig] of bad) {
      const r = await request(gate.socketPath, 'POST', `/v1.41/containers/create?name=sg-preset-wt-bad-${tag}`, {
        headers: JSON_HEADERS,
        body: JSON.stringify({ Image: TEST_IMAGE, Cmd: ['sleep', '300'], HostConfig: hostConfig }),
      });
      expect(r.status, `${what}: ${r.body}`).toBe(403);
    }
    expect(callsSince(mark).filter((c) => c.uri.includes('/containers/create'))).toEqual([]);
  });

  it('denies what Watchtower never does: exec, archive, build, import, update, volumes, swarm', async () => {
    await expectDenied(gate, [
      ['POST', `/v1.41/containers/${TARGET}/exec`, { Cmd: ['id'] }],
      ['GET', `/v1.41/containers/${TARGET}/archive?path=/etc`],
      ['GET', `/v1.41/containers/${TARGET}/logs?stdout=1`],
      ['POST', `/v1.41/containers/${TARGET}/update`, { Memory: 0 }],
      ['POST', '/v1.41/build'],
      ['POST', '/v1.41/images/create?fromSrc=-'],
      ['POST', '/v1.41/volumes/create', { Name: `sg-preset-denied-${tag}` }],
      ['POST', '/v1.41/networks/create', { Name: `sg-preset-denied-${tag}` }],
      ['GET', '/v1.41/swarm'],
      ['POST', '/v1.41/services/create', {}],
    ]);
  });

  // Watchtower sends the old container's HostConfig as inspect shows it, with the engine's
  // defaults filled in (Runtime "runc", the default MaskedPaths and ReadonlyPaths, CgroupnsMode
  // "host" on cgroup v1): the preset accepts those, and refuses lists that drop a default path.
  it('accepts a verbatim copy of the inspected configuration, and refuses one that unmasks a kernel path', async () => {
    const info = await request(gate.socketPath, 'GET', `/v1.41/containers/${TARGET}/json`);
    expect(info.status, info.body).toBe(200);
    const { Config, HostConfig } = info.json() as { Config: Record<string, unknown>; HostConfig: Record<string, unknown> & { MaskedPaths: string[]; ReadonlyPaths: string[] } };
    const create = (name: string, hostConfig: Record<string, unknown>) =>
      request(gate.socketPath, 'POST', `/v1.41/containers/create?name=${name}`, { headers: JSON_HEADERS, body: JSON.stringify({ ...Config, HostConfig: hostConfig }) });
    const copy = await create(`sg-preset-wt-copy-${tag}`, HostConfig);
    expect(copy.status, copy.body).toBe(201);
    for (const [what, hostConfig, rule] of [
      ['no masked paths', { ...HostConfig, MaskedPaths: [] }, 'deny-unmasked-'],
      ['/proc/kcore unmasked', { ...HostConfig, MaskedPaths: HostConfig.MaskedPaths.filter((p) => p !== '/proc/kcore') }, 'deny-unmasked-proc-kcore'],
      ['/proc/sys writable', { ...HostConfig, ReadonlyPaths: HostConfig.ReadonlyPaths.filter((p) => p !== '/proc/sys') }, 'deny-writable-proc-sys'],
      ['another runtime', { ...HostConfig, Runtime: 'sg-other-runtime' }, 'no rule matched'],
    ] as const) {
      const r = await create(`sg-preset-wt-bad-${tag}`, hostConfig);
      expect(r.status, what).toBe(403);
      expect(r.body, what).toContain(rule);
    }
  });
});
