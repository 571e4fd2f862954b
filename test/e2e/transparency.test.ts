/**
 * Transparency: under an allow-all policy, sockgate must be invisible. The real docker CLI (and
 * docker-py) get through sockgate exactly what they get on the engine's own socket: the same
 * output, the same exit codes, the same streams (logs -f, attach, exec with and without stdin,
 * exec -it under a terminal with resizes, detach keys, events), the same archives (cp, export,
 * save | load) and builds. Where the output is deterministic the same command is also run on the
 * engine's socket and the two answers are compared (ids and timestamps normalised as needed).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_ALL_POLICY, type CommandResult, docker, engineSocket, type SockgateProcess, startSockgateWithPolicy, TEST_IMAGE } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const tag = `${process.pid}`;
/** Every container, image, volume and network this file makes is named with this prefix. */
const P = `sg-tr-${tag}`;
const LABEL = `sockgate.e2e.transparency=${tag}`;
const T = 30_000;

let engine: string;
let gate: SockgateProcess;
const tmp = tempDir('sg-tr-');
// A private, empty client config (like the helper's) for the commands run here outside docker().
const DOCKER_CONFIG = mkdtempSync(join(tmpdir(), 'sg-tr-dockercfg-'));

function env(socketPath: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG, DOCKER_CLI_HINTS: 'false', DOCKER_CONTEXT: '', ...extra };
}

