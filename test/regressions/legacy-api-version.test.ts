/**
 * Bypass: below API 1.24 the engine applies a HostConfig sent in the body of
 * POST /containers/{id}/start (Privileged, Binds, ...), and serves POST /containers/{id}/copy,
 * which reads files (docs/engine-behaviour.md §7). A proxy that checks only container creation
 * lets both through. sockgate refuses every version prefix older than 1.24, even under allow-all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_ALL_POLICY, docker, engineSocket, type SockgateProcess, startSockgateWithPolicy, TEST_IMAGE } from '../helpers/engine.js';
import { request } from '../helpers/raw-http.js';
import { tempDir } from '../helpers/temp.js';

const tmp = tempDir('sg-legacy-');
let engine: string;
let gate: SockgateProcess;
let id: string;

beforeAll(async () => {
  engine = engineSocket();
  const c = await docker(engine, ['create', TEST_IMAGE, 'sleep', '1']);
  expect(c.code, c.stderr).toBe(0);
  id = c.stdout.trim();
  gate = await startSockgateWithPolicy(ALLOW_ALL_POLICY);
});
afterAll(async () => {
  await gate?.stop();
  await docker(engine, ['rm', '-f', id]);
  tmp.cleanup();
});

const hostConfig = JSON.stringify({ Binds: [`${tmp.dir}:/host`] });

describe('legacy API versions', () => {
  it('are refused through sockgate even under allow-all: start with a HostConfig body applies nothing', async () => {
    for (const v of ['v1.23', 'v1.12', 'v1']) {
      const res = await request(gate.socketPath, 'POST', `/${v}/containers/${id}/start`, { headers: { 'Content-Type': 'application/json' }, body: hostConfig });
      expect(res.status, v).toBe(400);
      expect((JSON.parse(res.body) as { message: string }).message).toContain('older than 1.24');
    }
    const binds = await docker(engine, ['inspect', '--format', '{{json .HostConfig.Binds}}', id]);
    expect(binds.stdout.trim()).toBe('null');
  });

  it('are refused for the file-reading /copy endpoint', async () => {
    const res = await request(gate.socketPath, 'POST', `/v1.23/containers/${id}/copy`, { headers: { 'Content-Type': 'application/json' }, body: '{"Resource":"/etc/passwd"}' });
    expect(res.status).toBe(400);
  });

  it('are the reason: an engine that serves /v1.23 applies a start-time HostConfig there (newer engines refuse the version)', async () => {
    const probe = await docker(engine, ['create', TEST_IMAGE, 'true']);
    const pid = probe.stdout.trim();
    try {
      const min = (await docker(engine, ['version', '--format', '{{.Server.MinAPIVersion}}'])).stdout.trim();
      const res = await request(engine, 'POST', `/v1.23/containers/${pid}/start`, { headers: { 'Content-Type': 'application/json' }, body: hostConfig });
      const binds = await docker(engine, ['inspect', '--format', '{{json .HostConfig.Binds}}', pid]);
      if (min === '1.12') {
        // older engines (20.10 here) serve versions down to 1.12
        expect(binds.stdout.trim()).toBe(JSON.stringify([`${tmp.dir}:/host`]));
      } else {
        // current engines (minimum API 1.24, as 28 here) refuse the version themselves
        expect(res.status).toBe(400);
        expect(res.body).toContain('client version 1.23 is too old');
        expect(binds.stdout.trim()).toBe('null');
      }
    } finally {
      await docker(engine, ['rm', '-f', pid]);
    }
  });
});
