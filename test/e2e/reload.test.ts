/**
 * Hot reload against the real engine: SIGHUP with a broken policy keeps serving under the old one
 * (and says so in the log, /healthz and /metrics); with a good one the new policy applies within
 * a second, and an open stream the new policy denies is closed.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, startSockgate, type SockgateProcess } from '../helpers/engine.js';
import { request } from '../helpers/raw-http.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const tmp = tempDir('sg-reload-');
const policyFile = join(tmp.dir, 'policy.yaml');
const adminSock = join(tmp.dir, 'admin.sock');
let gate: SockgateProcess;

const policy = (endpoints: string[]): string => `version: 1
name: reloadable
rules:
  - id: allowed-now
    effect: allow
    endpoints: [${endpoints.join(', ')}]
`;
const FIRST = policy(['system.ping', 'system.pingHead', 'system.version', 'system.events', 'containers.list']);
const SECOND = policy(['system.ping', 'system.pingHead', 'system.version', 'containers.list', 'images.list']);

const metric = async (name: string): Promise<number | null> => {
  const res = await request(adminSock, 'GET', '/metrics');
  const line = res.body.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line === undefined ? null : Number(line.split(' ').at(-1));
};

/** GET /events through sockgate, held open; resolves when the response ends or is cut. */
const openEvents = (): Promise<{ res: IncomingMessage; ended: Promise<string> }> =>
  new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath: gate.socketPath, path: '/v1.41/events', method: 'GET', headers: { host: 'docker' } }, (res) => {
      const ended = new Promise<string>((done) => {
        res.on('data', () => undefined);
        res.once('end', () => done('end'));
        res.once('error', () => done('cut'));
        res.once('close', () => done('closed'));
      });
      resolve({ res, ended });
    });
    req.once('error', reject);
    req.end();
  });

beforeAll(async () => {
  writeFileSync(policyFile, FIRST);
  gate = await startSockgate(['--policy', policyFile, '--metrics-listen', adminSock]);
  await waitUntil(() => gate.stderr().includes('metrics on'), 10_000, 'metrics listener');
});
afterAll(async () => {
  await gate?.stop();
  tmp.cleanup();
});

describe('SIGHUP', () => {
  it('with a broken policy keeps serving under the old one and shows the failure in log, health and metrics', async () => {
    expect((await docker(gate.socketPath, ['ps'])).code).toBe(0);
    expect((await docker(gate.socketPath, ['images'])).stderr).toContain('SOCKGATE_DENY_POLICY');
    const events = await openEvents();
    expect(events.res.statusCode).toBe(200);

    writeFileSync(policyFile, 'version: 1\nrules:\n  - id: x\n    effect: maybe\n');
    gate.child.kill('SIGHUP');
    await waitUntil(() => gate.records.some((r) => r['msg'] === 'reload failed; the running policies stay in force'), 5_000, 'reload failure logged');
    const failure = gate.records.find((r) => r['msg'] === 'reload failed; the running policies stay in force')!;
    expect((failure['problems'] as string[]).some((p) => p.includes('effect must be "allow" or "deny"'))).toBe(true);
    expect(failure['code']).toBe('SOCKGATE_ERR_POLICY_INVALID');

    expect((await docker(gate.socketPath, ['ps'])).code).toBe(0);
    expect((await docker(gate.socketPath, ['images'])).stderr).toContain('SOCKGATE_DENY_POLICY');
    expect(await metric('sockgate_last_reload_success')).toBe(0);
    expect(await metric('sockgate_reloads_total{result="failure"}')).toBe(1);
    const health = await request(adminSock, 'GET', '/healthz');
    expect(JSON.parse(health.body)).toMatchObject({ policy: { loaded: true, lastReload: { ok: false } } });
    // the stream opened before is untouched
    expect(events.res.destroyed).toBe(false);
    events.res.destroy();
  });

  it('with a good policy switches within a second and closes open streams the new policy denies', async () => {
    const events = await openEvents();
    writeFileSync(policyFile, SECOND);
    const sent = Date.now();
    gate.child.kill('SIGHUP');
    let switchedAfter = -1;
    while (Date.now() - sent < 5_000) {
      const res = await request(gate.socketPath, 'GET', '/v1.41/images/json');
      if (res.status === 200) {
        switchedAfter = Date.now() - sent;
        break;
      }
    }
    expect(switchedAfter).toBeGreaterThanOrEqual(0);
    expect(switchedAfter).toBeLessThan(1_000);
    expect(await Promise.race([events.ended, new Promise((r) => setTimeout(() => r('still open'), 3_000))])).not.toBe('still open');
    expect((await docker(gate.socketPath, ['events', '--since', '1s', '--until', '0s'])).stderr).toContain('SOCKGATE_DENY_POLICY');
    expect(gate.records.some((r) => r['msg'] === 'stream closed: the reloaded policy does not allow it')).toBe(true);
    expect(await metric('sockgate_last_reload_success')).toBe(1);
    expect(await metric('sockgate_reloads_total{result="success"}')).toBe(1);
    expect(await metric('sockgate_reloads_total{result="failure"}')).toBe(1);
    const health = await request(adminSock, 'GET', '/healthz');
    expect(JSON.parse(health.body)).toMatchObject({ policy: { lastReload: { ok: true } } });
  });
});
