/**
 * Real Node.js Docker clients through sockgate against the real engine: dockerode (run, exec with
 * stdin, logs --follow, a BuildKit build with its session, events, a denial) and
 * testcontainers-node (start with a log wait strategy, exec, logs, stop), under an allow-all
 * policy and under the ci-runner preset (policies/ci-runner.yaml: ownership mode). Where the
 * answer is deterministic the same call is also made on the engine's own socket and the two are
 * compared.
 *
 * The e2e engines run without a default bridge (scripts/engine.sh: --bridge=none), so BuildKit
 * builds are asked for networkmode "none": on the default network their RUN steps fail on the
 * engine itself ("network bridge not found"), sockgate or not.
 *
 * testcontainers keeps its Docker client (and the DOCKER_HOST it read) per process, with no API
 * to reset it: each profile runs its testcontainers session in a process of its own
 * (test/helpers/testcontainers-session.ts) with DOCKER_HOST set to that profile's socket.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_ALL_POLICY, engineSocket, REPO_ROOT, type SockgateProcess, startSockgateWithPolicy, TEST_IMAGE } from '../helpers/engine.js';
import { callsSince, type EngineCall, logMark } from '../helpers/engine-log.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';
import type { SessionReport } from '../helpers/testcontainers-session.js';

const tag = `${process.pid}`;
/** Every container and image this file makes is named with this prefix and carries LABELS. */
const P = `sg-nc-${tag}`;
const LABEL_KEY = 'sockgate.e2e.node-clients';
const LABELS = { [LABEL_KEY]: tag };
const BUILD_TAG = 'sg-dockerode-build';

const PROFILES = [
  { slug: 'allow-all', policy: ALLOW_ALL_POLICY, preset: false },
  { slug: 'ci-runner', policy: readFileSync(join(REPO_ROOT, 'policies/ci-runner.yaml'), 'utf8'), preset: true },
] as const;

let engine: Docker;
const tmp = tempDir('sg-nc-');

beforeAll(() => {
  engine = new Docker({ socketPath: engineSocket() });
});
afterAll(async () => {
  if (!(engine as Docker | undefined)) return;
  const left = await engine.listContainers({ all: true, filters: { label: [`${LABEL_KEY}=${tag}`] } });
  await Promise.all(left.map((c) => engine.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  for (const ref of [BUILD_TAG, `${BUILD_TAG}:classic-${tag}`, `${BUILD_TAG}:direct-${tag}`]) await engine.getImage(ref).remove({ force: true }).catch(() => undefined);
  tmp.cleanup();
});

// ── small tools ──────────────────────────────────────────────────────────────────────────────

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A sink that keeps what is written to it. */
function collector(): { sink: PassThrough; text: () => string } {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (d: Buffer | string) => chunks.push(Buffer.from(d)));
  return { sink, text: () => Buffer.concat(chunks).toString() };
}

/** The ending of a stream: 'end' or 'close', whichever comes first; rejects on 'error'. */
function ended(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', reject);
  });
}

interface ClientError {
  readonly statusCode: number | undefined;
  readonly message: string;
}

function clientError(err: unknown): ClientError {
  const e = err as { statusCode?: unknown; message?: unknown };
  return { statusCode: typeof e.statusCode === 'number' ? e.statusCode : undefined, message: String(e.message ?? err) };
}

/** The engine's status for inspecting a container (200, or the error's status such as 404). */
async function engineContainerStatus(id: string): Promise<number | undefined> {
  return engine
    .getContainer(id)
    .inspect()
    .then(
      () => 200,
      (e: unknown) => clientError(e).statusCode,
    );
}

// ── dockerode operations, each run the same way on sockgate's socket and the engine's ────────

async function runEcho(d: Docker): Promise<{ output: string; statusCode: number; removed: number | undefined }> {
  const out = collector();
  const done = ended(out.sink);
  const [result, container] = (await d.run(TEST_IMAGE, ['sh', '-c', 'echo hi'], out.sink, { Labels: LABELS })) as [{ StatusCode: number }, Docker.Container];
  await within(done, 10_000, 'docker.run output stream');
  await container.remove();
  return { output: out.text(), statusCode: result.StatusCode, removed: await engineContainerStatus(container.id) };
}

