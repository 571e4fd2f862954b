/**
 * sockgate benchmark (run on demand: `npm run bench`; not part of `npm test`). See bench/README.md.
 *
 * Against one engine, in one run, each scenario is measured directly on the engine socket and
 * through sockgate (bin/sockgate.js, the compiled dist/, with the 45-rule bench/policy.yaml),
 * interleaved (direct, sockgate, direct, ...) for --rounds rounds; the table shows medians and
 * each figure's ratio to direct.
 *
 * Usage: npm run bench -- [--only small,events,bulk,exec,idle,decision] [--engine PATH] [--floor]
 *          [--rounds 3] [--duration-ms 3000] [--events 100] [--exec 20] [--size-mb 600]
 *          [--bin PATH/bin/sockgate.js] [--cpu-prof DIR] [--node-args "--max-semi-space-size=1 ..."] [--env "MALLOC_ARENA_MAX=2 ..."]
 * Needs (except --only decision) a running engine with the image sockgate-test:busybox
 * (bash scripts/engine.sh start /tmp/e2e), and an up-to-date build (npm run build).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupTar, download, ensureBigImage, saveTar, upload } from './bulk.js';
import { benchPolicy, compileYaml, generatedPolicyYaml, timeDecisions } from './decision.js';
import { eventLatency } from './events.js';
import { execOnce, removeExecTarget, startExecTarget } from './exec.js';
import { cpuMs, docker, fmt, median, memory, REPO, resetPeak, sleep, startSockgate, type Row, type Sockgate } from './lib.js';
import { load } from './small.js';

const ALL = ['small', 'events', 'bulk', 'exec', 'idle', 'decision'] as const;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const engine = arg('engine', (process.env['SOCKGATE_E2E_DOCKER_HOST'] ?? 'unix:///tmp/e2e/docker.sock').replace(/^unix:\/\//, ''));
const only = new Set(arg('only', ALL.join(',')).split(','));
const rounds = Number(arg('rounds', '3'));
const durationMs = Number(arg('duration-ms', '3000'));
const eventSamples = Number(arg('events', '100'));
const execSamples = Number(arg('exec', '20'));
const sizeMb = Number(arg('size-mb', '600'));
const cpuProf = arg('cpu-prof', '');
/** Another build to measure (e.g. a copy of the tree before a change): its bin/sockgate.js. */
const bin = arg('bin', join(REPO, 'bin/sockgate.js'));
const nodeArgs = arg('node-args', '').split(' ').filter((a) => a !== '');
/** --floor: also measure the pass-through floors (bench/floor-proxy.ts: node:http + undici, node:http + engine link) in the small scenario, interleaved with direct and sockgate. */
const withFloor = process.argv.includes('--floor');
/** Extra environment for sockgate, "K=V K2=V2" (e.g. MALLOC_ARENA_MAX=2). */
const gateEnv = Object.fromEntries(
  arg('env', '')
    .split(' ')
    .filter((a) => a.includes('='))
    .map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
);
for (const s of only) if (!(ALL as readonly string[]).includes(s)) throw new Error(`unknown scenario ${s}; choose from ${ALL.join(', ')}`);

const rows: Row[] = [];
const ratioRow = (scenario: string, direct: number, through: number, unit: string, digits: number, target: number | null, higherIsBetter: boolean): void => {
  const ratio = through / direct;
  rows.push({
    scenario,
    direct: `${fmt(direct, digits)} ${unit}`,
    sockgate: `${fmt(through, digits)} ${unit}`,
    ratio: fmt(ratio, 2),
    target: target === null ? '' : `${higherIsBetter ? '≥' : '≤'} ${fmt(target, 2)}`,
    pass: target === null ? null : higherIsBetter ? ratio >= target : ratio <= target,
  });
};
const valueRow = (scenario: string, value: string, target: string, pass: boolean | null, direct = '—'): void => {
  rows.push({ scenario, direct, sockgate: value, ratio: '', target, pass });
};

