/**
 * examples/policies/swarm-services.yaml against the real engine (a single-node swarm manager): a
 * deploy tool creates, updates and removes ordinary services, and no service spec that gives away
 * a node reaches the engine, whichever docker CLI flag or raw API body asks for it.
 *
 * Each host-giving request is first sent straight to the engine, to show that the engine accepts
 * it and stores the setting in the service spec (read back with `docker service inspect`; those
 * services get no replicas, since privileged tasks cannot start in the test VM and need not run).
 * Through sockgate the same request is denied, the engine's debug log shows that it never reached
 * the engine's services handler, and no such service exists.
 */
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsSince, logMark } from '../helpers/engine-log.js';
import { docker, engineSocket, REPO_ROOT, startSockgate, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';
import { request } from '../helpers/raw-http.js';

const POLICY = join(REPO_ROOT, 'examples/policies/swarm-services.yaml');
const tag = `${process.pid}`;
const okName = `sg-svc-ok-${tag}`;
const JSON_HEADERS = { 'Content-Type': 'application/json' };
let engine: string;
let gate: SockgateProcess;
let leaveSwarm = false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  engine = engineSocket();
  const state = await docker(engine, ['info', '--format', '{{.Swarm.LocalNodeState}}']);
  if (state.stdout.trim() !== 'active') {
    // Loopback only, on a free port: another engine on this host may hold the default 2377.
    const port = await freePort();
    const init = await docker(engine, ['swarm', 'init', '--listen-addr', `127.0.0.1:${port}`, '--advertise-addr', `127.0.0.1:${port}`]);
    expect(init.code, init.stderr).toBe(0);
    leaveSwarm = true;
  }
  gate = await startSockgate(['--policy', POLICY]);
});
afterAll(async () => {
  await gate?.stop();
  if (engine === undefined) return;
  const left = await docker(engine, ['service', 'ls', '-q', '--filter', 'name=sg-svc-']);
  const ids = left.stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await docker(engine, ['service', 'rm', ...ids]);
  // Named volumes a task may have created (none should: host-giving services get no replicas).
  await docker(engine, ['volume', 'rm', '-f', `sg-svc-vol-${tag}`]);
  if (leaveSwarm) await docker(engine, ['swarm', 'leave', '--force']);
});

const serviceExists = async (name: string): Promise<boolean> => (await docker(engine, ['service', 'inspect', name])).code === 0;
const spec = async (name: string, format: string): Promise<string> => {
  const r = await docker(engine, ['service', 'inspect', '--format', format, name]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
};
/** Service create/update requests that reached the engine's router since `mark`. */
const serviceWrites = (mark: number): string[] =>
  callsSince(mark)
    .filter((c) => c.method === 'POST' && /\/services\/(create|[^/]+\/update)/.test(c.uri))
    .map((c) => `${c.method} ${c.uri}`);

describe('an ordinary service goes through swarm-services', () => {
  it('docker service create --detach creates it on the engine', async () => {
    const r = await docker(gate.socketPath, ['service', 'create', '--detach', '--name', okName, TEST_IMAGE, 'sleep', '300']);
    expect(r.code, r.stderr).toBe(0);
    expect(await spec(okName, '{{.Spec.Name}} {{json .Spec.TaskTemplate.ContainerSpec.Args}}')).toBe(`${okName} ["sleep","300"]`);
  });

  it('docker service ls and inspect work', async () => {
    const ls = await docker(gate.socketPath, ['service', 'ls', '--format', '{{.Name}}']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout.split('\n')).toContain(okName);
    const inspect = await docker(gate.socketPath, ['service', 'inspect', '--format', '{{.Spec.Name}}', okName]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout.trim()).toBe(okName);
  });

  it('docker service update --env-add changes the spec', async () => {
    const r = await docker(gate.socketPath, ['service', 'update', '--detach', '--env-add', 'A=1', okName]);
    expect(r.code, r.stderr).toBe(0);
    expect(await spec(okName, '{{json .Spec.TaskTemplate.ContainerSpec.Env}}')).toBe('["A=1"]');
  });

  it('docker service update --mount-add of a host bind is denied and the spec keeps no mounts', async () => {
    const mark = logMark();
    const r = await docker(gate.socketPath, ['service', 'update', '--detach', '--mount-add', 'type=bind,source=/,target=/host', okName]);
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stderr).toContain('sockgate: denied by rule deny-host-paths');
    expect(serviceWrites(mark)).toEqual([]);
    expect(await spec(okName, '{{json .Spec.TaskTemplate.ContainerSpec.Mounts}}')).toBe('null');
    expect(await spec(okName, '{{json .Spec.TaskTemplate.ContainerSpec.Env}}')).toBe('["A=1"]');
  });

  it('docker service rm removes it', async () => {
    const r = await docker(gate.socketPath, ['service', 'rm', okName]);
    expect(r.code, r.stderr).toBe(0);
    expect(await serviceExists(okName)).toBe(false);
  });
});