async function execCatWithStdin(d: Docker): Promise<{ output: string; exitCode: number | null; running: boolean }> {
  const container = await d.createContainer({ Image: TEST_IMAGE, Cmd: ['sleep', '300'], Labels: LABELS });
  try {
    await container.start();
    const exec = await container.exec({ Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: true });
    const out = collector();
    d.modem.demuxStream(stream, out.sink, out.sink);
    const done = ended(stream);
    stream.write('ping\n');
    stream.end();
    await within(done, 10_000, 'exec output stream after stdin was closed');
    let info = await exec.inspect();
    for (let i = 0; i < 50 && info.Running; i++) {
      await new Promise((r) => setTimeout(r, 100));
      info = await exec.inspect();
    }
    return { output: out.text(), exitCode: info.ExitCode, running: info.Running };
  } finally {
    await container.remove({ force: true });
  }
}

/**
 * `logs --follow` of a running container: two lines, then it waits for a file that the test
 * creates (through the engine's socket) once both lines have arrived, prints a third and exits.
 */
async function followLogs(d: Docker): Promise<{ beforeExit: string; all: string; endedAfterExit: boolean; direct: string }> {
  const script = 'echo line1; echo line2; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo line3';
  const container = await d.createContainer({ Image: TEST_IMAGE, Cmd: ['sh', '-c', script], Labels: LABELS });
  try {
    await container.start();
    const stream = await container.logs({ follow: true, stdout: true });
    const out = collector();
    d.modem.demuxStream(stream, out.sink, out.sink);
    let streamEnded = false;
    const done = ended(stream).then(() => (streamEnded = true));
    await waitUntil(() => out.text().includes('line2\n') || streamEnded, 10_000, 'the first two log lines');
    const beforeExit = out.text();
    const go = await engine.getContainer(container.id).exec({ Cmd: ['touch', '/tmp/go'] });
    await go.start({ Detach: true });
    await within(done, 10_000, 'the followed log stream to end when the container exits');
    const state = await engine.getContainer(container.id).inspect();
    const direct = await engine.getContainer(container.id).logs({ stdout: true, follow: false });
    return { beforeExit, all: out.text(), endedAfterExit: !state.State.Running, direct: demuxBuffer(direct) };
  } finally {
    await container.remove({ force: true });
  }
}

/** Demultiplex a non-tty log answer (8-byte frame headers). */
function demuxBuffer(buf: Buffer): string {
  let text = '';
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    text += buf.subarray(i + 8, i + 8 + size).toString();
    i += 8 + size;
  }
  return text;
}

interface BuildResult {
  readonly output: Record<string, unknown>[];
  readonly error?: ClientError;
}

/**
 * A build context as a tar stream: a Dockerfile FROM the test image whose RUN step writes
 * `marker`. The tar is made first and streamed from memory: a child process's unread stdout is
 * drained by Node when the child exits, which would lose it while dockerode opens its session.
 */
function contextTar(marker: string): Readable {
  const dir = mkdtempSync(join(tmp.dir, 'ctx-'));
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN echo ${marker} > /built\n`);
  return Readable.from([execFileSync('tar', ['-c', '-C', dir, 'Dockerfile'])]);
}

async function build(d: Docker, t: string, marker: string, version: '1' | '2'): Promise<BuildResult> {
  try {
    const stream = await d.buildImage(contextTar(marker), { t, version, networkmode: 'none', labels: LABELS });
    const output = await within(
      new Promise<Record<string, unknown>[]>((resolve, reject) => d.modem.followProgress(stream, (err: Error | null, out: Record<string, unknown>[]) => (err ? reject(err) : resolve(out)))),
      60_000,
      'the build output',
    );
    const failed = output.find((o) => o['error'] !== undefined);
    return failed === undefined ? { output } : { output, error: { statusCode: undefined, message: JSON.stringify(failed) } };
  } catch (err) {
    return { output: [], error: clientError(err) };
  }
}

/** Run the built image and print /built (on the engine's socket; a tty, so lines end in CRLF). */
async function builtMarker(t: string): Promise<string> {
  const out = collector();
  const done = ended(out.sink);
  const [, container] = (await engine.run(t, ['cat', '/built'], out.sink, { Labels: LABELS })) as [unknown, Docker.Container];
  await within(done, 10_000, 'output of the built image');
  await container.remove();
  return out.text().replace(/\r\n/g, '\n');
}

async function imageStatus(ref: string): Promise<number | undefined> {
  return engine
    .getImage(ref)
    .inspect()
    .then(
      () => 200,
      (e: unknown) => clientError(e).statusCode,
    );
}

/** Run one testcontainers session in its own process against `socketPath`. */
function testcontainersSession(socketPath: string, name?: string): Promise<SessionReport & { stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DOCKER_') && !k.startsWith('TESTCONTAINERS_')) env[k] = v;
  const home = mkdtempSync(join(tmp.dir, 'home-'));
  Object.assign(env, {
    DOCKER_HOST: `unix://${socketPath}`,
    TESTCONTAINERS_RYUK_DISABLED: 'true',
    // This machine may itself be a container (/.dockerenv): testcontainers would then look up the
    // gateway of the engine's "bridge" network, which the e2e engines do not have.
    TESTCONTAINERS_HOST_OVERRIDE: 'localhost',
    // no ~/.testcontainers.properties or ~/.docker of the developer's
    HOME: home,
  });
  const spec = JSON.stringify({ image: TEST_IMAGE, ...(name !== undefined ? { name } : {}), labels: LABELS });
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'test/helpers/testcontainers-session.ts'), spec],
      { cwd: REPO_ROOT, env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve({ ...(JSON.parse(line) as SessionReport), stderr });
        } catch {
          resolve({ failedStep: 'process', error: { message: `no report (${err?.message ?? 'exit 0'}): ${stdout}` }, stderr });
        }
      },
    );
  });
}