/** Run `fn` on direct and sockgate alternately, `n` times each; the samples of each side. */
async function interleaved<T>(n: number, fn: (socket: string) => Promise<T> | T, gate: Sockgate): Promise<{ direct: T[]; through: T[] }> {
  const direct: T[] = [];
  const through: T[] = [];
  for (let i = 0; i < n; i++) {
    // Alternate which side goes first, so a trend in the engine's load does not favour one.
    if (i % 2 === 0) {
      direct.push(await fn(engine));
      through.push(await fn(gate.socket));
    } else {
      through.push(await fn(gate.socket));
      direct.push(await fn(engine));
    }
  }
  return { direct, through };
}

/** Containers the engine lists for `/containers/json?all=1` (the issue's table measures with 20). */
const LISTED_CONTAINERS = 20;
const BENCH_LABEL = 'sockgate-bench=listed';

/** Make the engine hold LISTED_CONTAINERS created (not started) containers; returns how to remove them. */
function ensureListedContainers(): () => void {
  const have = docker(engine, ['ps', '-aq', '--filter', `label=${BENCH_LABEL}`]).split('\n').filter((l) => l !== '').length;
  for (let i = have; i < LISTED_CONTAINERS; i++) docker(engine, ['create', '--label', BENCH_LABEL, 'sockgate-test:busybox', 'true']);
  return () => {
    const ids = docker(engine, ['ps', '-aq', '--filter', `label=${BENCH_LABEL}`]).split('\n').filter((l) => l !== '');
    if (ids.length > 0) docker(engine, ['rm', '-f', ...ids], undefined, true);
  };
}

async function small(gate: Sockgate, floors: readonly { label: string; proxy: Sockgate }[]): Promise<void> {
  const removeListed = ensureListedContainers();
  try {
    await smallRounds(gate, floors);
  } finally {
    removeListed();
  }
}

async function smallRounds(gate: Sockgate, floors: readonly { label: string; proxy: Sockgate }[]): Promise<void> {
  // The targets of issue #15's table: the ratio to a direct connection at c=1 and at c=32.
  for (const [path, label, targets] of [
    ['/_ping', '/_ping', { 1: 0.58, 32: 0.6 }],
    ['/containers/json?all=1', `/containers/json?all=1 (${LISTED_CONTAINERS} containers)`, { 1: 0.92, 32: 0.9 }],
  ] as const) {
    for (const c of [1, 32] as const) {
      const target = targets[c];
      let gateCpuMs = 0;
      let gateRequests = 0;
      const floorRuns = floors.map(() => [] as Awaited<ReturnType<typeof load>>[]);
      const r = await interleaved(
        rounds,
        async (s) => {
          const cpu0 = s === gate.socket ? cpuMs(gate.pid) : 0;
          const out = await load(s, path, c, durationMs);
          if (s === gate.socket) {
            gateCpuMs += cpuMs(gate.pid) - cpu0;
            gateRequests += out.requests;
            // the floor runs right after sockgate in every round (so in the same conditions)
            for (const [i, floor] of floors.entries()) floorRuns[i]!.push(await load(floor.proxy.socket, path, c, durationMs));
          }
          return out;
        },
        gate,
      );
      const errors = [...r.direct, ...r.through].reduce((n, x) => n + x.errors, 0);
      if (errors > 0) console.error(`warning: ${errors} failed requests in ${label} c=${c}`);
      const m = (xs: readonly { rps: number; p50Ms: number; p99Ms: number }[], k: 'rps' | 'p50Ms' | 'p99Ms'): number => median(xs.map((x) => x[k]));
      ratioRow(`${label} c=${c} req/s`, m(r.direct, 'rps'), m(r.through, 'rps'), 'req/s', 0, target, true);
      ratioRow(`${label} c=${c} p50`, m(r.direct, 'p50Ms'), m(r.through, 'p50Ms'), 'ms', 3, null, false);
      ratioRow(`${label} c=${c} p99`, m(r.direct, 'p99Ms'), m(r.through, 'p99Ms'), 'ms', 3, null, false);
      valueRow(`${label} c=${c} sockgate CPU per request`, `${fmt((gateCpuMs * 1000) / gateRequests, 0)} µs`, '', null);
      const spread = (xs: readonly number[]): string => `${fmt(Math.min(...xs), 0)}–${fmt(Math.max(...xs), 0)}`;
      for (const [i, floor] of floors.entries()) ratioRow(`${label} c=${c} floor: ${floor.label} req/s`, m(r.direct, 'rps'), m(floorRuns[i]!, 'rps'), 'req/s', 0, null, true);
      valueRow(
        `${label} c=${c} req/s spread over rounds (direct / sockgate${floors.map((f) => ` / ${f.label}`).join('')})`,
        [r.through, ...floorRuns].map((xs) => spread(xs.map((x) => x.rps))).join(' / '),
        '',
        null,
        spread(r.direct.map((x) => x.rps)),
      );
    }
  }
}

