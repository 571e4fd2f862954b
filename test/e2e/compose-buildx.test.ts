/**
 * The docker CLI plugins docker compose v2 and docker buildx (Debian sid's, unpacked by
 * scripts/modern-engine.sh; SOCKGATE_E2E_CLI_PLUGINS names their directory, helpers/cli-plugins.ts)
 * through sockgate against the real engine, under an allow-all policy and under the ci-runner
 * preset (policies/ci-runner.yaml: untrusted-create in ownership mode).
 *
 * Networking. The e2e engines run with --bridge=none --iptables=false (scripts/engine.sh), which
 * removes only the engine's default `bridge` network: user-defined bridge networks still work on
 * both 20.10 and 28.5 (checked on both: compose's `<project>_default`, driver bridge, is created,
 * containers start on it, `down` removes it). So the compose project keeps compose's default
 * project network, exactly as a CI job's compose file would: that is the path where ownership
 * has work to do (the network create is labelled, `down` must find and remove it). The one place
 * that needs `none` is a BuildKit RUN step, which uses the engine's default network and fails on
 * the engine itself without it ("network bridge not found", on 20.10 and 28): builds pass
 * `--network none`.
 *
 * BuildKit. buildx's default builder on a docker endpoint uses the `docker` driver (the engine's
 * own BuildKit) when a probe of POST /grpc (Upgrade: h2c) succeeds; the build then runs over
 * /grpc and /session, never over POST /build (the same on 20.10 and 28). ci-runner allows only the
 * classic builder (images.build): no rule allows `grpc` or `session`, whose gRPC payload
 * (network mode, entitlements) sockgate cannot read. buildx does not print the 403 of its probe:
 * it silently picks the `docker-container` driver instead, pulls moby/buildkit:buildx-stable-1
 * (images.create, allowed; offline the engine fails it and buildx falls back to a local image of
 * that name) and creates a privileged buildkitd container, which ci-runner refuses. That refusal is
 * the one a CI job sees, with sockgate's reason. To reach it without a registry the test gives the
 * engine a local image of that name (a tag of the test image, removed after) when it has none.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCli, pluginConfig, type PluginConfig } from '../helpers/cli-plugins.js';
import { ALLOW_ALL_POLICY, type CommandResult, docker, engineSocket, REPO_ROOT, type SockgateProcess, startSockgateWithPolicy, TEST_IMAGE } from '../helpers/engine.js';
import { callsSince, logMark } from '../helpers/engine-log.js';
import { tempDir } from '../helpers/temp.js';

const tag = `${process.pid}`;
/** Every compose project, image and directory this file makes is named with this prefix. */
const P = `sg-cb-${tag}`;
/** In every command's output and in the built image, so nothing can come from an earlier run (or the build cache). */
const TOKEN = `tok-${tag}-${Date.now().toString(36)}`;
const OWNER_LABEL = 'io.sockgate.owner';
const PROJECT_LABEL = 'com.docker.compose.project';
/** What buildx's docker-container driver runs (buildx 0.29: driver/bkimage DefaultImage) and the names it gives its builder. */
const BUILDKIT_IMAGE = 'moby/buildkit:buildx-stable-1';
const BUILDKIT_CONTAINER = 'buildx_buildkit_default';
const BUILDKIT_VOLUME = 'buildx_buildkit_default_state';

const PROFILES = [
  { slug: 'allow-all', policy: ALLOW_ALL_POLICY, owner: null },
  { slug: 'ci-runner', policy: readFileSync(join(REPO_ROOT, 'policies/ci-runner.yaml'), 'utf8'), owner: 'ci-runner' },
] as const;

let engine: string;
/** One temp directory for the file's compose projects and build contexts, made on first use. */
let work: { dir: string; cleanup: () => void } | undefined;
const workDir = (sub: string): string => {
  const dir = join((work ??= tempDir('sg-cb-')).dir, sub);
  mkdirSync(dir, { recursive: true });
  return dir;
};

afterAll(() => work?.cleanup());

