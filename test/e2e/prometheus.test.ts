/**
 * A real Prometheus (Debian's package) discovers containers through sockgate with
 * docker_sd_configs, under the discovery preset a user would pick (policies/prometheus-exporter.yaml)
 * and under allow-all: the labelled container's target appears in /api/v1/targets with its
 * __meta_docker_* labels, the docker_sd `filters` reach the engine (a container outside them is
 * not discovered), and the audit records show only the endpoints docker_sd uses.
 *
 * Prometheus sends no traffic off this machine's loopback: every discovered target's address is
 * relabelled to Prometheus's own 127.0.0.1 port (and the scrape interval is an hour). Without
 * /usr/bin/prometheus every test here fails with what to install (never skips).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_ALL_POLICY, docker, engineSocket, REPO_ROOT, type SockgateProcess, startSockgateWithPolicy, TEST_IMAGE } from '../helpers/engine.js';
import { callsSince, type EngineCall, logMark } from '../helpers/engine-log.js';
import { PROMETHEUS_BIN, type PrometheusProcess, type PromTargets, requirePrometheus, startPrometheus } from '../helpers/prometheus.js';

const tag = `${process.pid}`;
const P = `sg-prom-${tag}`;
const LABEL_KEY = 'sockgate.e2e.prometheus';
/** The container docker_sd must find, and one its filters leave out (labelled for scraping all the same). */
const TARGET = `${P}-target`;
const DECOY = `${P}-decoy`;
/**
 * What docker_sd asks the engine for: the container and network lists on every refresh, and the
 * Docker client's ping (HEAD, or GET where HEAD fails) when it negotiates the API version.
 * Anything else in the audit log is a failure.
 */
const DOCKER_SD_NEEDS = ['containers.list', 'networks.list'];
const DOCKER_SD_MAY = [...DOCKER_SD_NEEDS, 'system.ping', 'system.pingHead'];

const PROFILES = [
  { slug: 'prometheus-exporter', policy: readFileSync(join(REPO_ROOT, 'policies/prometheus-exporter.yaml'), 'utf8') },
  { slug: 'allow-all', policy: ALLOW_ALL_POLICY },
] as const;

let engine: string;
let targetId: string;

const config = (socketPath: string) => (port: number) => `
global:
  scrape_interval: 1h
  evaluation_interval: 1h
scrape_configs:
  - job_name: docker
    docker_sd_configs:
      - host: unix://${socketPath}
        refresh_interval: 1s
        filters:
          - name: label
            values: ["${LABEL_KEY}=${tag}"]
    relabel_configs:
      - source_labels: [__meta_docker_container_label_prometheus_io_scrape]
        regex: "true"
        action: keep
      # never scrape a container's address: scrape Prometheus itself, on loopback
      - target_label: __address__
        replacement: 127.0.0.1:${port}
`;

beforeAll(async () => {
  engine = engineSocket();
  await docker(engine, ['rm', '-f', TARGET, DECOY]);
  const run = async (name: string, labelValue: string): Promise<string> => {
    const r = await docker(engine, ['run', '-d', '--name', name, '--label', 'prometheus.io/scrape=true', '--label', `${LABEL_KEY}=${labelValue}`, TEST_IMAGE, 'sleep', '300']);
    expect(r.code, `docker run ${name} on the engine: ${r.stderr}`).toBe(0);
    return r.stdout.trim();
  };
  targetId = await run(TARGET, tag);
  await run(DECOY, `${tag}-not-this-one`);
});
afterAll(async () => {
  if (engine !== undefined) await docker(engine, ['rm', '-f', TARGET, DECOY]);
});

const brief = (r: Record<string, unknown>): string =>
  [r['method'], r['path'], '→', r['endpoint'], r['effect'], r['code'] ?? '', r['reason'] ?? ''].map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ');