type AuditRecord = Record<string, unknown>;
const decisions = (gate: SockgateProcess): AuditRecord[] => gate.records.filter((r) => r['kind'] === 'audit' && r['method'] !== undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
const brief = (r: AuditRecord): string => `${str(r['method'])} ${str(r['path'])} → ${str(r['endpoint'])} ${str(r['effect'])}${r['code'] ? ` ${str(r['code'])}: ${str(r['reason'])}` : ''}`;

// ── the tests, once per profile ──────────────────────────────────────────────────────────────

for (const profile of PROFILES) {
  describe(`dockerode through sockgate under ${profile.slug}`, () => {
    let gate: SockgateProcess;
    let d: Docker;
    const name = (what: string): string => `${P}-${profile.slug}-${what}`;

    beforeAll(async () => {
      gate = await startSockgateWithPolicy(profile.policy);
      d = new Docker({ socketPath: gate.socketPath });
    });
    afterAll(async () => {
      await gate?.stop();
    });

    it('docker.run streams the command output and exits 0, and the container is removed after, as on the engine socket', async () => {
      const via = await runEcho(d);
      const direct = await runEcho(engine);
      expect(via.output).toContain('hi');
      expect(via).toEqual(direct);
      expect(via).toEqual({ output: direct.output, statusCode: 0, removed: 404 });
    });

    it('createContainer with a name creates the container under that name, as on the engine socket (dockerode sends the name in the query and again in the body, where the engine ignores it)', async () => {
      const create = async (client: Docker, n: string): Promise<string> => {
        const c = await client.createContainer({ Image: TEST_IMAGE, Cmd: ['true'], name: n, Labels: LABELS });
        const info = await engine.getContainer(c.id).inspect();
        await engine.getContainer(c.id).remove({ force: true });
        return info.Name;
      };
      expect(await create(engine, name('named-direct'))).toBe(`/${name('named-direct')}`);
      const via = await create(d, name('named')).catch((e: unknown) => clientError(e));
      expect(via).toBe(`/${name('named')}`);
    });

    it('exec of cat with stdin over a hijacked connection reads back what was written and exits 0, as on the engine socket', async () => {
      const via = await execCatWithStdin(d);
      const direct = await execCatWithStdin(engine);
      expect(via).toEqual({ output: 'ping\n', exitCode: 0, running: false });
      expect(via).toEqual(direct);
    });

    it('logs with follow deliver lines while the container runs, and the stream ends when it exits', async () => {
      const r = await followLogs(d);
      expect(r.beforeExit).toBe('line1\nline2\n');
      expect(r.all).toBe('line1\nline2\nline3\n');
      expect(r.endedAfterExit).toBe(true);
      expect(r.all).toBe(r.direct);
    });

    it('events filtered to containers deliver the start of a container the test started', async () => {
      const events = (await d.getEvents({ filters: { type: ['container'] } })) as Readable;
      const seen: Record<string, unknown>[] = [];
      let buf = '';
      events.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) !== -1) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) seen.push(JSON.parse(line) as Record<string, unknown>);
        }
      });
      try {
        const c = await d.createContainer({ Image: TEST_IMAGE, Cmd: ['true'], Labels: LABELS });
        await c.start();
        await waitUntil(() => seen.some((e) => e['Action'] === 'start' && (e['Actor'] as { ID?: unknown } | undefined)?.ID === c.id), 10_000, `a start event for ${c.id}`);
        expect(seen.every((e) => e['Type'] === 'container')).toBe(true);
        await c.remove({ force: true });
      } finally {
        events.destroy();
      }
    });

    if (!profile.preset) {
      it('a BuildKit build (version 2, its session over POST /session with Upgrade: h2c) succeeds and tags the image, as on the engine socket', async () => {
        const direct = await build(engine, `${BUILD_TAG}:direct-${tag}`, 'built-directly', '2');
        expect(direct.error, 'the same BuildKit build on the engine socket').toBeUndefined();

        await engine.getImage(BUILD_TAG).remove({ force: true }).catch(() => undefined);
        const mark = logMark();
        const via = await build(d, BUILD_TAG, 'built-via-sockgate', '2');
        expect(via.error, `BuildKit build through sockgate; sockgate's decisions: ${decisions(gate).filter((r) => r['endpoint'] === 'session' || r['endpoint'] === 'images.build').map(brief).join('; ')}`).toBeUndefined();
        const image = await engine.getImage(BUILD_TAG).inspect();
        // the engine reports the built image (moby.image.id) in the build output
        expect(JSON.stringify(via.output)).toContain(image.Id);
        expect(await builtMarker(BUILD_TAG)).toBe('built-via-sockgate\n');

        // it was a BuildKit build: a session was opened and the build named it
        const calls = callsSince(mark);
        const session = calls.find((c) => c.method === 'POST' && /^(\/v[\d.]+)?\/session$/.test(c.uri));
        expect(session?.headers['upgrade']).toBe('h2c');
        const buildCall = calls.find((c) => c.method === 'POST' && /^(\/v[\d.]+)?\/build\?/.test(c.uri));
        const q = new URLSearchParams(buildCall?.uri.split('?')[1] ?? '');
        expect(q.get('version')).toBe('2');
        expect(q.get('session')).toBe(session?.headers['x-docker-expose-session-uuid']);
      });
    } else {
      it('a BuildKit build is refused at POST /session with 403 and sockgate\'s reason (the preset allows only the classic builder), and no image is made', async () => {
        await engine.getImage(BUILD_TAG).remove({ force: true }).catch(() => undefined);
        const r = await build(d, BUILD_TAG, 'built-via-sockgate', '2');
        expect(r.error?.statusCode, r.error?.message).toBe(403);
        expect(r.error?.message).toContain('sockgate: no rule matched POST /session');
        expect(await imageStatus(BUILD_TAG)).toBe(404);
        // the record reaches the test through sockgate's stdout, maybe after the answer
        await waitUntil(() => decisions(gate).some((x) => x['endpoint'] === 'session'), 3000, 'the audit record of POST /session');
        const denial = decisions(gate).find((x) => x['endpoint'] === 'session');
        expect(denial).toMatchObject({ effect: 'deny', code: 'SOCKGATE_DENY_POLICY', upgrade: true });
      });

      it('the classic build (version 1) of the same Dockerfile succeeds and tags the image', async () => {
        const t = `${BUILD_TAG}:classic-${tag}`;
        const r = await build(d, t, 'built-classic', '1');
        expect(r.error).toBeUndefined();
        expect(await builtMarker(t)).toBe('built-classic\n');
      });

      it('a privileged create is refused: dockerode\'s error has statusCode 403 and sockgate\'s reason, and nothing is created', async () => {
        const before = gate.records.length;
        const err = await d
          .createContainer({ Image: TEST_IMAGE, Cmd: ['true'], Labels: { ...LABELS, [`${LABEL_KEY}.case`]: 'privileged' }, HostConfig: { Privileged: true } })
          .then(
            () => null,
            (e: unknown) => clientError(e),
          );
        expect(err?.statusCode).toBe(403);
        expect(err?.message).toContain('sockgate: denied by rule deny-privileged');
        expect(await engine.listContainers({ all: true, filters: { label: [`${LABEL_KEY}.case=privileged`] } })).toEqual([]);
        const denial = gate.records.slice(before).find((x) => x['endpoint'] === 'containers.create' && x['method'] !== undefined);
        expect(denial).toMatchObject({ rule: 'deny-privileged', code: 'SOCKGATE_DENY_POLICY', bodyPointer: '/HostConfig/Privileged' });
      });
    }

    it('every dockerode request was routed to a known endpoint and, but for the refusals above, allowed', () => {
      const records = decisions(gate);
      expect(records.length).toBeGreaterThan(0);
      expect(records.filter((r) => r['endpoint'] === 'unknown').map(brief)).toEqual([]);
      // the preset's refusals tested above: the BuildKit session and the privileged create
      const expected = (r: AuditRecord): boolean =>
        profile.preset && ((r['endpoint'] === 'session' && r['code'] === 'SOCKGATE_DENY_POLICY') || r['rule'] === 'deny-privileged');
      expect(records.filter((r) => r['effect'] !== 'allow' && !expected(r)).map(brief)).toEqual([]);
      // and no answer was a sockgate-made error: every completed request the engine answered itself
      const completions = gate.records.filter((r) => r['msg'] === 'request completed' && r['effect'] === 'allow');
      expect(completions.filter((r) => r['engineStatus'] === null || Number(r['status']) >= 500).map((r) => `${String(r['endpoint'])} ${String(r['status'])}`)).toEqual([]);
    });
  });

  describe(`testcontainers-node through sockgate under ${profile.slug}`, () => {
    let gate: SockgateProcess;
    /** a session with no container name, and one that names its container (withName) */
    let plain: SessionReport & { stderr: string };
    let named: SessionReport & { stderr: string };
    let plainRecords: AuditRecord[];
    let plainCalls: EngineCall[];
    const containerName = `${P}-${profile.slug}-tc`;

    beforeAll(async () => {
      gate = await startSockgateWithPolicy(profile.policy);
      const mark = logMark();
      plain = await testcontainersSession(gate.socketPath);
      plainRecords = decisions(gate);
      plainCalls = callsSince(mark);
      named = await testcontainersSession(gate.socketPath, containerName);
    });
    afterAll(async () => {
      await gate?.stop();
    });

    const failure = (report: SessionReport & { stderr: string }, records: AuditRecord[]): string => {
      const denials = records.filter((r) => r['effect'] !== 'allow').map(brief);
      return `testcontainers failed at ${report.failedStep}; sockgate denied: ${denials.join('; ') || 'nothing'}\n${report.error?.stack ?? ''}\n${report.stderr}`;
    };

    it('GenericContainer starts once the log says "ready", exec echo x gives x and exit 0, logs() streams, stop() removes it', async () => {
      expect(plain.error, failure(plain, plainRecords)).toBeUndefined();
      expect(plain.exec).toMatchObject({ output: 'x\n', exitCode: 0 });
      expect(plain.logs).toContain('ready');
      expect(plain.stopped).toBe(true);
      expect(await engineContainerStatus(plain.id ?? 'none')).toBe(404);
    });

    it('a GenericContainer withName starts under that name, execs and stops the same way', async () => {
      expect(named.error, failure(named, decisions(gate).slice(plainRecords.length))).toBeUndefined();
      expect(named.name).toBe(`/${containerName}`);
      expect(named.exec).toMatchObject({ output: 'x\n', exitCode: 0 });
      expect(named.stopped).toBe(true);
      expect(await engineContainerStatus(containerName)).toBe(404);
    });

    it('testcontainers made only allowed requests, pulled nothing, and the create reached the engine with its labels (and the owner label when the profile owns)', () => {
      const records = plainRecords.filter((r) => str(r['userAgent']).startsWith('tc-node/'));
      const endpoints = new Set(records.map((r) => str(r['endpoint'])));
      expect(records.filter((r) => r['effect'] !== 'allow').map(brief)).toEqual([]);
      expect(endpoints.has('images.create')).toBe(false);
      for (const e of ['system.info', 'images.inspect', 'containers.create', 'containers.start', 'containers.logs', 'exec.create', 'exec.start', 'exec.inspect', 'containers.stop', 'containers.delete']) {
        expect(endpoints, `testcontainers should have called ${e}; it called ${[...endpoints].join(', ')}`).toContain(e);
      }
      const creates = plainCalls.filter((c) => c.method === 'POST' && /^(\/v[\d.]+)?\/containers\/create(\?|$)/.test(c.uri));
      expect(creates).toHaveLength(1);
      const labels = (JSON.parse(creates[0]!.body.toString()) as { Labels?: Record<string, string> }).Labels ?? {};
      expect(labels[LABEL_KEY]).toBe(tag);
      expect(labels['org.testcontainers']).toBe('true');
      expect(labels['io.sockgate.owner']).toBe(profile.preset ? 'ci-runner' : undefined);
    });
  });
}