beforeAll(async () => {
  engine = engineSocket();
  const v = await docker(engine, ['version', '--format', '{{.Server.APIVersion}}']);
  if (v.code !== 0) throw new Error(`the e2e engine at ${engine} does not answer: ${v.stderr}`);
  // Fails (never skips) without SOCKGATE_E2E_CLI_PLUGINS or either binary; then checks the CLI runs them.
  const cfg = pluginConfig();
  try {
    const compose = await dockerCli(cfg, engine, ['compose', 'version']);
    if (compose.code !== 0 || !/Docker Compose version v?2\./.test(compose.stdout)) {
      throw new Error(`\`docker compose version\` with the plugins of SOCKGATE_E2E_CLI_PLUGINS does not run compose v2 (${compose.code}): ${compose.stdout}${compose.stderr}`);
    }
    const buildx = await dockerCli(cfg, engine, ['buildx', 'version']);
    if (buildx.code !== 0 || !buildx.stdout.includes('github.com/docker/buildx')) {
      throw new Error(`\`docker buildx version\` with the plugins of SOCKGATE_E2E_CLI_PLUGINS does not run buildx (${buildx.code}): ${buildx.stdout}${buildx.stderr}`);
    }
  } finally {
    cfg.cleanup();
  }
});

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

type AuditRecord = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
/** Decision records (one per request), from `from` on. */
const decisions = (gate: SockgateProcess, from = 0): AuditRecord[] =>
  gate.records.slice(from).filter((r) => r['kind'] === 'audit' && (r['msg'] === 'request allowed' || r['msg'] === 'request denied'));
const completion = (gate: SockgateProcess, decision: AuditRecord): AuditRecord | undefined =>
  gate.records.find((r) => r['msg'] === 'request completed' && r['reqId'] === decision['reqId']);
