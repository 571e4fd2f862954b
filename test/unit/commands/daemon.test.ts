import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDaemon } from '../../../src/commands/daemon.js';
import { parseCommand, type DaemonOptions } from '../../../src/config/options.js';
import { captureIO, type CapturedIO } from '../../helpers/command-io.js';
import { startFakeDaemon, type FakeDaemon } from '../../helpers/fake-daemon.js';
import { request } from '../../helpers/raw-http.js';
import { tempDir } from '../../helpers/temp.js';
import { waitUntil } from '../../helpers/wait.js';

let engine: FakeDaemon;
let tmp: { dir: string; cleanup: () => void };
let running: CapturedIO | null = null;
beforeEach(async () => {
  engine = await startFakeDaemon();
  tmp = tempDir('sg-daemon-');
});
afterEach(async () => {
  // A test that failed half way still stops its daemon.
  if (running !== null && running.exitCode() === undefined) {
    running.signal('SIGTERM');
    await waitUntil(() => running!.exitCode() !== undefined, 5_000, 'stop');
  }
  running = null;
  await engine.close();
  tmp.cleanup();
});

function daemonOptions(args: string[]): DaemonOptions {
  const command = parseCommand([...args, '--upstream', engine.socketPath, '--log-level', 'silent'], {}, { uid: 1000, tmpdir: tmp.dir });
  if (command.kind !== 'run') throw new Error('not a daemon command');
  return command.options;
}

describe('runDaemon', () => {
  it('serves its socket, says so on stderr, and on SIGTERM closes, removes the socket and sets exit code 0', async () => {
    const sock = join(tmp.dir, 's.sock');
    const c = (running = captureIO());
    await runDaemon(daemonOptions(['--listen', sock]), true, c.io);
    expect(c.stderr()).toMatch(new RegExp(`^sockgate: listening on ${sock} \\(policy: .*\\); try: DOCKER_HOST=unix://${sock} docker ps \\(set --listen to choose the path\\)\n$`));
    expect([c.listeners('SIGTERM'), c.listeners('SIGINT'), c.listeners('SIGHUP')]).toEqual([1, 1, 1]);
    expect((await request(sock, 'GET', '/_ping')).status).toBe(200);
    c.signal('SIGTERM');
    await waitUntil(() => c.exitCode() !== undefined, 5_000, 'exit code');
    expect(c.exitCode()).toBe(0);
    expect(() => statSync(sock)).toThrow();
  });

  it('carries out a SIGTERM that came while the listeners were starting once they have started', async () => {
    const sock = join(tmp.dir, 's.sock');
    const c = (running = captureIO());
    const started = runDaemon(daemonOptions(['--listen', sock]), false, c.io);
    c.signal('SIGTERM');
    await started;
    expect(c.stderr()).toContain(`listening on ${sock}`);
    await waitUntil(() => c.exitCode() !== undefined, 5_000, 'exit code');
    expect(c.exitCode()).toBe(0);
    expect(() => statSync(sock)).toThrow();
  });

  it('switches to the policy file as it now reads on SIGHUP', async () => {
    const sock = join(tmp.dir, 's.sock');
    const policy = join(tmp.dir, 'policy.yaml');
    writeFileSync(policy, 'version: 1\nrules:\n  - { id: ping, effect: allow, endpoints: [system.ping] }\n');
    const c = (running = captureIO());
    await runDaemon(daemonOptions(['--listen', sock, '--policy', policy]), false, c.io);
    expect((await request(sock, 'GET', '/v1.41/containers/json')).status).toBe(403);
    writeFileSync(policy, 'version: 1\nrules:\n  - { id: list, effect: allow, endpoints: [containers.list] }\n');
    c.signal('SIGHUP');
    // The reload is asynchronous: ask until the new policy answers (or give up after 5 s).
    const deadline = Date.now() + 5_000;
    let status = 403;
    while (status !== 200 && Date.now() < deadline) {
      status = (await request(sock, 'GET', '/v1.41/containers/json')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
  });
});
