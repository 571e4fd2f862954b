/**
 * Rules on the container a request acts on, against the real engine: a label-scoped profile may
 * read logs of, inspect, restart and exec into only the containers labelled for it, however the
 * client names them (name or id prefix).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineSocket, type SockgateProcess, startSockgateWithPolicy, TEST_IMAGE } from '../helpers/engine.js';

const POLICY = `version: 1
name: web-operator
rules:
  - id: allow-basics
    effect: allow
    methods: [GET, HEAD]
    endpoints: [system.ping, system.pingHead, system.version, system.info, containers.list]
  # Operations on one container: only on containers labelled tier=web.
  - id: allow-web-containers
    effect: allow
    endpoints: [containers.inspect, containers.logs, containers.restart, exec.create, exec.start, exec.inspect, exec.resize, containers.resize]
    target:
      labels:
        tier: { equals: web }
`;

const tag = `${process.pid}`;
const web = `sg-tg-web-${tag}`;
const db = `sg-tg-db-${tag}`;
let engine: string;
let gate: SockgateProcess;

beforeAll(async () => {
  engine = engineSocket();
  for (const [name, tier] of [[web, 'web'], [db, 'db']] as const) {
    const r = await docker(engine, ['run', '-d', '--name', name, '--label', `tier=${tier}`, TEST_IMAGE, 'sh', '-c', `echo hello-from-${tier}; sleep 300`]);
    expect(r.code, r.stderr).toBe(0);
  }
  gate = await startSockgateWithPolicy(POLICY);
});
afterAll(async () => {
  await gate?.stop();
  if (engine !== undefined) await docker(engine, ['rm', '-f', web, db]);
});

describe('a label-scoped profile', () => {
  it('reads logs of, inspects, execs into and restarts its own containers', async () => {
    expect((await docker(gate.socketPath, ['logs', web])).stdout).toContain('hello-from-web');
    const inspect = await docker(gate.socketPath, ['inspect', '--format', '{{.Config.Labels.tier}}', web]);
    expect(inspect.stdout.trim()).toBe('web');
    const ex = await docker(gate.socketPath, ['exec', web, 'echo', 'in-web']);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout.trim()).toBe('in-web');
    const restart = await docker(gate.socketPath, ['restart', '-t', '0', web]);
    expect(restart.code, restart.stderr).toBe(0);
  });

  it('is refused every operation on another container, by name or by id prefix', async () => {
    const dbId = (await docker(engine, ['inspect', '--format', '{{.Id}}', db])).stdout.trim();
    for (const ref of [db, dbId.slice(0, 12), dbId]) {
      const logs = await docker(gate.socketPath, ['logs', ref]);
      expect(logs.code, ref).not.toBe(0);
      expect(logs.stderr).toContain('no rule matched GET /containers/');
      const ex = await docker(gate.socketPath, ['exec', ref, 'echo', 'in-db']);
      expect(ex.code, ref).not.toBe(0);
    }
    const before = (await docker(engine, ['inspect', '--format', '{{.State.StartedAt}}', db])).stdout;
    expect((await docker(gate.socketPath, ['restart', '-t', '0', db])).code).not.toBe(0);
    expect((await docker(engine, ['inspect', '--format', '{{.State.StartedAt}}', db])).stdout).toBe(before);
    const execs = await docker(engine, ['inspect', '--format', '{{len .ExecIDs}}', db]);
    expect(execs.stdout.trim()).toBe('0');
  });

  it('is refused a container that does not exist, with the reason', async () => {
    const r = await docker(gate.socketPath, ['logs', `sg-tg-nosuch-${tag}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no such container');
    expect(r.stderr).toContain('SOCKGATE_DENY_TARGET');
  });

  it('records the resolved container in the audit log', () => {
    const allowed = gate.records.find((r) => r['msg'] === 'request allowed' && r['endpoint'] === 'containers.logs');
    expect(allowed).toMatchObject({ rule: 'allow-web-containers', target: { name: web } });
  });
});