for (const profile of PROFILES) {
  describe(`Prometheus docker_sd through sockgate under ${profile.slug}`, () => {
    let gate: SockgateProcess;
    let prom: PrometheusProcess;
    let mark: number;
    let found: PromTargets | undefined;
    let engineCalls: EngineCall[];

    beforeAll(async () => {
      gate = await startSockgateWithPolicy(profile.policy);
      mark = logMark();
      // Without the binary each test below fails with what to install (requirePrometheus).
      if (existsSync(PROMETHEUS_BIN)) prom = await startPrometheus(config(gate.socketPath));
    });
    afterAll(async () => {
      await prom?.stop();
      await gate?.stop();
    });

    const decisions = (): Record<string, unknown>[] => gate.records.filter((r) => r['kind'] === 'audit' && r['method'] !== undefined);

    it('discovers the labelled container: its target appears with __meta_docker_container_name and the container\'s id and labels', async () => {
      requirePrometheus();
      const started = Date.now();
      let last: PromTargets | undefined;
      while (Date.now() - started < 20_000) {
        last = await prom.targets();
        if (last.activeTargets.some((t) => t.discoveredLabels['__meta_docker_container_name'] === `/${TARGET}`)) {
          found = last;
          break;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      const problems = prom
        .log()
        .split('\n')
        .filter((l) => /level=(error|warn)/.test(l))
        .slice(-5);
      expect(
        found,
        `no target for /${TARGET} within 20 s.\nlast /api/v1/targets: ${JSON.stringify(last)}\nprometheus: ${problems.join('\n')}\n` +
          `sockgate denied: ${decisions().filter((r) => r['effect'] !== 'allow').map(brief).join('; ') || 'nothing'}`,
      ).toBeDefined();
      const target = found!.activeTargets.find((t) => t.discoveredLabels['__meta_docker_container_name'] === `/${TARGET}`)!;
      expect(target.scrapePool).toBe('docker');
      expect(target.discoveredLabels).toMatchObject({
        __meta_docker_container_id: targetId,
        __meta_docker_container_label_prometheus_io_scrape: 'true',
        [`__meta_docker_container_label_${LABEL_KEY.replace(/[^a-zA-Z0-9_]/g, '_')}`]: tag,
      });
      engineCalls = callsSince(mark);
    });

    it('docker_sd\'s filters reach the engine: a labelled container outside them is not discovered', () => {
      requirePrometheus();
      expect(found, 'the discovery test found no target').toBeDefined();
      const names = [...found!.activeTargets, ...found!.droppedTargets].map((t) => t.discoveredLabels['__meta_docker_container_name']);
      expect(names).not.toContain(`/${DECOY}`);
      const lists = engineCalls.filter((c) => /^(\/v[\d.]+)?\/containers\/json(\?|$)/.test(c.uri));
      expect(lists.length).toBeGreaterThan(0);
      for (const c of lists) {
        const filters = JSON.parse(new URLSearchParams(c.uri.split('?')[1] ?? '').get('filters') ?? '{}') as Record<string, unknown>;
        expect(JSON.stringify(filters)).toContain(`${LABEL_KEY}=${tag}`);
      }
    });

    it('the audit records show only the endpoints docker_sd uses (container and network lists, ping), each allowed, and only those reached the engine', () => {
      requirePrometheus();
      expect(found, 'the discovery test found no target').toBeDefined();
      const records = decisions();
      expect(records.filter((r) => r['effect'] !== 'allow').map(brief)).toEqual([]);
      const endpoints = new Set(records.map((r) => String(r['endpoint'])));
      for (const e of DOCKER_SD_NEEDS) expect(endpoints).toContain(e);
      expect([...endpoints].filter((e) => !DOCKER_SD_MAY.includes(e))).toEqual([]);
      expect(records.filter((r) => r['method'] !== 'GET' && r['method'] !== 'HEAD').map(brief)).toEqual([]);
      const forwarded = new Set(engineCalls.map((c) => `${c.method} ${c.uri.split('?')[0]!.replace(/^\/v[\d.]+/, '')}`));
      expect([...forwarded].filter((c) => !['GET /containers/json', 'GET /networks', 'HEAD /_ping', 'GET /_ping'].includes(c))).toEqual([]);
      expect(forwarded).toContain('GET /containers/json');
      expect(forwarded).toContain('GET /networks');
    });
  });
}
