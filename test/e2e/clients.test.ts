/**
 * Under a policy that allows only listing containers (and ping), real clients of several kinds
 * keep working through the allowed calls and get the engine-shaped denial for the rest: the Go
 * docker CLI, docker-py (Debian's python3-docker), and curl.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandResult, docker, engineSocket, type SockgateProcess, startSockgateWithPolicy, TEST_IMAGE } from '../helpers/engine.js';
import { callsSince, logMark } from '../helpers/engine-log.js';
import { isAllowedCall, ONLY_LIST_POLICY } from '../regressions/corpus.js';

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const PY = `
import docker, json, sys
c = docker.DockerClient(base_url='unix://' + sys.argv[1], version='1.41')
# the low-level list: the models API would inspect each container, which this policy denies
out = {'ping': c.ping(), 'ids': sorted(x['Id'] for x in c.api.containers(all=True))}
try:
    c.containers.create('${TEST_IMAGE}', ['true'], name='sg-py-denied')
    out['create'] = 'created'
except docker.errors.APIError as e:
    out['create'] = {'status': e.status_code, 'explanation': e.explanation}
print(json.dumps(out))
`;

let gate: SockgateProcess;
let engine: string;
let mark: number;

beforeAll(async () => {
  engine = engineSocket();
  gate = await startSockgateWithPolicy(ONLY_LIST_POLICY);
  mark = logMark();
});
afterAll(async () => {
  await gate?.stop();
  await docker(engine, ['rm', '-f', 'sg-py-denied', 'sg-cli-denied']);
});

describe('clients under an only-list policy', () => {
  it('docker CLI: ps works and lists what the engine lists', async () => {
    const via = await docker(gate.socketPath, ['ps', '-a', '--no-trunc', '-q']);
    const direct = await docker(engine, ['ps', '-a', '--no-trunc', '-q']);
    expect(via.code, via.stderr).toBe(0);
    expect(via.stdout).toBe(direct.stdout);
  });

  it('docker CLI: create is refused with the engine-style message', async () => {
    const r = await docker(gate.socketPath, ['create', '--name', 'sg-cli-denied', TEST_IMAGE, 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error response from daemon: sockgate: no rule matched POST /containers/create');
  });

  it('docker-py: ping and list work, create raises APIError 403 with the reason', async () => {
    const r = await run('/usr/bin/python3', ['-c', PY, gate.socketPath]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ping: boolean; ids: string[]; create: { status: number; explanation: string } };
    expect(out.ping).toBe(true);
    const direct = await docker(engine, ['ps', '-a', '--no-trunc', '-q']);
    expect(out.ids).toEqual(direct.stdout.split('\n').filter(Boolean).sort());
    expect(out.create.status).toBe(403);
    expect(out.create.explanation).toContain('sockgate: no rule matched POST /containers/create');
  });

  it('curl: the allowed list works, versioned and not, and a denied call gets the JSON message', async () => {
    for (const path of ['/containers/json?all=1', '/v1.41/containers/json']) {
      const r = await run('curl', ['-sS', '-f', '--unix-socket', gate.socketPath, `http://docker${path}`]);
      expect(r.code, r.stderr).toBe(0);
      expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    }
    const denied = await run('curl', ['-sS', '--unix-socket', gate.socketPath, '-w', '\\n%{http_code}', `http://docker/info`]);
    const lines = denied.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('403');
    expect(JSON.parse(lines[0]!)).toEqual({ message: expect.stringContaining('sockgate: no rule matched GET /info') as unknown });
  });

  it('curl -i: the answer carries the engine\'s header names as the engine spells them (Api-Version), and so does a denial', async () => {
    const names = (out: string): string[] =>
      out
        .split('\r\n\r\n')[0]!
        .split('\r\n')
        .slice(1)
        .map((l) => l.slice(0, l.indexOf(':')))
        .filter((n) => !['Date', 'Connection', 'Keep-Alive'].includes(n));
    const via = await run('curl', ['-sS', '-i', '--unix-socket', gate.socketPath, 'http://docker/_ping']);
    const direct = await run('curl', ['-sS', '-i', '--unix-socket', engine, 'http://docker/_ping']);
    expect(via.code, via.stderr).toBe(0);
    expect(names(via.stdout)).toContain('Api-Version');
    expect(names(via.stdout).sort()).toEqual(names(direct.stdout).sort());
    const denied = await run('curl', ['-sS', '-i', '--unix-socket', gate.socketPath, 'http://docker/info']);
    expect(names(denied.stdout)).toContain('Content-Type');
  });

  it('no client reached any engine endpoint other than ping and the container list', () => {
    const calls = callsSince(mark);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !isAllowedCall(c.method, c.uri))).toEqual([]);
  });
});
