/**
 * Bypass: net/http's ParseForm reads an application/x-www-form-urlencoded body into the request's
 * parameters ahead of the query string, so a proxy that checks `?name=` sees one name and the
 * engine uses another (docs/engine-behaviour.md §3). Proven here on the real engine, then shown
 * closed through sockgate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineSocket, type SockgateProcess, startSockgateWithPolicy, TEST_IMAGE } from '../helpers/engine.js';
import { request } from '../helpers/raw-http.js';

const POLICY = `version: 1
rules:
  # Renames are allowed only to names starting with "ok-".
  - id: allow-rename-ok
    effect: allow
    methods: [POST]
    endpoints: [containers.rename]
    query:
      name: { glob: "ok-*" }
`;

let engine: string;
let gate: SockgateProcess;
let id: string;
const tag = `${process.pid}`;

const nameOf = async (): Promise<string> => (await docker(engine, ['inspect', '--format', '{{.Name}}', id])).stdout.trim().replace(/^\//, '');

beforeAll(async () => {
  engine = engineSocket();
  const c = await docker(engine, ['create', '--name', `sg-form-${tag}`, TEST_IMAGE, 'true']);
  expect(c.code, c.stderr).toBe(0);
  id = c.stdout.trim();
  gate = await startSockgateWithPolicy(POLICY);
});
afterAll(async () => {
  await gate?.stop();
  await docker(engine, ['rm', '-f', id]);
});

describe('form body overriding the query', () => {
  it('is real: the engine renames to the name in the body, not the one in the query', async () => {
    const res = await request(engine, 'POST', `/v1.41/containers/${id}/rename?name=ok-q-${tag}`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `name=evil-direct-${tag}`,
    });
    expect(res.status).toBe(204);
    expect(await nameOf()).toBe(`evil-direct-${tag}`);
  });

  it('is closed through sockgate: refused with 400 and the container keeps its name', async () => {
    const before = await nameOf();
    for (const ct of ['application/x-www-form-urlencoded', 'Application/X-WWW-Form-Urlencoded; charset=utf-8', 'multipart/form-data; boundary=b']) {
      const body = ct.startsWith('multipart') ? `--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nevil-${tag}\r\n--b--\r\n` : `name=evil-${tag}`;
      const res = await request(gate.socketPath, 'POST', `/v1.41/containers/${id}/rename?name=ok-${tag}`, { headers: { 'Content-Type': ct }, body });
      expect(res.status, ct).toBe(400);
      expect(await nameOf()).toBe(before);
    }
  });

  it('still allows the plain rename the policy permits', async () => {
    const res = await request(gate.socketPath, 'POST', `/v1.41/containers/${id}/rename?name=ok-${tag}`);
    expect(res.status, res.body).toBe(204);
    expect(await nameOf()).toBe(`ok-${tag}`);
  });
});
