/**
 * Issue "per-container policies", done-when, against the real engine: one sockgate, two
 * listeners. Profile "web" is label-scoped (sg-own-tier=web) with Config.Env scrubbed; profile "ci" is in
 * ownership mode and creates, runs and removes its own containers, volumes and networks. Neither
 * reaches the other's objects, and neither can grant itself access by setting labels.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineSocket, startSockgate, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const tag = `${process.pid}`;
const web = `sg-own-web-${tag}`;
const db = `sg-own-db-${tag}`;
const job = `sg-own-job-${tag}`;
const civol = `sg-own-civol-${tag}`;
const foreignVol = `sg-own-foreignvol-${tag}`;
const cinet = `sg-own-cinet-${tag}`;
const foreignNet = `sg-own-foreignnet-${tag}`;
const SECRET = 'own-s3cr3t-value';
const tmp = tempDir('sg-own-');
const webSock = join(tmp.dir, 'web.sock');
const ciSock = join(tmp.dir, 'ci.sock');
let engine: string;
let gate: SockgateProcess;
let since = 0;
const created: string[] = [];

const labelsOf = async (ref: string, what = 'container'): Promise<Record<string, string>> => {
  const format = what === 'container' ? '{{json .Config.Labels}}' : '{{json .Labels}}';
  const r = await docker(engine, [what, 'inspect', '--format', format, ref]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Record<string, string> | null) ?? {};
};

beforeAll(async () => {
  engine = engineSocket();
  since = Math.floor(Date.now() / 1000) - 1;
  for (const [name, tier] of [[web, 'web'], [db, 'db']] as const) {
    const r = await docker(engine, ['run', '-d', '--name', name, '--label', `sg-own-tier=${tier}`, '-e', `TOKEN=${SECRET}`, TEST_IMAGE, 'sh', '-c', `echo hello-${tier}; sleep 300`]);
    expect(r.code, r.stderr).toBe(0);
  }
  expect((await docker(engine, ['volume', 'create', foreignVol])).code).toBe(0);
  expect((await docker(engine, ['network', 'create', foreignNet])).code).toBe(0);
  const config = join(tmp.dir, 'sockgate.yaml');
  writeFileSync(
    config,
    `version: 1
listeners:
  - socket: ${webSock}
    profile:
      name: web
      scope:
        containers:
          labels:
            sg-own-tier: { equals: web }
      redact:
        - endpoints: [containers.inspect, containers.list]
          fields: [Config.Env]
      rules:
        - id: web-ops
          effect: allow
          endpoints: [system.ping, system.pingHead, system.version, system.info, system.events, containers.list, containers.inspect, containers.logs, containers.restart, containers.create, containers.start, containers.wait, containers.delete]
  - socket: ${ciSock}
    profile:
      name: ci
      ownership: true
      rules:
        - id: ci-jobs
          effect: allow
          endpoints: [system.*, containers.*, exec.*, volumes.*, networks.*, images.list, images.inspect, images.commit]
`,
  );
  gate = await startSockgate(['--config', config]);
  await waitUntil(() => (gate.stderr().match(/listening on/g) ?? []).length === 2, 10_000, 'both listeners');
});

afterAll(async () => {
  await gate?.stop();
  if (engine !== undefined) {
    await docker(engine, ['rm', '-f', web, db, job, ...created]);
    await docker(engine, ['volume', 'rm', '-f', civol, foreignVol]);
    await docker(engine, ['network', 'rm', cinet, foreignNet]);
  }
  tmp.cleanup();
});

describe('profile ci (ownership mode)', () => {
  it('creates and runs its own containers, which sockgate labels as its own', async () => {
    const run = await docker(ciSock, ['run', '--rm', TEST_IMAGE, 'echo', 'job-output']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('job-output');
    const started = await docker(ciSock, ['run', '-d', '--name', job, TEST_IMAGE, 'sleep', '300']);
    expect(started.code, started.stderr).toBe(0);
    expect(await labelsOf(job)).toEqual({ 'io.sockgate.owner': 'ci' });
    const exec = await docker(ciSock, ['exec', job, 'echo', 'inside']);
    expect(exec.stdout.trim()).toBe('inside');
    const ps = await docker(ciSock, ['ps', '-a', '--format', '{{.Names}}']);
    expect(ps.stdout.split('\n').filter(Boolean)).toEqual([job]);
  });

  it('gets 404 for the other profile\'s containers, in the engine\'s words, for every verb', async () => {
    for (const args of [['logs', web], ['container', 'inspect', web], ['restart', '-t', '0', db], ['rm', web], ['exec', web, 'true']]) {
      const r = await docker(ciSock, args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toContain(`No such container: ${args.at(args[0] === 'exec' ? 1 : -1)}`);
    }
    expect((await docker(engine, ['inspect', '--format', '{{.State.Running}}', web])).stdout.trim()).toBe('true');
  });

  it('cannot reach another container through a create body or a commit (403, with where it was named)', async () => {
    for (const flags of [['--volumes-from', web], ['--network', `container:${web}`], ['--pid', `container:${web}`], ['--ipc', `container:${db}`]]) {
      const r = await docker(ciSock, ['create', ...flags, TEST_IMAGE, 'true']);
      expect(r.code, flags.join(' ')).not.toBe(0);
      expect(r.stderr).toContain('[SOCKGATE_DENY_NOT_OWNED]');
    }
    const commit = await docker(ciSock, ['commit', web, `sg-own-stolen-${tag}`]);
    expect(commit.stderr).toContain('[SOCKGATE_DENY_NOT_OWNED]');
  });

  it('cannot claim or hand over objects with sockgate\'s labels: its owner label always wins', async () => {
    const name = `sg-own-claim-${tag}`;
    created.push(name);
    const r = await docker(ciSock, ['create', '--name', name, '--label', 'io.sockgate.owner=web', '--label', 'tier=ci', TEST_IMAGE, 'true']);
    expect(r.code, r.stderr).toBe(0);
    expect(await labelsOf(name)).toEqual({ 'io.sockgate.owner': 'ci', tier: 'ci' });
    const mountLabel = await docker(ciSock, ['create', '--mount', `type=volume,src=${civol}-x,dst=/d,volume-label=io.sockgate.owner=web`, TEST_IMAGE, 'true']);
    expect(mountLabel.stderr).toContain('[SOCKGATE_DENY_RESERVED_LABEL]');
  });

  it('owns the volumes and networks it creates, uses them, and cannot use or remove others', async () => {
    expect((await docker(ciSock, ['volume', 'create', civol])).code).toBe(0);
    expect(await labelsOf(civol, 'volume')).toEqual({ 'io.sockgate.owner': 'ci' });
    expect((await docker(ciSock, ['network', 'create', cinet])).code).toBe(0);
    expect(await labelsOf(cinet, 'network')).toEqual({ 'io.sockgate.owner': 'ci' });
    const use = await docker(ciSock, ['run', '--rm', '-v', `${civol}:/d`, '--network', cinet, TEST_IMAGE, 'sh', '-c', 'echo kept > /d/f && cat /d/f']);
    expect(use.code, use.stderr).toBe(0);
    expect(use.stdout.trim()).toBe('kept');

    const vols = await docker(ciSock, ['volume', 'ls', '--format', '{{.Name}}']);
    expect(vols.stdout).toContain(civol);
    expect(vols.stdout).not.toContain(foreignVol);
    const nets = await docker(ciSock, ['network', 'ls', '--format', '{{.Name}}']);
    expect(nets.stdout).toContain(cinet);
    expect(nets.stdout).not.toContain(foreignNet);

    const mount = await docker(ciSock, ['run', '--rm', '-v', `${foreignVol}:/d`, TEST_IMAGE, 'true']);
    expect(mount.stderr).toContain('[SOCKGATE_DENY_NOT_OWNED]');
    const join = await docker(ciSock, ['run', '--rm', '--network', foreignNet, TEST_IMAGE, 'true']);
    expect(join.stderr).toContain('[SOCKGATE_DENY_NOT_OWNED]');
    expect((await docker(ciSock, ['volume', 'rm', foreignVol])).stderr).toContain(`get ${foreignVol}: no such volume`);
    expect((await docker(ciSock, ['network', 'rm', foreignNet])).stderr).toContain(`network ${foreignNet} not found`);
    expect((await docker(ciSock, ['volume', 'prune', '-f'])).stderr).toContain('[SOCKGATE_DENY_NOT_OWNED]');
    expect((await docker(ciSock, ['container', 'prune', '-f'])).stderr).toContain('[SOCKGATE_DENY_NOT_OWNED]');
    expect((await docker(engine, ['volume', 'inspect', foreignVol])).code).toBe(0);

    expect((await docker(ciSock, ['network', 'rm', cinet])).code).toBe(0);
  });

  it('removes its own containers and volumes', async () => {
    const rm = await docker(ciSock, ['rm', '-f', job]);
    expect(rm.code, rm.stderr).toBe(0);
    expect((await docker(ciSock, ['volume', 'rm', civol])).code).toBe(0);
    expect((await docker(engine, ['inspect', job])).code).not.toBe(0);
  });
});

describe('profile web (label scope)', () => {
  it('lists, inspects, reads logs of and restarts only its labelled containers', async () => {
    const ps = await docker(webSock, ['ps', '-a', '--format', '{{.Names}}']);
    expect(ps.stdout.split('\n').filter(Boolean)).toEqual([web]);
    expect((await docker(webSock, ['logs', web])).stdout).toContain('hello-web');
    expect((await docker(webSock, ['restart', '-t', '0', web])).code).toBe(0);
    for (const ref of [db, job]) expect((await docker(webSock, ['restart', '-t', '0', ref])).stderr).toContain(`No such container: ${ref}`);
  });

  it('never sees scrubbed env values', async () => {
    const inspect = await docker(webSock, ['inspect', web]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).not.toContain(SECRET);
  });

  it('cannot set sockgate\'s labels to hand itself the other profile\'s access', async () => {
    const r = await docker(webSock, ['create', '--label', 'io.sockgate.owner=ci', TEST_IMAGE, 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('[SOCKGATE_DENY_RESERVED_LABEL]');
    // The ci profile still sees only its own containers.
    const ps = await docker(ciSock, ['ps', '-a', '--format', '{{.Names}}']);
    expect(ps.stdout).not.toContain('sg-own-web');
  });

  it('sees only events about its containers; ci sees only its own', async () => {
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const format = ['--format', '{{.Type}} {{.Actor.Attributes.name}}'];
    const webEvents = await docker(webSock, ['events', '--since', String(since), '--until', until, ...format]);
    const lines = webEvents.stdout.split('\n').filter(Boolean);
    expect(lines).toContain(`container ${web}`);
    expect(lines.every((l) => l === `container ${web}`)).toBe(true);
    const ciEvents = await docker(ciSock, ['events', '--since', String(since), '--until', until, ...format]);
    expect(ciEvents.stdout).toContain(`container ${job}`);
    expect(ciEvents.stdout).not.toContain(web);
    expect(ciEvents.stdout).not.toContain(db);
  });
});