async function events(gate: Sockgate): Promise<void> {
  const r = await eventLatency(engine, gate.socket, eventSamples);
  rows.push({
    scenario: `event latency p50 (${r.samples} events)`,
    direct: `${fmt(r.directP50Ms, 3)} ms`,
    sockgate: `${fmt(r.sockgateP50Ms, 3)} ms`,
    ratio: `+${fmt(r.addedP50Ms, 3)} ms`,
    target: '< +0.3 ms',
    pass: r.addedP50Ms < 0.3,
  });
  rows.push({
    scenario: 'event latency p99',
    direct: `${fmt(r.directP99Ms, 3)} ms`,
    sockgate: `${fmt(r.sockgateP99Ms, 3)} ms`,
    ratio: `+${fmt(r.addedP99Ms, 3)} ms`,
    target: '',
    pass: null,
  });
}

async function bulk(gate: Sockgate, dir: string): Promise<void> {
  const image = ensureBigImage(engine, sizeMb);
  const tar = saveTar(engine, image, dir);
  await download(engine, image); // warm the engine's page cache
  const peaks = { download: 0, upload: 0 };
  const tracked = async <T>(socket: string, kind: keyof typeof peaks, fn: () => Promise<T>): Promise<T> => {
    if (socket !== gate.socket) return fn();
    resetPeak(gate.pid);
    const out = await fn();
    peaks[kind] = Math.max(peaks[kind], memory(gate.pid).peakMb);
    return out;
  };
  const down = await interleaved(rounds, (s) => tracked(s, 'download', () => download(s, image)), gate);
  const mb = fmt(tar.bytes / 1e6, 0);
  ratioRow(`image download (${mb} MB tar) MB/s`, median(down.direct.map((x) => x.mbps)), median(down.through.map((x) => x.mbps)), 'MB/s', 1, 0.95, true);
  const up = await interleaved(rounds, (s) => tracked(s, 'upload', () => upload(s, tar)), gate);
  ratioRow(`image upload (${mb} MB tar) MB/s`, median(up.direct.map((x) => x.mbps)), median(up.through.map((x) => x.mbps)), 'MB/s', 1, 0.9, true);
  const peak = Math.max(peaks.download, peaks.upload);
  valueRow(`sockgate peak RSS during transfers (download ${fmt(peaks.download)} MB, upload ${fmt(peaks.upload)} MB)`, `${fmt(peak)} MB`, '≤ 100 MB', peak <= 100);
  // Memory given back once the transfers are over (the target: back to the idle figure).
  await sleep(3000);
  valueRow('sockgate RSS 3 s after the transfers', `${fmt(memory(gate.pid).rssMb)} MB`, '', null);
}

async function exec(gate: Sockgate): Promise<void> {
  const name = startExecTarget(engine);
  try {
    execOnce(engine, name); // warm up
    execOnce(gate.socket, name);
    const r = await interleaved(execSamples, (s) => execOnce(s, name), gate);
    ratioRow(`docker exec C true (median of ${execSamples})`, median(r.direct), median(r.through), 'ms', 1, 1.05, false);
  } finally {
    removeExecTarget(engine, name);
  }
}

