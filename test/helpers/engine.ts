/**
 * The real Docker engine for end-to-end tests. SOCKGATE_E2E_DOCKER_HOST (unix://...) names it;
 * .ci/run starts a private dockerd and sets it. Without a reachable engine the e2e suite FAILS
 * (it is never skipped): start one with `scripts/engine.sh start /tmp/e2e`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './temp.js';
import { waitUntil } from './wait.js';
import { engineSocket } from './engine-socket.js';
import { recordingUpstream } from './engine-log.js';

export const TEST_IMAGE = 'sockgate-test:busybox';
export const REPO_ROOT = join(import.meta.dirname, '../..');

export { engineSocket };

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// A private, empty client config so a developer's ~/.docker (contexts, credential helpers) never interferes.
const DOCKER_CONFIG = mkdtempSync(join(tmpdir(), 'sg-dockercfg-'));

/** Run the docker CLI against a socket. */
export function docker(socketPath: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'docker',
      [...args],
      {
        env: { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG, DOCKER_CLI_HINTS: 'false', DOCKER_CONTEXT: '' },
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

export interface SockgateProcess {
  readonly socketPath: string;
  readonly child: ChildProcess;
  /** parsed JSON lines sockgate wrote to stdout */
  readonly records: Record<string, unknown>[];
  stderr(): string;
  /** SIGTERM, wait for exit; says whether the socket file was left behind */
  stop(): Promise<{ code: number | null; socketLeft: boolean }>;
}

export const ALLOW_ALL_POLICY = 'version: 1\nname: allow-all\ndefault: allow\nrules: []\n';

/** Start sockgate enforcing a policy given as YAML text (written next to its socket, removed with it). */
export function startSockgateWithPolicy(policyText: string, args: readonly string[] = []): Promise<SockgateProcess> {
  return startSockgate(args, {}, policyText);
}

/** Start the real sockgate binary (bin/sockgate.js, compiled) against the engine. */
export async function startSockgate(args: readonly string[], env: Record<string, string> = {}, policyText?: string): Promise<SockgateProcess> {
  const { dir, cleanup } = tempDir('sg-e2e-');
  const socketPath = join(dir, 'sockgate.sock');
  if (policyText !== undefined) {
    writeFileSync(join(dir, 'policy.yaml'), policyText);
    args = ['--policy', join(dir, 'policy.yaml'), ...args];
  }
  // With --config the config file names the sockets; socketPath is then unused.
  const listen = args.includes('--config') ? [] : ['--listen', socketPath];
  // Through the recording pass-through, so tests can show what reached the engine (engine-log.ts).
  const upstream = (await recordingUpstream()).socketPath;
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/sockgate.js'), ...listen, '--upstream', upstream, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: Record<string, unknown>[] = [];
  let stdoutBuf = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdoutBuf += d.toString();
    let nl;
    while ((nl = stdoutBuf.indexOf('\n')) !== -1) {
      const line = stdoutBuf.slice(0, nl);
      stdoutBuf = stdoutBuf.slice(nl + 1);
      if (line.trim()) records.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  await waitUntil(() => stderr.includes('listening on') || exited !== undefined, 15_000, 'sockgate start');
  if (exited !== undefined) throw new Error(`sockgate exited with ${exited}: ${stderr}`);
  return {
    socketPath,
    child,
    records,
    stderr: () => stderr,
    async stop() {
      if (exited === undefined) {
        child.kill('SIGTERM');
        await waitUntil(() => exited !== undefined, 15_000, 'sockgate stop');
      }
      const socketLeft = existsSync(socketPath);
      cleanup();
      return { code: exited ?? null, socketLeft };
    },
  };
}
