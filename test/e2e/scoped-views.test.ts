/**
 * Two listeners of one sockgate (config file) against the real engine: profile "web" is scoped
 * to containers labelled tier=web and sees only those (lists, inspect, logs, events), and any
 * other container does not exist for it; profile "ops" on the other socket sees everything.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineSocket, REPO_ROOT, startSockgate, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const tag = `${process.pid}`;
const web = `sg-sv-web-${tag}`;
const db = `sg-sv-db-${tag}`;
const tmp = tempDir('sg-scoped-');
const webSock = join(tmp.dir, 'web.sock');
const opsSock = join(tmp.dir, 'ops.sock');
let engine: string;
let gate: SockgateProcess;
let since = 0;

beforeAll(async () => {
  engine = engineSocket();
  since = Math.floor(Date.now() / 1000) - 1;
  for (const [name, tier] of [[web, 'web'], [db, 'db']] as const) {
    const r = await docker(engine, ['run', '-d', '--name', name, '--label', `tier=${tier}`, '-e', 'API_TOKEN=s3cr3t-token-value', TEST_IMAGE, 'sh', '-c', `echo hello-from-${tier}; sleep 300`]);
    expect(r.code, r.stderr).toBe(0);
  }
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
            tier: { equals: web }
      redact:
        - endpoints: [containers.inspect]
          fields: [Config.Env]
      rules:
        - id: allow-web-reads
          effect: allow
          methods: [GET, HEAD, POST]
          endpoints: [system.ping, system.pingHead, system.version, system.info, system.events, containers.list, containers.inspect, containers.logs, containers.restart]
  - socket: ${opsSock}
    profile:
      name: ops
      policy: ${join(REPO_ROOT, 'policies/read-only.yaml')}
`,
  );
  gate = await startSockgate(['--config', config]);
  await waitUntil(() => (gate.stderr().match(/listening on/g) ?? []).length === 2, 10_000, 'both listeners');
});
afterAll(async () => {
  await gate?.stop();
  if (engine !== undefined) await docker(engine, ['rm', '-f', web, db]);
  tmp.cleanup();
});

describe('a scoped profile', () => {
  it('lists only the containers in its scope; the other listener lists all', async () => {
    const scoped = await docker(webSock, ['ps', '-a', '--format', '{{.Names}}']);
    expect(scoped.code, scoped.stderr).toBe(0);
    const names = scoped.stdout.split('\n').filter(Boolean);
    expect(names).toContain(web);
    expect(names).not.toContain(db);
    const all = await docker(opsSock, ['ps', '-a', '--format', '{{.Names}}']);
    expect(all.stdout.split('\n')).toEqual(expect.arrayContaining([web, db]));
  });

  it('inspects, reads logs of and restarts its containers; others do not exist for it, by name or id', async () => {
    expect((await docker(webSock, ['logs', web])).stdout).toContain('hello-from-web');
    expect((await docker(webSock, ['restart', '-t', '0', web])).code).toBe(0);
    const dbId = (await docker(engine, ['inspect', '--format', '{{.Id}}', db])).stdout.trim();
    for (const ref of [db, dbId.slice(0, 12)]) {
      const logs = await docker(webSock, ['logs', ref]);
      expect(logs.code).not.toBe(0);
      expect(logs.stderr.trim()).toBe(`Error response from daemon: No such container: ${ref}`);
      const nosuch = await docker(webSock, ['logs', `sg-sv-nosuch-${tag}`]);
      expect(nosuch.stderr.trim()).toBe(`Error response from daemon: No such container: sg-sv-nosuch-${tag}`);
    }
    const inspect = await docker(webSock, ['container', 'inspect', db]);
    expect(inspect.code).not.toBe(0);
    expect(inspect.stderr).toContain(`No such container: ${db}`);
  });

  it('never sees redacted values: the environment of container inspect keeps its names only', async () => {
    const scoped = await docker(webSock, ['inspect', web]);
    expect(scoped.code, scoped.stderr).toBe(0);
    expect(scoped.stdout).not.toContain('s3cr3t-token-value');
    const env = (JSON.parse(scoped.stdout) as { Config: { Env: string[] } }[])[0]!.Config.Env;
    expect(env).toContain('API_TOKEN=[redacted]');
    // the other profile has no redaction
    expect((await docker(opsSock, ['inspect', web])).stdout).toContain('API_TOKEN=s3cr3t-token-value');
  });

  it('sees only events about its containers', async () => {
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const seen = await docker(webSock, ['events', '--since', String(since), '--until', until, '--format', '{{.Type}} {{.Actor.Attributes.name}}']);
    expect(seen.code, seen.stderr).toBe(0);
    const lines = seen.stdout.split('\n').filter(Boolean);
    expect(lines).toContain(`container ${web}`);
    expect(lines.every((l) => l === `container ${web}`)).toBe(true);
    const all = await docker(opsSock, ['events', '--since', String(since), '--until', until, '--format', '{{.Type}} {{.Actor.Attributes.name}}']);
    expect(all.stdout).toContain(`container ${db}`);
  });

  it('names the listener and the profile in every audit record', () => {
    const decisions = gate.records.filter((r) => r['kind'] === 'audit' && r['method'] !== undefined);
    expect(decisions.length).toBeGreaterThan(0);
    for (const r of decisions) {
      expect([`${webSock}|web`, `${opsSock}|ops`]).toContain(`${String(r['listener'])}|${String(r['profile'])}`);
    }
  });
});