/** Run a program (a shell pipeline, python) with DOCKER_HOST pointing at `socketPath`. */
function run(cmd: string, args: readonly string[], socketPath: string, opts: { timeoutMs?: number; env?: Record<string, string>; input?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, [...args], { env: env(socketPath, opts.env), timeout: opts.timeoutMs ?? T, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr: stderr + (err && typeof (err as { code?: unknown }).code !== 'number' ? `\n[${err.message}]` : '') });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

const sh = (socketPath: string, script: string, opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CommandResult> =>
  run('/bin/sh', ['-c', script], socketPath, opts);

/** The same docker command through sockgate and on the engine's socket. */
async function both(args: readonly string[], timeoutMs = T): Promise<[CommandResult, CommandResult]> {
  const via = await docker(gate.socketPath, args, { timeoutMs });
  const direct = await docker(engine, args, { timeoutMs });
  return [via, direct];
}

/** `docker` through sockgate that must succeed; returns its stdout. */
async function ok(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await docker(gate.socketPath, args, { timeoutMs: T, ...opts });
  expect(r.code, `docker ${args.join(' ')} through sockgate: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** `docker` on the engine socket (setup and checks that must not depend on sockgate). */
async function direct(args: readonly string[], timeoutMs = T): Promise<string> {
  const r = await docker(engine, args, { timeoutMs });
  expect(r.code, `docker ${args.join(' ')} on the engine: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Relative durations ("Up 3 seconds", "About a minute ago") differ between two calls. */
// ("Less than a second" first: the general pattern would turn its "a second" into "Less than N units")
const normaliseAges = (s: string): string =>
  s.replace(/Less than a second/g, 'N units').replace(/(About )?(an?|\d+) (seconds?|minutes?|hours?|days?)/g, 'N units').replace(/ {2,}/g, '  ');

interface Background {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
  kill(): void;
}

/** A long-running docker command (events, attach) whose output is watched while it runs. */
function background(socketPath: string, args: readonly string[]): Background {
  const child = spawn('docker', [...args], { env: env(socketPath), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(timer));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

async function exitedWithin<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ── a pseudo-terminal for the CLI ────────────────────────────────────────────────────────────
// Runs argv on a pty of the given size; each step waits for `expect` in the output (after the
// previous match), then resizes the terminal, sleeps, and sends bytes. Prints a JSON summary.
const PTY_DRIVER = `
import fcntl, json, os, pty, select, signal, struct, sys, termios, time
spec = json.loads(sys.argv[1])
rows, cols = spec.get('rows', 24), spec.get('cols', 80)
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execvp(spec['argv'][0], spec['argv'])
deadline = time.time() + spec.get('timeout', 30)
out = b''
pos = 0
steps = list(spec.get('steps', []))
eof = False
def handle_steps():
    global pos
    while steps:
        st = steps[0]
        exp = st.get('expect')
        if exp is not None:
            i = out.find(exp.encode(), pos)
            if i < 0:
                return
            pos = i + len(exp)
        steps.pop(0)
        if 'resize' in st:
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', st['resize'][0], st['resize'][1], 0, 0))
        if 'sleep' in st:
            time.sleep(st['sleep'])
        if 'send' in st:
            os.write(fd, st['send'].encode())
while not eof and time.time() < deadline:
    handle_steps()
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if data:
            out += data
        else:
            eof = True
handle_steps()
if not eof:
    os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'output': out.decode('utf-8', 'replace'), 'timedOut': not eof, 'pendingSteps': len(steps)}))
`;

interface PtyStep {
  expect?: string;
  resize?: [number, number];
  sleep?: number;
  send?: string;
}
interface PtyResult {
  code: number;
  output: string;
  timedOut: boolean;
  pendingSteps: number;
}

async function underPty(socketPath: string, argv: string[], steps: PtyStep[], size: [number, number] = [24, 80], timeoutS = 20): Promise<PtyResult> {
  const spec = JSON.stringify({ argv, rows: size[0], cols: size[1], steps, timeout: timeoutS });
  const r = await run('/usr/bin/python3', ['-c', PTY_DRIVER, spec], socketPath, { timeoutMs: (timeoutS + 10) * 1000 });
  expect(r.code, `pty driver: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as PtyResult;
}

// ── docker-py ────────────────────────────────────────────────────────────────────────────────
/** Run a docker-py script; it gets `client` (DockerClient on argv[1]), `IMAGE`, `PREFIX`, `out` (dict printed as JSON). */
async function py(socketPath: string, body: string, timeoutMs = T): Promise<Record<string, unknown>> {
  const script = `
import io, json, sys, tarfile, threading, time, docker
client = docker.DockerClient(base_url='unix://' + sys.argv[1], version='1.41', timeout=25)
IMAGE = ${JSON.stringify(TEST_IMAGE)}
PREFIX = sys.argv[2]
LABELS = {'sockgate.e2e.transparency': ${JSON.stringify(tag)}}
out = {}
${body}
print(json.dumps(out))
`;
  const r = await run('/usr/bin/python3', ['-c', script, socketPath, `${P}-py-${socketPath === engine ? 'd' : 'v'}`], socketPath, { timeoutMs });
  expect(r.code, `docker-py through ${socketPath}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  engine = engineSocket();
  const v = await docker(engine, ['version', '--format', '{{.Server.APIVersion}}']);
  if (v.code !== 0) throw new Error(`the e2e engine at ${engine} does not answer: ${v.stderr}`);
  gate = await startSockgateWithPolicy(ALLOW_ALL_POLICY);
});

afterAll(async () => {
  await gate?.stop();
  const byLabel = await docker(engine, ['ps', '-aq', '--filter', `label=${LABEL}`]);
  const byName = await docker(engine, ['ps', '-aq', '--filter', `name=${P}`]);
  const ids = [...new Set([...byLabel.stdout.split('\n'), ...byName.stdout.split('\n')].filter(Boolean))];
  if (ids.length > 0) await docker(engine, ['rm', '-f', ...ids]);
  const images = await docker(engine, ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${P}*`]);
  const refs = images.stdout.split('\n').filter((s) => s && !s.endsWith(':<none>'));
  if (refs.length > 0) await docker(engine, ['rmi', '-f', ...refs], { timeoutMs: 120_000 });
  const vols = await docker(engine, ['volume', 'ls', '-q', '--filter', `name=${P}`]);
  for (const vol of vols.stdout.split('\n').filter(Boolean)) await docker(engine, ['volume', 'rm', '-f', vol]);
  const nets = await docker(engine, ['network', 'ls', '-q', '--filter', `name=${P}`]);
  for (const net of nets.stdout.split('\n').filter(Boolean)) await docker(engine, ['network', 'rm', net]);
  tmp.cleanup();
  rmSync(DOCKER_CONFIG, { recursive: true, force: true });
}, 180_000);

describe('docker CLI through sockgate behaves as on the engine socket', () => {
  it('version: the server part is the engine\'s', async () => {
    const [via, dir] = await both(['version', '--format', '{{json .Server}}']);
    expect(via.code, via.stderr).toBe(0);
    expect(dir.code, dir.stderr).toBe(0);
    expect(via.stdout).toBe(dir.stdout);
    const [viaText, dirText] = await both(['version']);
    expect(viaText.code, viaText.stderr).toBe(0);
    const server = (s: string): string => s.slice(s.indexOf('Server:'));
    expect(server(viaText.stdout)).toContain('API version:');
    expect(server(viaText.stdout)).toBe(server(dirText.stdout));
  });

  it('info: stable fields are the engine\'s', async () => {
    const fmt = '{{.ID}}|{{.Name}}|{{.ServerVersion}}|{{.Driver}}|{{.OSType}}|{{.Architecture}}|{{.NCPU}}|{{.MemTotal}}|{{.KernelVersion}}|{{.DockerRootDir}}|{{.Swarm.LocalNodeState}}|{{.CgroupDriver}}';
    const [via, dir] = await both(['info', '--format', fmt]);
    expect(via.code, via.stderr).toBe(0);
    expect(via.stdout).toBe(dir.stdout);
    const text = await ok(['info']);
    expect(text).toContain('Server Version:');
  });

  it('ps and ps -a list what the engine lists', async () => {
    const running = `${P}-ps-running`;
    const stopped = `${P}-ps-created`;
    await direct(['run', '-d', '--name', running, '--label', LABEL, TEST_IMAGE, 'sleep', '300']);
    await direct(['create', '--name', stopped, '--label', LABEL, TEST_IMAGE, 'true']);
    const fmt = '{{.ID}}|{{.Image}}|{{.Command}}|{{.Names}}|{{.State}}|{{.Ports}}|{{.Labels}}';
    for (const extra of [[], ['-a']]) {
      const [via, dir] = await both(['ps', ...extra, '--no-trunc', '--filter', `label=${LABEL}`, '--format', fmt]);
      expect(via.code, via.stderr).toBe(0);
      expect(via.stdout).toBe(dir.stdout);
      expect(via.stdout).toContain(running);
      if (extra.length > 0) expect(via.stdout).toContain(stopped);
      else expect(via.stdout).not.toContain(stopped);
      // the default table, ages normalised
      const [viaTable, dirTable] = await both(['ps', ...extra, '--filter', `label=${LABEL}`]);
      expect(viaTable.code, viaTable.stderr).toBe(0);
      expect(normaliseAges(viaTable.stdout)).toBe(normaliseAges(dirTable.stdout));
    }
    const [viaIds] = await both(['ps', '-aq', '--no-trunc']);
    expect(viaIds.code, viaIds.stderr).toBe(0);
    expect(viaIds.stdout).toContain((await direct(['inspect', '-f', '{{.Id}}', running])).trim());
  });

  it('images lists what the engine lists', async () => {
    const [via, dir] = await both(['images', '--no-trunc', '--filter', 'reference=sockgate-test', '--format', '{{.Repository}}:{{.Tag}}|{{.ID}}|{{.Size}}']);
    expect(via.code, via.stderr).toBe(0);
    expect(via.stdout).toBe(dir.stdout);
    expect(via.stdout).toContain(TEST_IMAGE);
    const [viaTable, dirTable] = await both(['images', 'sockgate-test']);
    expect(normaliseAges(viaTable.stdout)).toBe(normaliseAges(dirTable.stdout));
  });

  it('create, start, stop, restart, kill, rm', async () => {
    const name = `${P}-life`;
    const state = async (): Promise<string> => (await direct(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}', name])).trim();
    const id = (await ok(['create', '--name', name, '--label', LABEL, TEST_IMAGE, 'sleep', '300'])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await direct(['inspect', '-f', '{{.Id}}', name])).trim()).toBe(id);
    expect(await state()).toBe('created 0 0');
    expect((await ok(['start', name])).trim()).toBe(name);
    expect(await state()).toMatch(/^running 0/);
    expect((await ok(['stop', '-t', '1', name])).trim()).toBe(name);
    expect(await state()).toMatch(/^exited 137/);
    expect((await ok(['restart', '-t', '1', name])).trim()).toBe(name);
    expect(await state()).toMatch(/^running 0/);
    expect((await ok(['kill', name])).trim()).toBe(name);
    expect(await state()).toMatch(/^exited 137/);
    expect((await ok(['rm', name])).trim()).toBe(name);
    expect((await docker(engine, ['inspect', name])).code).not.toBe(0);
    // an error from the engine comes back as the engine's error
    const [via, dir] = await both(['rm', name]);
    expect(via.code).toBe(dir.code);
    expect(via.code).not.toBe(0);
    expect(via.stderr).toBe(dir.stderr);
  }, 90_000);

  it('run --rm prints the output and passes on the exit code', async () => {
    const r = await docker(gate.socketPath, ['run', '--rm', '--label', LABEL, TEST_IMAGE, 'sh', '-c', 'echo out; echo err >&2'], { timeoutMs: T });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
    const failing = await both(['run', '--rm', '--label', LABEL, TEST_IMAGE, 'sh', '-c', 'echo before-exit; exit 3']);
    for (const f of failing) {
      expect(f.code, f.stderr).toBe(3);
      expect(f.stdout).toBe('before-exit\n');
    }
    // with stdin, and with a terminal-less -t: still the engine's answer
    const piped = await docker(gate.socketPath, ['run', '--rm', '-i', '--label', LABEL, TEST_IMAGE, 'sh', '-c', 'cat; exit 5'], { input: 'piped\n', timeoutMs: T });
    expect(piped.code, piped.stderr).toBe(5);
    expect(piped.stdout).toBe('piped\n');
  }, 90_000);

  it('run -d, then logs -f ends by itself when the container exits', async () => {
    const name = `${P}-logs`;
    await ok(['run', '-d', '--name', name, '--label', LABEL, TEST_IMAGE, 'sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; echo err$i >&2; sleep 0.3; done']);
    const r = await docker(gate.socketPath, ['logs', '-f', name], { timeoutMs: T });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('line1\nline2\nline3\nline4\nline5\n');
    expect(r.stderr).toBe('err1\nerr2\nerr3\nerr4\nerr5\n');
    const [via, dir] = await both(['logs', '--timestamps', name]);
    expect(via.code, via.stderr).toBe(0);
    expect(via.stdout).toBe(dir.stdout);
    expect(via.stderr).toBe(dir.stderr);
  }, 60_000);

  describe('exec', () => {
    const name = `${P}-exec`;
    beforeAll(async () => {
      await direct(['run', '-d', '--name', name, '--label', LABEL, TEST_IMAGE, 'sleep', '600']);
    });

    it('without stdin', async () => {
      const [via, dir] = await both(['exec', name, 'echo', 'hi']);
      expect(via.code, via.stderr).toBe(0);
      expect(via.stdout).toBe('hi\n');
      expect(via).toEqual(dir);
      const [viaFail, dirFail] = await both(['exec', name, 'sh', '-c', 'echo o; echo e >&2; exit 7']);
      expect(viaFail).toEqual({ code: 7, stdout: 'o\n', stderr: 'e\n' });
      expect(viaFail).toEqual(dirFail);
    });

    it('with stdin (echo hi | docker exec -i c cat)', async () => {
      const r = await sh(gate.socketPath, `echo hi | docker exec -i ${name} cat`);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('hi\n');
      const big = 'x'.repeat(1_000_000) + '\n';
      const b = await docker(gate.socketPath, ['exec', '-i', name, 'wc', '-c'], { input: big, timeoutMs: T });
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout.trim()).toBe(String(big.length));
    });

    it('stdin EOF reaches the process and its later output still arrives (half-close)', async () => {
      const args = ['exec', '-i', name, 'sh', '-c', 'cat; echo after-eof; exit 2'];
      const via = await docker(gate.socketPath, args, { input: 'line\n', timeoutMs: T });
      const dir = await docker(engine, args, { input: 'line\n', timeoutMs: T });
      expect(via).toEqual({ code: 2, stdout: 'line\nafter-eof\n', stderr: '' });
      expect(via).toEqual(dir);
    });

    it('a large output (20 MB) arrives whole', async () => {
      const r = await sh(gate.socketPath, `docker exec ${name} sh -c 'head -c 20000000 /dev/zero | tr "\\0" a' | wc -c`);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('20000000');
    });

    it('exec -it under a pseudo-terminal: a /dev/pts tty that follows resizes', async () => {
      const steps: PtyStep[] = [
        { expect: '/dev/pts/', sleep: 1, send: '\n' },
        { expect: '33 111', resize: [40, 120], sleep: 1, send: '\n' },
      ];
      const argv = ['docker', 'exec', '-it', name, 'sh', '-c', 'tty; read x; stty size; read y; stty size'];
      const via = await underPty(gate.socketPath, argv, steps, [33, 111]);
      expect(via.timedOut, via.output).toBe(false);
      expect(via.code, via.output).toBe(0);
      expect(via.output).toMatch(/\/dev\/pts\/\d+\r\n/);
      expect(via.output).toContain('33 111\r\n');
      expect(via.output).toContain('40 120\r\n');
      const dir = await underPty(engine, argv, steps, [33, 111]);
      // Which /dev/pts number an exec gets is the engine's: on engine 28 the previous exec's pty
      // may not be released yet when the next one starts.
      const anyPts = (out: string): string => out.replace(/\/dev\/pts\/\d+/, '/dev/pts/N');
      expect(anyPts(via.output)).toBe(anyPts(dir.output));
    }, 60_000);
  });

  it('run -it under a pseudo-terminal: an interactive shell that follows resizes and exits with its code', async () => {
    const argv = ['docker', 'run', '-it', '--rm', '--label', LABEL, TEST_IMAGE, 'sh'];
    const steps: PtyStep[] = [
      { sleep: 1, send: 'stty size; echo x$((6*7))\n' },
      { expect: 'x42\r\n', resize: [50, 150], sleep: 1, send: 'stty size; exit 5\n' },
    ];
    const via = await underPty(gate.socketPath, argv, steps, [30, 100]);
    expect(via.timedOut, via.output).toBe(false);
    expect(via.code, via.output).toBe(5);
    expect(via.output).toContain('30 100\r\nx42\r\n');
    expect(via.output).toContain('50 150\r\n');
    const dir = await underPty(engine, argv, steps, [30, 100]);
    expect(via.output).toBe(dir.output);
  }, 60_000);

  it('attach to a running container prints its lines and ends with its exit code', async () => {
    const name = `${P}-attach`;
    await ok(['run', '-d', '--name', name, '--label', LABEL, TEST_IMAGE, 'sh', '-c', 'sleep 2; for i in 1 2 3; do echo tick$i; sleep 0.2; done; exit 4']);
    const a = background(gate.socketPath, ['attach', '--no-stdin', name]);
    const code = await exitedWithin(a.exited, 20_000, 'docker attach');
    expect(a.stderr()).toBe('');
    expect(a.stdout()).toBe('tick1\ntick2\ntick3\n');
    expect(code).toBe(4);
  }, 40_000);

  it('detach keys: attach --detach-keys ctrl-x leaves the container running', async () => {
    const results: PtyResult[] = [];
    for (const [socket, which] of [[gate.socketPath, 'v'], [engine, 'd']] as const) {
      const name = `${P}-detach-${which}`;
      await direct(['run', '-dit', '--name', name, '--label', LABEL, TEST_IMAGE, 'sh']);
      const r = await underPty(socket, ['docker', 'attach', '--detach-keys', 'ctrl-x', name], [
        { sleep: 1, send: 'echo x$((6*7))\n' },
        { expect: 'x42\r\n', sleep: 0.5, send: '\x18' },
      ]);
      expect(r.timedOut, r.output).toBe(false);
      expect(r.pendingSteps).toBe(0);
      expect(r.output).toContain('read escape sequence');
      expect((await direct(['inspect', '-f', '{{.State.Running}}', name])).trim()).toBe('true');
      results.push(r);
    }
    expect(results[0]!.code).toBe(results[1]!.code);
    // The shell redraws its prompt on each resize it sees while the client attaches; how many it
    // sees is timing (engine 28 may deliver the attach resize twice): compare one redraw.
    const ESC = String.fromCharCode(27);
    const redraws = new RegExp(`(?:\\r?(?:${ESC}\\[7m)?/ # ${ESC}\\[J(?:${ESC}\\[27m)?)+`, 'g');
    const oneRedraw = (out: string): string => out.replace(redraws, '/ # ');
    expect(oneRedraw(results[0]!.output)).toBe(oneRedraw(results[1]!.output));
  }, 60_000);

  it('cp in and out', async () => {
    const name = `${P}-cp`;
    await direct(['run', '-d', '--name', name, '--label', LABEL, TEST_IMAGE, 'sleep', '600']);
    const dir = join(tmp.dir, 'cp');
    mkdirSync(join(dir, 'tree/sub'), { recursive: true });
    writeFileSync(join(dir, 'in.txt'), 'copied-in\n');
    writeFileSync(join(dir, 'tree/sub/deep.txt'), 'deep\n');
    const bin = Buffer.alloc(300_000);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) & 0xff;
    writeFileSync(join(dir, 'tree/blob.bin'), bin);
    await ok(['cp', join(dir, 'in.txt'), `${name}:/tmp/in.txt`]);
    await ok(['cp', join(dir, 'tree'), `${name}:/tmp/tree`]);
    expect(await direct(['exec', name, 'cat', '/tmp/in.txt', '/tmp/tree/sub/deep.txt'])).toBe('copied-in\ndeep\n');
    await ok(['cp', `${name}:/tmp/in.txt`, join(dir, 'out.txt')]);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('copied-in\n');
    await ok(['cp', `${name}:/tmp/tree`, join(dir, 'tree-out')]);
    expect(readFileSync(join(dir, 'tree-out/sub/deep.txt'), 'utf8')).toBe('deep\n');
    expect(readFileSync(join(dir, 'tree-out/blob.bin')).equals(bin)).toBe(true);
    // to stdout as a tar: the same bytes as on the engine socket
    const [via, dirTar] = await both(['cp', `${name}:/tmp/tree/sub`, '-']);
    expect(via.code, via.stderr).toBe(0);
    expect(via.stdout).toBe(dirTar.stdout);
    // from stdin as a tar
    const r = await sh(gate.socketPath, `tar -C ${join(dir, 'tree')} -cf - sub | docker cp - ${name}:/tmp/`);
    expect(r.code, r.stderr).toBe(0);
    expect(await direct(['exec', name, 'cat', '/tmp/sub/deep.txt'])).toBe('deep\n');
    // a missing path: the engine's error
    const [viaMissing, dirMissing] = await both(['cp', `${name}:/nonexistent`, join(dir, 'nothing')]);
    expect(viaMissing.code).not.toBe(0);
    expect(viaMissing).toEqual(dirMissing);
  }, 60_000);

  describe('a running container: stats, top, rename, pause/unpause, diff, export, inspect', () => {
    const name = `${P}-misc`;
    beforeAll(async () => {
      // --network none: engine 28 renames a running container's endpoint on its network too, and
      // on an engine without a bridge (CI runs them with --bridge=none) it answers "network bridge
      // not found" to `docker rename` of a default-network container on its own socket as well.
      await direct(['run', '-d', '--name', name, '--network', 'none', '--label', LABEL, TEST_IMAGE, 'sh', '-c', 'mkdir /made; echo x > /made/file; sleep 600']);
      await new Promise((r) => setTimeout(r, 500));
    });

    it('stats --no-stream', async () => {
      const r = await ok(['stats', '--no-stream', '--format', '{{.Name}}|{{.Container}}', name]);
      expect(r.trim()).toBe(`${name}|${name}`);
      const table = await ok(['stats', '--no-stream', name]);
      expect(table).toMatch(/CONTAINER ID\s+NAME\s+CPU %/);
      expect(table).toContain(name);
    });

    it('top', async () => {
      const [via, dir] = await both(['top', name]);
      expect(via.code, via.stderr).toBe(0);
      const cmds = (s: string): string[] => s.split('\n').filter(Boolean).map((l) => l.split(/\s+/).slice(7).join(' '));
      expect(cmds(via.stdout)).toEqual(cmds(dir.stdout));
      expect(via.stdout).toContain('sleep 600');
      const [viaPs, dirPs] = await both(['top', name, '-o', 'pid,args']);
      expect(viaPs.code, viaPs.stderr).toBe(0);
      expect(viaPs.stdout).toBe(dirPs.stdout);
    });

    it('diff', async () => {
      const [via, dir] = await both(['diff', name]);
      expect(via.code, via.stderr).toBe(0);
      expect(via.stdout).toContain('A /made/file');
      expect(via.stdout).toBe(dir.stdout);
    });

    it('inspect (container, image, several at once, a missing one)', async () => {
      for (const args of [['inspect', name], ['image', 'inspect', TEST_IMAGE], ['inspect', name, TEST_IMAGE], ['inspect', '--format', '{{.State.Pid}}', name]]) {
        const [via, dir] = await both(args);
        expect(via.code, via.stderr).toBe(0);
        expect(via.stdout).toBe(dir.stdout);
      }
      const [via, dir] = await both(['inspect', `${P}-missing`]);
      expect(via.code).toBe(1);
      expect(via).toEqual(dir);
    });

    it('export: a tar with the same files as on the engine socket', async () => {
      const files: string[] = [];
      for (const [socket, which] of [[gate.socketPath, 'v'], [engine, 'd']] as const) {
        const out = join(tmp.dir, `export-${which}.tar`);
        const r = await docker(socket, ['export', '-o', out, name], { timeoutMs: T });
        expect(r.code, r.stderr).toBe(0);
        expect(statSync(out).size).toBeGreaterThan(0);
        const list = await run('tar', ['-tf', out], engine);
        expect(list.code, list.stderr).toBe(0);
        files.push(list.stdout);
      }
      expect(files[0]).toContain('made/file');
      expect(files[0]).toBe(files[1]);
      const piped = await sh(gate.socketPath, `docker export ${name} | tar -tf - | grep -c .`);
      expect(piped.code, piped.stderr).toBe(0);
      expect(Number(piped.stdout.trim())).toBe(files[0]!.split('\n').filter(Boolean).length);
    });

    it('pause / unpause', async () => {
      expect((await ok(['pause', name])).trim()).toBe(name);
      expect((await direct(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', name])).trim()).toBe('paused true');
      const [viaPs, dirPs] = await both(['ps', '--filter', `name=${name}`, '--format', '{{.Names}} {{.Status}}']);
      expect(viaPs.stdout).toContain('(Paused)');
      expect(normaliseAges(viaPs.stdout)).toBe(normaliseAges(dirPs.stdout));
      expect((await ok(['unpause', name])).trim()).toBe(name);
      expect((await direct(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', name])).trim()).toBe('running false');
    });

    it('rename', async () => {
      const renamed = `${name}-renamed`;
      expect(await ok(['rename', name, renamed])).toBe('');
      expect((await direct(['inspect', '-f', '{{.Name}}', renamed])).trim()).toBe(`/${renamed}`);
      expect(await ok(['rename', renamed, name])).toBe('');
      expect((await direct(['inspect', '-f', '{{.Name}}', name])).trim()).toBe(`/${name}`);
    });
  });

  it('wait prints the exit code', async () => {
    const name = `${P}-wait`;
    await ok(['run', '-d', '--name', name, '--label', LABEL, TEST_IMAGE, 'sh', '-c', 'sleep 1; exit 42']);
    const r = await docker(gate.socketPath, ['wait', name], { timeoutMs: T });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('42\n');
    const [via, dir] = await both(['wait', name]);
    expect(via).toEqual(dir);
  });

  describe('events', () => {
    it('live: a filtered stream sees create and start as they happen', async () => {
      const name = `${P}-events`;
      const ev = background(gate.socketPath, ['events', '--filter', `container=${name}`, '--format', '{{.Action}}']);
      const evDirect = background(engine, ['events', '--filter', `container=${name}`, '--format', '{{.Action}}']);
      try {
        // The CLI prints nothing until an event arrives: wait until sockgate forwarded the request.
        await waitUntil(() => gate.records.some((r) => r['endpoint'] === 'system.events' && r['msg'] === 'request allowed'), 10_000, 'events request');
        await new Promise((r) => setTimeout(r, 1000));
        await ok(['create', '--name', name, '--label', LABEL, TEST_IMAGE, 'true']);
        await ok(['start', name]);
        await waitUntil(() => /die\n/.test(ev.stdout()) && /die\n/.test(evDirect.stdout()), 15_000, `events (through sockgate: ${JSON.stringify(ev.stdout())}, direct: ${JSON.stringify(evDirect.stdout())})`);
        expect(ev.stdout()).toMatch(/^create\n(attach\n)?start\ndie\n$/);
        expect(ev.stdout()).toBe(evDirect.stdout());
        expect(ev.child.exitCode).toBeNull();
      } finally {
        ev.kill();
        evDirect.kill();
      }
    }, 40_000);

    it('--since/--until bounded queries return the same events through both sockets', async () => {
      const name = `${P}-events-bounded`;
      const since = (Date.now() / 1000 - 1).toFixed(3);
      await ok(['run', '--name', name, '--label', LABEL, TEST_IMAGE, 'true']);
      await ok(['rm', name]);
      await new Promise((r) => setTimeout(r, 1100));
      const until = (Date.now() / 1000).toFixed(3);
      const args = ['events', '--since', since, '--until', until, '--filter', `container=${name}`, '--format', '{{json .}}'];
      const [via, dir] = await both(args);
      expect(via.code, via.stderr).toBe(0);
      expect(via.stdout).toBe(dir.stdout);
      const actions = via.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { Action: string }).Action);
      expect(actions).toEqual(expect.arrayContaining(['create', 'start', 'die', 'destroy']));
      const [viaAll, dirAll] = await both(['events', '--since', since, '--until', until, '--format', '{{.Type}} {{.Action}} {{.Actor.ID}}']);
      expect(viaAll.code, viaAll.stderr).toBe(0);
      expect(viaAll.stdout).toBe(dirAll.stdout);
    }, 40_000);
  });

  it('build from a context (classic builder)', async () => {
    const ctx = join(tmp.dir, 'build-ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt && echo built-$((6*7)) > /built.txt\nLABEL ${LABEL.replace('=', '="')}"\nCMD ["cat", "/built.txt"]\n`);
    writeFileSync(join(ctx, 'hello.txt'), 'hello-from-context\n');
    const image = `${P}-built:1`;
    const r = await run('docker', ['build', '-t', image, ctx], gate.socketPath, { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('hello-from-context');
    const built = /Successfully built ([0-9a-f]{12})/.exec(r.stdout);
    expect(built, r.stdout).not.toBeNull();
    expect(r.stdout).toContain(`Successfully tagged ${image}`);
    expect((await direct(['image', 'inspect', '-f', '{{.Id}}', image])).trim()).toMatch(new RegExp(`^sha256:${built![1]}`));
    // the same build on the engine socket is a full cache hit: the same image
    const again = await run('docker', ['build', '-q', ctx], engine, { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toMatch(new RegExp(`^sha256:${built![1]}`));
    const out = await docker(gate.socketPath, ['run', '--rm', image], { timeoutMs: T });
    expect(out.stdout).toBe('built-42\n');
    // a failing build step fails the build the same way
    writeFileSync(join(ctx, 'Dockerfile.fail'), `FROM ${TEST_IMAGE}\nRUN echo failing-step && exit 9\n`);
    // --force-rm: the classic builder otherwise keeps the failed step's container
    const failArgs = ['build', '--force-rm', '-f', join(ctx, 'Dockerfile.fail'), ctx];
    const fail = await run('docker', failArgs, gate.socketPath, { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
    const failDirect = await run('docker', failArgs, engine, { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
    expect(fail.code).not.toBe(0);
    expect(fail.code).toBe(failDirect.code);
    expect(fail.stdout).toContain('failing-step');
    expect(fail.stderr).toContain('returned a non-zero code: 9');
  }, 180_000);

  it('save | load of a ~100 MB image keeps the image id', async () => {
    const big = `${P}-big:1`;
    const ctx = join(tmp.dir, 'big-ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN head -c 100000000 /dev/urandom > /big\n`);
    const b = await run('docker', ['build', '-q', '-t', big, ctx], engine, { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 180_000 });
    expect(b.code, b.stderr).toBe(0);
    const id = (await direct(['image', 'inspect', '-f', '{{.Id}}', big])).trim();
    // piped through sockgate on both ends
    const pipe = await sh(gate.socketPath, `docker save ${big} | docker load`, { timeoutMs: 180_000 });
    expect(pipe.code, pipe.stderr).toBe(0);
    expect(pipe.stdout).toContain(`Loaded image: ${big}`);
    expect((await ok(['image', 'inspect', '-f', '{{.Id}}', big])).trim()).toBe(id);
    // save to a file, remove the image, load it back: the same id
    const file = join(tmp.dir, 'big.tar');
    await ok(['save', '-o', file, big], { timeoutMs: 180_000 });
    expect(statSync(file).size).toBeGreaterThan(100_000_000);
    await direct(['rmi', big]);
    expect((await docker(engine, ['image', 'inspect', big])).code).not.toBe(0);
    const load = await docker(gate.socketPath, ['load', '-i', file], { timeoutMs: 180_000 });
    expect(load.code, load.stderr).toBe(0);
    expect(load.stdout).toContain(`Loaded image: ${big}`);
    expect((await direct(['image', 'inspect', '-f', '{{.Id}}', big])).trim()).toBe(id);
    // and from stdin
    await direct(['rmi', big]);
    const stdinLoad = await sh(gate.socketPath, `docker load < ${file}`, { timeoutMs: 180_000 });
    expect(stdinLoad.code, stdinLoad.stderr).toBe(0);
    expect((await direct(['image', 'inspect', '-f', '{{.Id}}', big])).trim()).toBe(id);
  }, 600_000);

  it('tag and rmi', async () => {
    const t1 = `${P}-tagged:a`;
    expect(await ok(['tag', TEST_IMAGE, t1])).toBe('');
    const id = (await direct(['image', 'inspect', '-f', '{{.Id}}', TEST_IMAGE])).trim();
    expect((await direct(['image', 'inspect', '-f', '{{.Id}}', t1])).trim()).toBe(id);
    const [viaImages, dirImages] = await both(['images', '--no-trunc', '--filter', `reference=${P}-tagged`, '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    expect(viaImages.stdout).toBe(`${t1} ${id}\n`);
    expect(viaImages.stdout).toBe(dirImages.stdout);
    expect((await ok(['rmi', t1])).trim()).toBe(`Untagged: ${t1}`);
    expect((await docker(engine, ['image', 'inspect', t1])).code).not.toBe(0);
    const [via, dir] = await both(['rmi', t1]);
    expect(via.code).not.toBe(0);
    expect(via).toEqual(dir);
  });

  it('volume create / ls / inspect / rm', async () => {
    const vol = `${P}-vol`;
    expect((await ok(['volume', 'create', '--label', LABEL, vol])).trim()).toBe(vol);
    const [viaLs, dirLs] = await both(['volume', 'ls', '--filter', `name=${P}`, '--format', '{{.Driver}} {{.Name}} {{.Labels}}']);
    expect(viaLs.code, viaLs.stderr).toBe(0);
    expect(viaLs.stdout).toContain(vol);
    expect(viaLs.stdout).toBe(dirLs.stdout);
    const [viaIn, dirIn] = await both(['volume', 'inspect', vol]);
    expect(viaIn.stdout).toBe(dirIn.stdout);
    // used by a container
    const used = await docker(gate.socketPath, ['run', '--rm', '--label', LABEL, '-v', `${vol}:/data`, TEST_IMAGE, 'sh', '-c', 'echo v > /data/f; cat /data/f'], { timeoutMs: T });
    expect(used.stdout).toBe('v\n');
    expect((await ok(['volume', 'rm', vol])).trim()).toBe(vol);
    const [via, dir] = await both(['volume', 'inspect', vol]);
    expect(via.code).not.toBe(0);
    expect(via).toEqual(dir);
  });

  it('network create / ls / inspect / rm', async () => {
    const net = `${P}-net`;
    const id = (await ok(['network', 'create', '--label', LABEL, net])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const [viaLs, dirLs] = await both(['network', 'ls', '--no-trunc', '--filter', `name=${P}`, '--format', '{{.ID}} {{.Name}} {{.Driver}} {{.Scope}}']);
    expect(viaLs.code, viaLs.stderr).toBe(0);
    expect(viaLs.stdout).toBe(`${id} ${net} bridge local\n`);
    expect(viaLs.stdout).toBe(dirLs.stdout);
    const [viaIn, dirIn] = await both(['network', 'inspect', net]);
    expect(viaIn.code, viaIn.stderr).toBe(0);
    expect(viaIn.stdout).toBe(dirIn.stdout);
    expect((await ok(['network', 'rm', net])).trim()).toBe(net);
    const [via, dir] = await both(['network', 'inspect', net]);
    expect(via.code).not.toBe(0);
    expect(via).toEqual(dir);
  });
});

describe('docker-py through sockgate behaves as on the engine socket', () => {
  it('containers.run (detach=False) returns the output; a failing command raises ContainerError', async () => {
    const body = `
out['output'] = client.containers.run(IMAGE, ['sh', '-c', 'echo out1; echo err1 >&2; echo out2'], name=PREFIX + '-run', labels=LABELS, remove=True).decode()
out['both'] = client.containers.run(IMAGE, ['sh', '-c', 'echo out1; echo err1 >&2'], labels=LABELS, remove=True, stdout=True, stderr=True).decode()
try:
    client.containers.run(IMAGE, ['sh', '-c', 'echo failing >&2; exit 3'], labels=LABELS, remove=True)
    out['error'] = None
except docker.errors.ContainerError as e:
    out['error'] = {'exit_status': e.exit_status, 'stderr': e.stderr.decode()}
`;
    const via = await py(gate.socketPath, body);
    expect(via).toEqual({ output: 'out1\nout2\n', both: expect.stringMatching(/^(out1\nerr1\n|err1\nout1\n)$/) as unknown, error: { exit_status: 3, stderr: 'failing\n' } });
    const dir = await py(engine, body);
    expect(dir['output']).toBe(via['output']);
    expect(dir['error']).toEqual(via['error']);
  }, 60_000);

  it('exec_run with and without stream, with demux', async () => {
    const body = `
c = client.containers.run(IMAGE, ['sleep', '600'], name=PREFIX + '-exec', labels=LABELS, detach=True)
try:
    r = c.exec_run(['sh', '-c', 'echo hi; echo err >&2; exit 6'])
    out['plain'] = [r.exit_code, r.output.decode()]
    r = c.exec_run(['sh', '-c', 'echo o; echo e >&2'], demux=True)
    out['demux'] = [r.output[0].decode(), r.output[1].decode()]
    r = c.exec_run(['sh', '-c', 'for i in 1 2 3; do echo s$i; sleep 0.2; done'], stream=True)
    chunks = [ch.decode() for ch in r.output]
    out['stream'] = ''.join(chunks)
    out['streamChunks'] = len(chunks)
    r = c.exec_run(['tty'], tty=True)
    out['tty'] = [r.exit_code, r.output.decode()]
finally:
    c.remove(force=True)
`;
    const via = await py(gate.socketPath, body);
    expect(via['plain']).toEqual([6, expect.stringMatching(/^(hi\nerr\n|err\nhi\n)$/) as unknown]);
    expect(via['demux']).toEqual(['o\n', 'e\n']);
    expect(via['stream']).toBe('s1\ns2\ns3\n');
    expect(via['streamChunks']).toBeGreaterThanOrEqual(3);
    expect((via['tty'] as [number, string])[0]).toBe(0);
    expect((via['tty'] as [number, string])[1]).toMatch(/^\/dev\/pts\/\d+\r\n$/);
    const dir = await py(engine, body);
    expect({ ...via, plain: null }).toEqual({ ...dir, plain: null });
  }, 60_000);

  it('api.attach_socket: stdin in, output back, end of stdin ends the container', async () => {
    const body = `
api = client.api
c = api.create_container(IMAGE, ['sh', '-c', 'cat; echo done-$((6*7))'], name=PREFIX + '-attach', labels=LABELS, stdin_open=True)
cid = c['Id']
try:
    sock = api.attach_socket(cid, params={'stdin': 1, 'stdout': 1, 'stderr': 1, 'stream': 1})
    raw = sock._sock
    api.start(cid)
    raw.sendall(b'hello-attach\\n')
    time.sleep(0.5)
    raw.shutdown(1)  # SHUT_WR: the container's cat sees EOF
    data = b''
    raw.settimeout(15)
    while True:
        chunk = raw.recv(65536)
        if not chunk:
            break
        data += chunk
    # no TTY: a multiplexed stream of 8-byte frame headers
    frames = []
    i = 0
    while i + 8 <= len(data):
        kind, size = data[i], int.from_bytes(data[i+4:i+8], 'big')
        frames.append([kind, data[i+8:i+8+size].decode()])
        i += 8 + size
    out['frames'] = frames
    out['rest'] = len(data) - i
    out['exit'] = api.wait(cid, timeout=15)['StatusCode']
finally:
    api.remove_container(cid, force=True)
`;
    const via = await py(gate.socketPath, body);
    const text = (v: Record<string, unknown>): string => (v['frames'] as [number, string][]).map(([k, s]) => `${k}:${s}`).join('');
    expect(text(via)).toBe('1:hello-attach\n1:done-42\n');
    expect(via['rest']).toBe(0);
    expect(via['exit']).toBe(0);
    const dir = await py(engine, body);
    expect(text(dir)).toBe(text(via));
  }, 60_000);

  it('attach over a WebSocket (/attach/ws, websocket-client on the same socket)', async () => {
    const body = `
import socket, websocket
api = client.api
cid = api.create_container(IMAGE, ['sh', '-c', 'read line; echo got-$line; sleep 0.5'], name=PREFIX + '-ws', labels=LABELS, stdin_open=True)['Id']
try:
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    ws = websocket.create_connection('ws://docker/v1.41/containers/%s/attach/ws?stream=1&stdout=1&stdin=1' % cid, socket=s, timeout=10)
    api.start(cid)
    ws.send('hello-ws\\n')
    got = b''
    start = time.time()
    while b'got-' not in got and time.time() - start < 10:
        got += ws.recv()
    out['got'] = got.decode()
    ws.close()
finally:
    api.remove_container(cid, force=True)
`;
    const via = await py(gate.socketPath, body);
    expect(via['got']).toBe('got-hello-ws\n');
    expect(await py(engine, body)).toEqual(via);
  }, 60_000);

  it('logs(stream=True, follow=True) ends when the container exits', async () => {
    const body = `
c = client.containers.run(IMAGE, ['sh', '-c', 'for i in 1 2 3 4; do echo l$i; sleep 0.3; done'], name=PREFIX + '-logs', labels=LABELS, detach=True)
try:
    start = time.time()
    out['logs'] = b''.join(c.logs(stream=True, follow=True)).decode()
    out['seconds'] = time.time() - start
    out['status'] = c.wait(timeout=15)['StatusCode']
finally:
    c.remove(force=True)
`;
    const via = await py(gate.socketPath, body);
    expect(via['logs']).toBe('l1\nl2\nl3\nl4\n');
    expect(via['status']).toBe(0);
    expect(via['seconds']).toBeLessThan(10);
  }, 60_000);

  it('stats(stream=True) keeps streaming samples', async () => {
    const body = `
c = client.containers.run(IMAGE, ['sleep', '600'], name=PREFIX + '-stats', labels=LABELS, detach=True)
try:
    start = time.time()
    samples = []
    for s in c.stats(stream=True, decode=True):
        samples.append(s)
        if len(samples) == 3:
            break
    out['count'] = len(samples)
    out['seconds'] = time.time() - start
    out['names'] = sorted(set(s['name'] for s in samples))
finally:
    c.remove(force=True)
`;
    const via = await py(gate.socketPath, body);
    expect(via['count']).toBe(3);
    expect(via['names']).toEqual([`/${P}-py-v-stats`]);
    expect(via['seconds']).toBeLessThan(10);
  }, 60_000);

  it('a kept-alive connection reused after a pause of about 6 s still works (the engine never closes idle connections)', async () => {
    // 100 clients, each on its own connection: ping, then twice pause 5.985 to 6.015 s and ping
    // again. On the engine's socket every ping succeeds; a proxy that closes idle connections
    // at about that moment resets the requests that arrive as it closes.
    const body = `
failures = []
def one(i):
    c = docker.DockerClient(base_url='unix://' + sys.argv[1], version='1.41', timeout=25)
    c.ping()
    for r in range(2):
        pause = 5.985 + 0.0003 * i
        time.sleep(pause)
        try:
            c.ping()
        except Exception as e:
            failures.append('after %.4f s idle: %s: %s' % (pause, type(e).__name__, str(e)[:100]))
threads = [threading.Thread(target=one, args=(i,)) for i in range(100)]
for t in threads: t.start()
for t in threads: t.join()
out['failures'] = sorted(failures)
`;
    const [via, dir] = await Promise.all([py(gate.socketPath, body), py(engine, body)]);
    expect(dir['failures']).toEqual([]);
    expect(via['failures']).toEqual([]);
  }, 40_000);

  it('events(decode=True) receives an event', async () => {
    const body = `
name = PREFIX + '-ev'
def later():
    time.sleep(1)
    client.containers.create(IMAGE, ['true'], name=name, labels=LABELS)
ev = client.events(decode=True, filters={'container': name})
threading.Thread(target=later, daemon=True).start()
for e in ev:
    out['event'] = {'Type': e['Type'], 'Action': e['Action'], 'name': e['Actor']['Attributes'].get('name')}
    break
ev.close()
client.containers.get(name).remove(force=True)
`;
    const via = await py(gate.socketPath, body);
    expect(via['event']).toEqual({ Type: 'container', Action: 'create', name: `${P}-py-v-ev` });
  }, 60_000);

  it('put_archive / get_archive', async () => {
    const body = `
c = client.containers.run(IMAGE, ['sleep', '600'], name=PREFIX + '-arch', labels=LABELS, detach=True)
try:
    buf = io.BytesIO()
    payload = bytes((i * 31) & 255 for i in range(200000))
    with tarfile.open(fileobj=buf, mode='w') as t:
        for name, data in [('a.txt', b'archive-in\\n'), ('dir/blob.bin', payload)]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    out['put'] = c.put_archive('/tmp', buf.getvalue())
    out['cat'] = c.exec_run(['cat', '/tmp/a.txt']).output.decode()
    stream, stat = c.get_archive('/tmp/dir')
    got = io.BytesIO(b''.join(stream))
    with tarfile.open(fileobj=got) as t:
        out['names'] = sorted(t.getnames())
        out['blobOk'] = t.extractfile('dir/blob.bin').read() == payload
    out['stat'] = {'name': stat['name'], 'isDir': (stat['mode'] & (1 << 31)) != 0}
    try:
        c.get_archive('/nonexistent')
        out['missing'] = None
    except docker.errors.NotFound as e:
        out['missing'] = e.status_code
finally:
    c.remove(force=True)
`;
    const via = await py(gate.socketPath, body);
    expect(via).toEqual({ put: true, cat: 'archive-in\n', names: ['dir', 'dir/blob.bin'], blobOk: true, stat: { name: 'dir', isDir: true }, missing: 404 });
  }, 60_000);

  it('images.build with a small context', async () => {
    const body = `
import os, tempfile
d = tempfile.mkdtemp()
with open(os.path.join(d, 'Dockerfile'), 'w') as f:
    f.write('FROM ' + IMAGE + '\\nCOPY msg.txt /msg.txt\\nRUN cat /msg.txt\\nCMD ["cat", "/msg.txt"]\\n')
with open(os.path.join(d, 'msg.txt'), 'w') as f:
    f.write('from-docker-py\\n')
image, logs = client.images.build(path=d, tag=PREFIX + '-pybuilt:1', rm=True, labels=LABELS)
out['streams'] = ''.join(l.get('stream', '') for l in logs)
out['tags'] = image.tags
out['run'] = client.containers.run(image.id, labels=LABELS, remove=True).decode()
`;
    const via = await py(gate.socketPath, body, 120_000);
    expect(via['tags']).toEqual([`${P}-py-v-pybuilt:1`]);
    expect(via['streams']).toContain('from-docker-py');
    expect(via['streams']).toContain('Successfully built');
    expect(via['run']).toBe('from-docker-py\n');
  }, 150_000);
});

describe('sockgate itself', () => {
  it('allowed every request of this file and reported nothing wrong (no denial, malformed request or upstream error)', () => {
    const decisions = gate.records.filter((r) => r['kind'] === 'audit' && r['effect'] !== undefined);
    expect(decisions.length).toBeGreaterThan(100);
    expect(decisions.filter((r) => r['effect'] !== 'allow')).toEqual([]);
    const errors = gate.records.filter((r) => r['kind'] === 'audit' && typeof r['status'] === 'number' && r['status'] >= 500);
    expect(errors).toEqual([]);
    // sockgate's own warnings: a client hanging up after its answer is not a malformed request
    const warnings = gate.records.flatMap((r, i) => {
      if (typeof r['level'] !== 'number' || r['level'] < 40) return [];
      // name the request whose response had just completed, to say which client call it was
      const done = gate.records.slice(0, i).findLast((x) => x['msg'] === 'request completed');
      const req = gate.records.find((x) => x['reqId'] === done?.['reqId'] && x['method'] !== undefined);
      return [{ msg: r['msg'], code: r['code'], err: (r['err'] as { code?: string } | undefined)?.code, justCompleted: req ? `${String(req['method'])} ${String(req['path'])} -> ${String(done?.['status'])}` : null }];
    });
    expect(warnings).toEqual([]);
  });
});