const brief = (r: AuditRecord): string => `${str(r['method'])} ${str(r['path'])} → ${str(r['endpoint'])} ${str(r['effect'])}${r['code'] ? ` ${str(r['code'])}: ${str(r['reason'])}` : ''}`;
const lines = (s: string): string[] => s.split('\n').map((l) => l.trimEnd()).filter(Boolean).sort();
const fail = (r: CommandResult): string => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** `docker` (no plugins needed) on the engine socket; must succeed. */
async function direct(args: readonly string[]): Promise<string> {
  const r = await docker(engine, args);
  expect(r.code, `docker ${args.join(' ')} on the engine: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Whether the engine knows an object (`docker <kind> inspect`), asked on the engine socket. */
async function exists(kind: 'container' | 'volume' | 'network' | 'image', name: string): Promise<boolean> {
  return (await docker(engine, [kind, 'inspect', name])).code === 0;
}

/** A label of an object, as the engine has it ('' when absent). */
async function labelOf(kind: 'container' | 'volume' | 'network', name: string, label: string): Promise<string> {
  const path = kind === 'container' ? '.Config.Labels' : '.Labels';
  return (await direct([kind, 'inspect', '--format', `{{index ${path} ${JSON.stringify(label)}}}`, name])).trim().replace(/^<no value>$/, '');
}

/** Remove, on the engine socket, everything that carries a compose project's label. */
async function sweepProject(project: string): Promise<void> {
  const filter = ['--filter', `label=${PROJECT_LABEL}=${project}`];
  const ids = (await docker(engine, ['ps', '-aq', ...filter])).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await docker(engine, ['rm', '-f', '-v', ...ids]);
  for (const v of (await docker(engine, ['volume', 'ls', '-q', ...filter])).stdout.split('\n').filter(Boolean)) await docker(engine, ['volume', 'rm', '-f', v]);
  for (const n of (await docker(engine, ['network', 'ls', '-q', ...filter])).stdout.split('\n').filter(Boolean)) await docker(engine, ['network', 'rm', n]);
}

/** A compose project (its compose.yaml written on first use), run with the plugin config against a socket. */
function composeProject(name: string, yaml: string, cfg: () => PluginConfig): { run: (socket: string, args: readonly string[], timeoutMs?: number) => Promise<CommandResult>; written: () => boolean } {
  let dir: string | undefined;
  return {
    run: (socket, args, timeoutMs = 60_000) => {
      if (dir === undefined) {
        dir = workDir(name);
        writeFileSync(join(dir, 'compose.yaml'), yaml);
      }
      return dockerCli(cfg(), socket, ['compose', '--ansi', 'never', '-p', name, '-f', join(dir, 'compose.yaml'), ...args], { cwd: dir, timeoutMs });
    },
    written: () => dir !== undefined && existsSync(join(dir, 'compose.yaml')),
  };
}

// The services trap SIGTERM so `down` stops them at once (a shell as PID 1 ignores it otherwise);
// the writer stores a marker in the named volume before it says anything, the reader mounts the
// same volume. pull_policy: never — there is no registry, and the test image is always local.
const projectYaml = (slug: string): string => `services:
  writer:
    image: ${TEST_IMAGE}
    pull_policy: never
    command: ["sh", "-c", "echo stored ${TOKEN}-${slug} > /data/marker; echo writer says ${TOKEN}; trap 'exit 0' TERM; sleep 300 & wait"]
    volumes: ["data:/data"]
  reader:
    image: ${TEST_IMAGE}
    pull_policy: never
    command: ["sh", "-c", "echo reader says ${TOKEN}; trap 'exit 0' TERM; sleep 300 & wait"]
    volumes: ["data:/data:ro"]
volumes:
  data: {}
`;

const privilegedYaml = `services:
  root:
    image: ${TEST_IMAGE}
    pull_policy: never
    privileged: true
    command: ["echo", "privileged ${TOKEN}"]
`;

// ── the tests, once per profile ──────────────────────────────────────────────────────────────

for (const profile of PROFILES) {
  describe(`docker compose v2 through sockgate under ${profile.slug}`, () => {
    const project = `${P}-${profile.slug}`;
    const privProject = `${P}-${profile.slug}-priv`;
    let gate: SockgateProcess;
    let cfg: PluginConfig;
    const proj = composeProject(project, projectYaml(profile.slug), () => cfg);
    const priv = composeProject(privProject, privilegedYaml, () => cfg);
    const compose = (args: readonly string[], timeoutMs?: number): Promise<CommandResult> => proj.run(gate.socketPath, args, timeoutMs);

    beforeAll(async () => {
      cfg = pluginConfig('sg-cb-cfg-');
      gate = await startSockgateWithPolicy(profile.policy);
    });

    afterAll(async () => {
      await gate?.stop();
      if (cfg !== undefined) {
        for (const p of [proj, priv]) if (p.written()) await p.run(engine, ['down', '-v', '--remove-orphans', '--timeout', '1']);
        cfg.cleanup();
      }
      for (const p of [project, privProject]) await sweepProject(p);
    }, 120_000);

    it('up -d creates the project network, the named volume and both containers, and starts them', async () => {
      const mark = gate.records.length;
      const up = await compose(['up', '-d'], 90_000);
      expect(up.code, fail(up)).toBe(0);
      for (const what of [`Network ${project}_default  Created`, `Volume ${project}_data  Created`, `Container ${project}-writer-1  Started`, `Container ${project}-reader-1  Started`]) {
        expect(up.stderr).toContain(what);
      }
      const ps = await direct(['ps', '--filter', `label=${PROJECT_LABEL}=${project}`, '--format', '{{.Names}} {{.State}}']);
      expect(lines(ps)).toEqual([`${project}-reader-1 running`, `${project}-writer-1 running`]);
      expect((await direct(['network', 'inspect', '--format', '{{.Driver}}', `${project}_default`])).trim()).toBe('bridge');
      expect(await exists('volume', `${project}_data`)).toBe(true);
      const allowed = decisions(gate, mark).filter((r) => r['effect'] === 'allow').map((r) => str(r['endpoint']));
      for (const endpoint of ['networks.create', 'volumes.create', 'containers.create', 'containers.start']) expect(allowed).toContain(endpoint);
    }, 120_000);

    it(
      profile.owner !== null
        ? `every object of the project carries ${OWNER_LABEL}=${profile.owner}, written by sockgate: both containers, the network and the volume`
        : `no object of the project carries an ${OWNER_LABEL} label (the profile does not own)`,
      async () => {
        const expected = profile.owner ?? '';
        expect(await labelOf('container', `${project}-writer-1`, OWNER_LABEL)).toBe(expected);
        expect(await labelOf('container', `${project}-reader-1`, OWNER_LABEL)).toBe(expected);
        expect(await labelOf('network', `${project}_default`, OWNER_LABEL)).toBe(expected);
        expect(await labelOf('volume', `${project}_data`, OWNER_LABEL)).toBe(expected);
        // compose's own labels are kept beside it
        expect(await labelOf('container', `${project}-writer-1`, 'com.docker.compose.service')).toBe('writer');
        expect(await labelOf('network', `${project}_default`, PROJECT_LABEL)).toBe(project);
        expect(await labelOf('volume', `${project}_data`, PROJECT_LABEL)).toBe(project);
      },
    );

    it('ps lists both services, running, exactly as compose ps on the engine socket does', async () => {
      const fmt = ['ps', '--format', '{{.Service}} {{.Name}} {{.State}} {{.Image}}'];
      const via = await compose(fmt);
      expect(via.code, fail(via)).toBe(0);
      expect(lines(via.stdout)).toEqual([`reader ${project}-reader-1 running ${TEST_IMAGE}`, `writer ${project}-writer-1 running ${TEST_IMAGE}`]);
      const onEngine = await proj.run(engine, fmt);
      expect(onEngine.code, fail(onEngine)).toBe(0);
      expect(via.stdout).toBe(onEngine.stdout);
      const table = await compose(['ps']);
      expect(table.code, fail(table)).toBe(0);
      expect(table.stdout).toMatch(new RegExp(`^${project}-writer-1 .* writer .* Up `, 'm'));
      expect(table.stdout).toMatch(new RegExp(`^${project}-reader-1 .* reader .* Up `, 'm'));
      const services = await compose(['ps', '--services']);
      expect(lines(services.stdout)).toEqual(['reader', 'writer']);
    });

    it('logs shows what each service printed, as on the engine socket; logs SERVICE only that service\'s', async () => {
      let via: CommandResult = { code: -1, stdout: '', stderr: '' };
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        via = await compose(['logs', '--no-color']);
        if (via.code !== 0 || (via.stdout.includes(`writer says ${TOKEN}`) && via.stdout.includes(`reader says ${TOKEN}`))) break;
      }
      expect(via.code, fail(via)).toBe(0);
      expect(via.stdout).toMatch(new RegExp(`^writer-1 +\\| writer says ${TOKEN}$`, 'm'));
      expect(via.stdout).toMatch(new RegExp(`^reader-1 +\\| reader says ${TOKEN}$`, 'm'));
      const onEngine = await proj.run(engine, ['logs', '--no-color']);
      expect(onEngine.code, fail(onEngine)).toBe(0);
      expect(lines(via.stdout)).toEqual(lines(onEngine.stdout));
      const one = await compose(['logs', '--no-color', 'writer']);
      expect(one.code, fail(one)).toBe(0);
      expect(lines(one.stdout)).toEqual([`writer-1  | writer says ${TOKEN}`]);
    });

    it('exec -T runs a command in a service and prints its output: the reader sees in the named volume what the writer stored', async () => {
      const mark = logMark();
      const cat = await compose(['exec', '-T', 'reader', 'cat', '/data/marker']);
      expect(cat.code, fail(cat)).toBe(0);
      expect(cat.stdout).toBe(`stored ${TOKEN}-${profile.slug}\n`);
      // it went through the engine's exec API, by way of sockgate
      const uris = callsSince(mark).map((c) => `${c.method} ${c.uri}`);
      expect(uris.some((u) => /^POST (\/v[\d.]+)?\/containers\/[^/]+\/exec$/.test(u)), uris.join('\n')).toBe(true);
      expect(uris.some((u) => /^POST (\/v[\d.]+)?\/exec\/[0-9a-f]+\/start$/.test(u))).toBe(true);
    });

    it('exec -T passes on the command\'s stdout, stderr and exit code, as on the engine socket', async () => {
      const args = ['exec', '-T', 'writer', 'sh', '-c', `echo out-${TOKEN}; echo err-${TOKEN} >&2; exit 3`];
      const via = await compose(args);
      const onEngine = await proj.run(engine, args);
      expect(onEngine.code).toBe(3);
      expect(via.code, fail(via)).toBe(3);
      expect(via.stdout).toBe(`out-${TOKEN}\n`);
      expect(via.stderr).toContain(`err-${TOKEN}`);
      expect(via.stdout).toBe(onEngine.stdout);
      expect(via.stderr).toBe(onEngine.stderr);
    });

    it('down -v stops and removes both containers, the project network and the named volume', async () => {
      const mark = gate.records.length;
      const down = await compose(['down', '-v', '--timeout', '5'], 60_000);
      expect(down.code, fail(down)).toBe(0);
      for (const what of [`Container ${project}-writer-1  Removed`, `Container ${project}-reader-1  Removed`, `Network ${project}_default  Removed`, `Volume ${project}_data  Removed`]) {
        expect(down.stderr).toContain(what);
      }
      expect(await direct(['ps', '-aq', '--filter', `label=${PROJECT_LABEL}=${project}`])).toBe('');
      expect(await exists('network', `${project}_default`)).toBe(false);
      expect(await exists('volume', `${project}_data`)).toBe(false);
      const allowed = decisions(gate, mark).filter((r) => r['effect'] === 'allow').map((r) => str(r['endpoint']));
      for (const endpoint of ['containers.stop', 'containers.delete', 'networks.delete', 'volumes.delete']) expect(allowed).toContain(endpoint);
    }, 90_000);

    if (profile.owner !== null) {
      it('a service with privileged: true is refused with sockgate\'s reason in compose\'s output, and no container is created', async () => {
        const mark = logMark();
        const from = gate.records.length;
        const up = await priv.run(gate.socketPath, ['up', '-d'], 60_000);
        expect(up.code, fail(up)).not.toBe(0);
        expect(up.stderr).toContain(`Container ${privProject}-root-1  Error response from daemon: sockgate: denied by rule deny-privileged (privileged containers are not allowed) [SOCKGATE_DENY_POLICY]`);
        // nothing of the container reached the engine, and the engine has none
        expect(callsSince(mark).filter((c) => /\/containers\/create/.test(c.uri)).map((c) => `${c.method} ${c.uri}`)).toEqual([]);
        expect(await direct(['ps', '-aq', '--filter', `label=${PROJECT_LABEL}=${privProject}`])).toBe('');
        const denial = decisions(gate, from).find((r) => r['endpoint'] === 'containers.create');
        expect(denial).toMatchObject({ effect: 'deny', rule: 'deny-privileged', code: 'SOCKGATE_DENY_POLICY', bodyPointer: '/HostConfig/Privileged' });
        expect(completion(gate, denial!)).toMatchObject({ status: 403, engineStatus: null });
        // compose makes the project network before any container (on the engine socket too); it is
        // the profile's, and down removes it
        expect(await labelOf('network', `${privProject}_default`, OWNER_LABEL)).toBe(profile.owner);
        const down = await priv.run(gate.socketPath, ['down', '-v', '--timeout', '1']);
        expect(down.code, fail(down)).toBe(0);
        expect(down.stderr).toContain(`Network ${privProject}_default  Removed`);
        expect(await exists('network', `${privProject}_default`)).toBe(false);
      }, 90_000);
    } else {
      // `create`, not `up`: the 20.10 engine here cannot start a privileged container on its own
      // socket either (runc: "unable to apply caps: operation not permitted"), 28.5 can.
      it('a service with privileged: true is created, privileged, as on the engine socket', async () => {
        const create = await priv.run(gate.socketPath, ['create'], 60_000);
        expect(create.code, fail(create)).toBe(0);
        expect(create.stderr).toContain(`Container ${privProject}-root-1  Created`);
        expect((await direct(['inspect', '--format', '{{.HostConfig.Privileged}}', `${privProject}-root-1`])).trim()).toBe('true');
        const down = await priv.run(gate.socketPath, ['down', '-v', '--timeout', '1']);
        expect(down.code, fail(down)).toBe(0);
        expect(await exists('container', `${privProject}-root-1`)).toBe(false);
        expect(await exists('network', `${privProject}_default`)).toBe(false);
      }, 90_000);
    }

    it('every request compose made was routed to a known endpoint and answered by the engine, but for the refusals above', () => {
      const records = decisions(gate);
      expect(records.length).toBeGreaterThan(0);
      expect(records.filter((r) => r['endpoint'] === 'unknown').map(brief)).toEqual([]);
      // Under ci-runner, compose looks its network and volume up before it creates them: not yet
      // there, they are out of the profile's sight and sockgate answers 404 in the engine's words,
      // which is what the engine answers for a missing one and what makes compose create them.
      const lookupBeforeCreate = (r: AuditRecord): boolean =>
        r['code'] === 'SOCKGATE_DENY_OUT_OF_SCOPE' &&
        ((r['endpoint'] === 'networks.inspect' && [`/networks/${project}_default`, `/networks/${privProject}_default`].includes(str(r['path']))) ||
          (r['endpoint'] === 'volumes.inspect' && r['path'] === `/volumes/${project}_data`));
      const expected = (r: AuditRecord): boolean => profile.owner !== null && (lookupBeforeCreate(r) || r['rule'] === 'deny-privileged');
      expect(records.filter((r) => r['effect'] !== 'allow' && !expected(r)).map(brief)).toEqual([]);
      for (const r of records.filter(lookupBeforeCreate)) expect(completion(gate, r), brief(r)).toMatchObject({ status: 404 });
      if (profile.owner !== null) expect(records.filter(lookupBeforeCreate).length).toBeGreaterThan(0);
      // every allowed request was answered by the engine itself, never by a sockgate error
      const bad = records.filter((r) => r['effect'] === 'allow').map((r) => [r, completion(gate, r)] as const);
      expect(bad.filter(([, c]) => c === undefined || c['engineStatus'] === null || Number(c['status']) >= 500).map(([r, c]) => `${brief(r)}: ${str(c?.['status'])}`)).toEqual([]);
    });
  });

  describe(`docker buildx build through sockgate under ${profile.slug}`, () => {
    const image = `${P}-buildx:${profile.slug}`;
    const marker = `built by buildx ${TOKEN} ${profile.slug}`;
    let gate: SockgateProcess;
    let cfg: PluginConfig;
    let ctx: string;
    const build = (extra: readonly string[] = []): Promise<CommandResult> =>
      dockerCli(cfg, gate.socketPath, ['buildx', 'build', '--progress', 'plain', '--network', 'none', ...extra, '-t', image, ctx], { timeoutMs: 90_000 });
    /** set when this file made the stand-in BuildKit image */
    let madeStandIn = false;
    /** whether the fallback builder's container and volume existed before the refused build ran (undefined: it did not run) */
    let builderExisted: { container: boolean; volume: boolean } | undefined;

    beforeAll(async () => {
      cfg = pluginConfig('sg-cb-cfg-');
      gate = await startSockgateWithPolicy(profile.policy);
      await docker(engine, ['rmi', '-f', image]);
      ctx = workDir(`ctx-${profile.slug}`);
      writeFileSync(join(ctx, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN echo "${marker}" > /built.txt\nCMD ["cat", "/built.txt"]\n`);
    });

    afterAll(async () => {
      await gate?.stop();
      cfg?.cleanup();
      await docker(engine, ['rmi', '-f', image]);
      if (madeStandIn) await docker(engine, ['rmi', BUILDKIT_IMAGE]); // untags: the test image keeps its own tag
      if (builderExisted !== undefined) {
        // there only if sockgate let buildx make them (the test then fails), and not there before
        if (!builderExisted.container) await docker(engine, ['rm', '-f', '-v', BUILDKIT_CONTAINER]);
        if (!builderExisted.volume) await docker(engine, ['volume', 'rm', '-f', BUILDKIT_VOLUME]);
      }
    }, 60_000);

    if (profile.owner === null) {
      it('builds FROM the test image with the engine\'s BuildKit (docker driver, over /grpc and /session), --load tags the image, and running it shows the RUN step\'s effect', async () => {
        const mark = logMark();
        const from = gate.records.length;
        const r = await build(['--load']);
        expect(r.code, fail(r)).toBe(0);
        expect(r.stderr).toContain('building with "default" instance using docker driver');
        // the RUN step ran in this build (the token makes it new to the build cache)
        const step = new RegExp(`^#(\\d+) \\[2/2\\] RUN echo "${marker}" > /built.txt$`, 'm').exec(r.stderr);
        expect(step, r.stderr).not.toBeNull();
        expect(r.stderr).toMatch(new RegExp(`^#${step![1]} DONE `, 'm'));
        expect(r.stderr).not.toMatch(new RegExp(`^#${step![1]} CACHED`, 'm'));
        // the image the build wrote is the one the engine now has under the tag
        const id = (await direct(['image', 'inspect', '--format', '{{.Id}}', image])).trim();
        expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(r.stderr).toContain(`writing image ${id}`);
        const run = await docker(gate.socketPath, ['run', '--rm', '--network', 'none', image]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toBe(`${marker}\n`);
        // BuildKit's own endpoints reached the engine as h2c upgrades; no POST /build was made
        const calls = callsSince(mark);
        expect(calls.filter((c) => c.method === 'POST' && /^(\/v[\d.]+)?\/grpc$/.test(c.uri)).map((c) => c.headers['upgrade'])).toContain('h2c');
        expect(calls.filter((c) => c.method === 'POST' && /^(\/v[\d.]+)?\/session$/.test(c.uri)).map((c) => c.headers['upgrade'])).toContain('h2c');
        expect(calls.filter((c) => /^(\/v[\d.]+)?\/build(\?|$)/.test(c.uri)).map((c) => `${c.method} ${c.uri}`)).toEqual([]);
        // and sockgate allowed them as upgrades, which the engine switched (101)
        for (const endpoint of ['grpc', 'session']) {
          const d = decisions(gate, from).filter((x) => x['endpoint'] === endpoint);
          expect(d.length, `${endpoint} decisions`).toBeGreaterThan(0);
          for (const x of d) {
            expect(x).toMatchObject({ effect: 'allow', upgrade: true });
            expect(completion(gate, x)).toMatchObject({ status: 101, engineStatus: 101 });
          }
        }
        expect(decisions(gate, from).filter((x) => x['effect'] !== 'allow' || x['endpoint'] === 'unknown').map(brief)).toEqual([]);
      }, 120_000);
    } else {
      it('refuses BuildKit: the /grpc probe gets sockgate\'s 403, buildx falls back to a docker-container builder whose privileged buildkitd container is refused with sockgate\'s reason, and nothing is built', async () => {
        builderExisted = { container: await exists('container', BUILDKIT_CONTAINER), volume: await exists('volume', BUILDKIT_VOLUME) };
        if (!(await exists('image', BUILDKIT_IMAGE))) {
          await direct(['tag', TEST_IMAGE, BUILDKIT_IMAGE]);
          madeStandIn = true;
        }
        const mark = logMark();
        const from = gate.records.length;
        const r = await build(['--load']);
        expect(r.code, fail(r)).not.toBe(0);
        // buildx's probe of the docker driver failed, so it chose the docker-container driver
        expect(r.stderr).toContain('building with "default" instance using docker-container driver');
        expect(r.stderr).toContain('ERROR: failed to build: Error response from daemon: sockgate: denied by rule deny-privileged (privileged containers are not allowed) [SOCKGATE_DENY_POLICY]');
        const records = decisions(gate, from);
        // the probe: POST /grpc with Upgrade: h2c, refused by the default (no rule allows BuildKit's endpoints)
        const grpc = records.filter((x) => x['endpoint'] === 'grpc');
        expect(grpc.length).toBeGreaterThan(0);
        for (const x of grpc) {
          expect(x).toMatchObject({ effect: 'deny', code: 'SOCKGATE_DENY_POLICY', upgrade: true, reason: 'no rule matched POST /grpc (endpoint grpc); policy "ci-runner" defaults to deny' });
          expect(completion(gate, x)).toMatchObject({ status: 403, engineStatus: null });
        }
        expect(records.filter((x) => x['endpoint'] === 'session' && x['effect'] === 'allow').map(brief)).toEqual([]);
        // every container create of the fallback builder was refused, the privileged one by deny-privileged
        const creates = records.filter((x) => x['endpoint'] === 'containers.create');
        expect(creates.length).toBeGreaterThan(0);
        expect(creates.filter((x) => x['effect'] !== 'deny').map(brief)).toEqual([]);
        expect(creates.some((x) => x['rule'] === 'deny-privileged' && x['bodyPointer'] === '/HostConfig/Privileged')).toBe(true);
        // nothing of BuildKit or of a builder container reached the engine
        const reached = callsSince(mark).map((c) => `${c.method} ${c.uri}`);
        expect(reached.filter((u) => /^\S+ (\/v[\d.]+)?\/(grpc|session|build|containers\/create)(\?|$)/.test(u))).toEqual([]);
        expect(await exists('image', image)).toBe(false);
        if (!builderExisted.container) expect(await exists('container', BUILDKIT_CONTAINER)).toBe(false);
        if (!builderExisted.volume) expect(await exists('volume', BUILDKIT_VOLUME)).toBe(false);
      }, 120_000);
    }
  });
}