// Each docker service create flag that gives away a node: the rule that must refuse it, and a
// Go template over `docker service inspect` with what the engine stores when asked directly.
const CLI_HOST_GIVING: [string, string[], string, string, RegExp][] = [
  ['a host bind mount', ['--mount', 'type=bind,source=/,target=/host'], 'deny-host-paths', '{{json .Spec.TaskTemplate.ContainerSpec.Mounts}}', /"Type":"bind","Source":"\/","Target":"\/host"/],
  [
    'a volume mount whose driver options bind /',
    ['--mount', `type=volume,source=sg-svc-vol-${tag},target=/v,volume-driver=local,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/`],
    'deny-host-paths',
    '{{json .Spec.TaskTemplate.ContainerSpec.Mounts}}',
    /"DriverConfig":\{"Name":"local","Options":\{"device":"\/","o":"bind","type":"none"\}\}/,
  ],
  ['every capability', ['--cap-add', 'ALL'], 'deny-cap-add', '{{json .Spec.TaskTemplate.ContainerSpec.CapabilityAdd}}', /^\["ALL"\]$/],
  ['a sysctl', ['--sysctl', 'net.ipv4.ip_forward=1'], 'deny-sysctls', '{{json .Spec.TaskTemplate.ContainerSpec.Sysctls}}', /^\{"net.ipv4.ip_forward":"1"\}$/],
  // The CLI sends the host network's swarm ID, not "host": checked below by resolving it.
  ['the host network', ['--network', 'host'], 'deny-network-attachments', '{{range .Spec.TaskTemplate.Networks}}{{.Target}}{{end}}', /^[0-9a-z]{25}$/],
];

const slug = (flags: string[]): string => flags.join('').replace(/[^a-z0-9]/gi, '').slice(0, 24).toLowerCase();

describe('host-giving service specs from the docker CLI are refused and never reach the engine', () => {
  it.each(CLI_HOST_GIVING)('docker service create with %s', async (_what, flags, rule, format, stored) => {
    const name = `sg-svc-bad-${tag}-${slug(flags)}`;
    // The flag is real: on the engine's own socket the service is created and its spec holds the setting.
    const direct = await docker(engine, ['service', 'create', '--detach', '--replicas', '0', '--name', `${name}-d`, ...flags, TEST_IMAGE, 'sleep', '300']);
    expect(direct.code, direct.stderr).toBe(0);
    const held = await spec(`${name}-d`, format);
    expect(held).toMatch(stored);
    if (flags.includes('host')) {
      const net = await docker(engine, ['network', 'inspect', '--format', '{{.Name}} {{.Driver}}', held]);
      expect(net.stdout.trim(), net.stderr).toBe('host host');
    }
    await docker(engine, ['service', 'rm', `${name}-d`]);

    const mark = logMark();
    const r = await docker(gate.socketPath, ['service', 'create', '--detach', '--name', name, ...flags, TEST_IMAGE, 'sleep', '300']);
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stderr).toContain('sockgate: denied by rule');
    expect(r.stderr).toContain(rule);
    expect(serviceWrites(mark)).toEqual([]);
    expect(await serviceExists(name)).toBe(false);
  });
});