/** RSS of a fresh sockgate after start-up and a few requests of each kind, settled. */
async function idle(dir: string): Promise<void> {
  const gate = await startSockgate({ dir, engine, policy: join(REPO, 'bench/policy.yaml'), nodeArgs, env: gateEnv, bin });
  try {
    await sleep(500);
    const fresh = memory(gate.pid).rssMb;
    await load(gate.socket, '/_ping', 1, 200);
    await load(gate.socket, '/containers/json?all=1', 4, 200);
    // One inspected body (a create that the policy denies: nothing is created).
    docker(gate.socket, ['create', '--privileged', 'sockgate-test:busybox', 'true'], undefined, true);
    await sleep(3000);
    const settled = memory(gate.pid).rssMb;
    valueRow('sockgate RSS after start-up', `${fmt(fresh)} MB`, '', null);
    valueRow('sockgate idle RSS (after requests, settled)', `${fmt(settled)} MB`, '≤ 55 MB', settled <= 55);
  } finally {
    await gate.stop();
  }
}

function decision(): void {
  for (const [label, policy] of [
    ['20 rules', compileYaml(generatedPolicyYaml(20), 'generated-20')],
    ['bench/policy.yaml, 45 rules', benchPolicy()],
    ['500 rules', compileYaml(generatedPolicyYaml(500), 'generated-500')],
  ] as const) {
    const t = timeDecisions(policy);
    const target = label === '500 rules';
    valueRow(`decision, ${label}: admit() mix`, `${fmt(t.admitNs / 1000, 2)} µs`, target ? '< 20 µs' : '', target ? t.admitNs < 20_000 : null);
    valueRow(`decision, ${label}: admitBody() create`, `${fmt(t.bodyNs / 1000, 2)} µs`, '', null);
  }
}

function printTable(): void {
  const head = ['scenario', 'direct', 'sockgate', 'ratio', 'target', 'pass'];
  const body = rows.map((r) => [r.scenario, r.direct, r.sockgate, r.ratio, r.target, r.pass === null ? '' : r.pass ? 'pass' : 'FAIL']);
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const b of body) console.log(`| ${b.join(' | ')} |`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
  const needsEngine = [...only].some((s) => s !== 'decision');
  console.log(`sockgate benchmark — ${new Date().toISOString()}, node ${process.version}, engine ${needsEngine ? engine : '(none)'}`);
  console.log(`sockgate ${bin}`);
  console.log(`rounds ${rounds}, duration ${durationMs} ms, policy bench/policy.yaml${nodeArgs.length ? `, sockgate node args ${nodeArgs.join(' ')}` : ''}${Object.keys(gateEnv).length ? `, sockgate env ${arg('env', '')}` : ''}`);
  try {
    if (only.has('decision')) decision();
    if (only.has('idle')) await idle(dir);
    const scenarios = (['small', 'events', 'bulk', 'exec'] as const).filter((s) => only.has(s));
    if (scenarios.length > 0) {
      const profArgs = cpuProf !== '' ? ['--cpu-prof', '--cpu-prof-dir', cpuProf] : [];
      const gate = await startSockgate({ dir, engine, policy: join(REPO, 'bench/policy.yaml'), nodeArgs: [...nodeArgs, ...profArgs], env: gateEnv, bin });
      try {
        // A failing scenario is reported and the others still run.
        const attempt = async (name: string, fn: () => Promise<void>): Promise<void> => {
          if (!only.has(name)) return;
          try {
            await fn();
          } catch (err) {
            console.error(`scenario ${name} failed: ${(err as Error).stack ?? String(err)}`);
            rows.push({ scenario: `${name}: failed (${(err as Error).message.slice(0, 80)})`, direct: '', sockgate: '', ratio: '', target: '', pass: false });
          }
        };
        const startFloor = (env: NodeJS.ProcessEnv): Promise<Sockgate> => startSockgate({ dir, engine, policy: join(REPO, 'bench/policy.yaml'), nodeArgs: ['--import', 'tsx'], bin: join(REPO, 'bench/floor-proxy.ts'), env });
        const floors = withFloor && only.has('small') ? [{ label: 'node:http + undici', proxy: await startFloor({}) }, { label: 'node:http + engine link', proxy: await startFloor({ FLOOR_LINK: '1' }) }] : [];
        try {
          await attempt('small', () => small(gate, floors));
        } finally {
          for (const f of floors) await f.proxy.stop();
        }
        await attempt('events', () => events(gate));
        await attempt('exec', () => exec(gate));
        await attempt('bulk', () => bulk(gate, dir));
      } finally {
        await gate.stop();
      }
    }
  } finally {
    cleanupTar(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  printTable();
}

await main();