const container = { Image: TEST_IMAGE, Args: ['sleep', '300'] };
// Raw API bodies (what a client other than the docker CLI may send), with the rule that must
// refuse each and what the engine stores when the body is sent to it directly. Seccomp and
// AppArmor are newer than API 1.41: a 20.10 engine drops them and keeps an empty Privileges, a
// current engine (API 1.46+) stores them; the body is refused either way.
const RAW_HOST_GIVING: [string, Record<string, unknown>, string, string, RegExp][] = [
  [
    'Privileges.SELinuxContext.Disable',
    { TaskTemplate: { ContainerSpec: { ...container, Privileges: { SELinuxContext: { Disable: true } } } } },
    'deny-privileges',
    '{{json .Spec.TaskTemplate.ContainerSpec.Privileges.SELinuxContext}}',
    /"Disable":true/,
  ],
  [
    'Privileges.Seccomp unconfined and AppArmor disabled (API 1.46)',
    { TaskTemplate: { ContainerSpec: { ...container, Privileges: { Seccomp: { Mode: 'unconfined' }, AppArmor: { Mode: 'disabled' } } } } },
    'deny-privileges',
    '{{json .Spec.TaskTemplate.ContainerSpec.Privileges}}',
    /^\{"CredentialSpec":null,"SELinuxContext":null,"NoNewPrivileges":false\}$|"Seccomp":\{"Mode":"unconfined"\}/,
  ],
  ['the host network by name', { TaskTemplate: { ContainerSpec: container, Networks: [{ Target: 'host' }] } }, 'deny-network-attachments', '{{range .Spec.TaskTemplate.Networks}}{{.Target}}{{end}}', /^[0-9a-z]{25}$/],
  ['the host network in the deprecated top-level Networks', { TaskTemplate: { ContainerSpec: container }, Networks: [{ Target: 'host' }] }, 'deny-legacy-networks', '{{range .Spec.Networks}}{{.Target}}{{end}}', /^[0-9a-z]{25}$/],
  // The engine upper-cases a mount's Type and makes a mount without one a bind mount.
  ['a bind mount spelled "BIND"', { TaskTemplate: { ContainerSpec: { ...container, Mounts: [{ Type: 'BIND', Source: '/', Target: '/host' }] } } }, 'deny-host-paths', '{{json .Spec.TaskTemplate.ContainerSpec.Mounts}}', /"Type":"bind","Source":"\/"/],
  ['a bind mount spelled "bınd" (dotless i)', { TaskTemplate: { ContainerSpec: { ...container, Mounts: [{ Type: 'b\u0131nd', Source: '/', Target: '/host' }] } } }, 'deny-host-paths', '{{json .Spec.TaskTemplate.ContainerSpec.Mounts}}', /"Type":"bind","Source":"\/"/],
  ['a mount without a Type', { TaskTemplate: { ContainerSpec: { ...container, Mounts: [{ Source: '/', Target: '/host' }] } } }, 'deny-host-paths', '{{json .Spec.TaskTemplate.ContainerSpec.Mounts}}', /"Type":"bind","Source":"\/"/],
];

describe('host-giving service specs from raw API bodies are refused and never reach the engine', () => {
  it.each(RAW_HOST_GIVING)('POST /services/create with %s', async (_what, body, rule, format, stored) => {
    const name = `sg-svc-raw-${tag}-${rule.replace(/^deny-/, '')}-${RAW_HOST_GIVING.findIndex((c) => c[1] === body)}`;
    const direct = await request(engine, 'POST', '/v1.41/services/create', {
      headers: JSON_HEADERS,
      body: JSON.stringify({ Name: `${name}-d`, Mode: { Replicated: { Replicas: 0 } }, ...body }),
    });
    expect(direct.status, direct.body).toBe(201);
    const held = await spec(`${name}-d`, format);
    expect(held).toMatch(stored);
    if (format.includes('Networks')) {
      const net = await docker(engine, ['network', 'inspect', '--format', '{{.Name}} {{.Driver}}', held]);
      expect(net.stdout.trim(), net.stderr).toBe('host host');
    }
    await docker(engine, ['service', 'rm', `${name}-d`]);

    const mark = logMark();
    const r = await request(gate.socketPath, 'POST', '/v1.41/services/create', { headers: JSON_HEADERS, body: JSON.stringify({ Name: name, ...body }) });
    expect(r.status, r.body).toBe(403);
    expect(r.body).toContain(`sockgate: denied by rule ${rule}`);
    expect(serviceWrites(mark)).toEqual([]);
    expect(await serviceExists(name)).toBe(false);
  });

  it('docker service rollback to a previous spec that bound the host is denied', async () => {
    // A service someone else made with a host bind, then updated without it (both on the engine).
    const name = `sg-svc-rb-${tag}`;
    const made = await docker(engine, ['service', 'create', '--detach', '--replicas', '0', '--name', name, '--mount', 'type=bind,source=/,target=/host', TEST_IMAGE, 'sleep', '300']);
    expect(made.code, made.stderr).toBe(0);
    const dropped = await docker(engine, ['service', 'update', '--detach', '--mount-rm', '/host', name]);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(await spec(name, '{{json .Spec.TaskTemplate.ContainerSpec.Mounts}} {{json .PreviousSpec.TaskTemplate.ContainerSpec.Mounts}}')).toMatch(
      /^null \[\{"Type":"bind","Source":"\/","Target":"\/host"\}\]$/,
    );
    // The CLI sends the current (safe) spec with rollback=previous; the engine would apply the previous one.
    const mark = logMark();
    const r = await docker(gate.socketPath, ['service', 'rollback', '--detach', name]);
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stderr).toContain('sockgate: denied by rule deny-rollback-previous');
    expect(serviceWrites(mark)).toEqual([]);
    expect(await spec(name, '{{json .Spec.TaskTemplate.ContainerSpec.Mounts}}')).toBe('null');
  });
});

describe('body keys not spelled exactly as the engine spells them', () => {
  // Go's encoding/json matches keys case-insensitively, so the engine would apply these bodies;
  // sockgate cannot be sure which rules they meet and refuses them.
  const bind = [{ Type: 'bind', Source: '/', Target: '/host' }];
  it.each([
    ['taskTemplate', { taskTemplate: { ContainerSpec: { ...container, Mounts: bind } } }, '/taskTemplate'],
    ['MOunts', { TaskTemplate: { ContainerSpec: { ...container, MOunts: bind } } }, '/TaskTemplate/ContainerSpec/MOunts'],
  ])('a body with %s is refused with 400 and no service is created', async (_key, body, pointer) => {
    const name = `sg-svc-key-${tag}-${pointer.length}`;
    // The engine reads the misspelled key as the field: the service would bind the host's /.
    const direct = await request(engine, 'POST', '/v1.41/services/create', {
      headers: JSON_HEADERS,
      body: JSON.stringify({ Name: `${name}-d`, Mode: { Replicated: { Replicas: 0 } }, ...body }),
    });
    expect(direct.status, direct.body).toBe(201);
    expect(await spec(`${name}-d`, '{{json .Spec.TaskTemplate.ContainerSpec.Mounts}}')).toMatch(/"Type":"bind","Source":"\/","Target":"\/host"/);
    await docker(engine, ['service', 'rm', `${name}-d`]);

    const mark = logMark();
    const r = await request(gate.socketPath, 'POST', '/v1.41/services/create', { headers: JSON_HEADERS, body: JSON.stringify({ Name: name, ...body }) });
    expect(r.status, r.body).toBe(400);
    expect(r.body).toContain(pointer);
    expect(serviceWrites(mark)).toEqual([]);
    expect(await serviceExists(name)).toBe(false);
  });
});
