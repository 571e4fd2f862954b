/**
 * Learn mode end to end, with the real docker CLI and engine: a workload runs under a `mode: audit`
 * policy that would deny almost all of it; `sockgate suggest` turns the audit log into a policy;
 * `sockgate check` accepts it; the same workload under that policy (enforced) passes with zero
 * denials, and requests outside the workload are denied with sockgate's message.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineSocket, REPO_ROOT, startSockgateWithPolicy, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const BIN = join(REPO_ROOT, 'bin/sockgate.js');
const NAME = `sg-learn-${process.pid}`;

const LEARNING_POLICY = `version: 1
name: learner
mode: audit
default: deny
rules:
  - id: allow-ping
    effect: allow
    methods: [GET, HEAD]
    endpoints: [system.ping, system.pingHead]
`;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The scripted workload; every step must succeed. */
async function workload(socket: string): Promise<void> {
  const steps: string[][] = [
    ['ps', '-a'],
    ['run', '--name', NAME, '-v', '/tmp:/data', TEST_IMAGE, 'sh', '-c', 'echo learned-output; ls /data >/dev/null'],
    ['logs', NAME],
    ['inspect', NAME],
    ['rm', NAME],
    ['run', '--rm', TEST_IMAGE, 'true'],
  ];
  for (const args of steps) {
    const r = await docker(socket, args);
    expect(r.code, `docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
    if (args[0] === 'logs') expect(r.stdout).toContain('learned-output');
  }
}

const decisions = (records: Record<string, unknown>[]) => records.filter((r) => r['kind'] === 'audit' && typeof r['reason'] === 'string');

let engine: string;
let tmp: { dir: string; cleanup: () => void };
let learner: SockgateProcess | undefined;
let enforcer: SockgateProcess | undefined;
let suggested = '';

beforeAll(async () => {
  engine = engineSocket();
  tmp = tempDir('sg-learn-');
  await docker(engine, ['rm', '-f', NAME]);
});
afterAll(async () => {
  await learner?.stop();
  await enforcer?.stop();
  await docker(engine, ['rm', '-f', NAME]);
  tmp?.cleanup();
});

describe('learn mode, suggest, enforce', () => {
  it('learn mode forwards the whole workload and records what the policy would have denied', async () => {
    learner = await startSockgateWithPolicy(LEARNING_POLICY);
    await workload(learner.socketPath);
    await learner.stop();
    const recorded = decisions(learner.records);
    expect(recorded.length).toBeGreaterThan(8);
    expect(recorded.filter((r) => r['effect'] === 'deny')).toEqual([]);
    expect(recorded.every((r) => r['mode'] === 'audit')).toBe(true);
    const create = recorded.find((r) => r['endpoint'] === 'containers.create' && JSON.stringify(r['bodySummary']).includes('/tmp'));
    expect(create).toMatchObject({
      effect: 'allow',
      wouldBe: { effect: 'deny', rule: null, code: 'SOCKGATE_DENY_POLICY' },
      bodySummary: { 'HostConfig.Privileged': false, '$facts.hostPaths': ['/tmp'], Image: TEST_IMAGE },
    });
    // The audit log as an operator would keep it: sockgate's stdout, including non-decision lines.
    writeFileSync(join(tmp.dir, 'audit.log'), learner.records.map((r) => JSON.stringify(r)).join('\n') + '\nnot json\n');
  }, 120_000);

  it('sockgate suggest writes a policy that sockgate check accepts', async () => {
    const r = await cli(['suggest', join(tmp.dir, 'audit.log')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sockgate suggest: \d+ decision records: \d+ learned \(\d+ denied by the learning policy\), 0 not learned; skipped \d+ completion records, \d+ other records, 1 non-JSON lines/);
    suggested = r.stdout;
    expect(suggested).toContain('id: "allow-containers.create"');
    expect(suggested).toContain('pathPrefix: ["/tmp"]');
    expect(suggested).toContain('mode: enforce');
    writeFileSync(join(tmp.dir, 'suggested.yaml'), suggested);
    const check = await cli(['check', join(tmp.dir, 'suggested.yaml')]);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toContain('suggested.yaml: ok');
  });

  it('the same workload under the suggested policy passes with zero denials', async () => {
    expect(suggested).not.toBe('');
    enforcer = await startSockgateWithPolicy(suggested);
    await workload(enforcer.socketPath);
    // Every request's completion record follows its decision record: once each decision has its
    // completion, no decision record is still on its way.
    const completions = () => enforcer!.records.filter((r) => r['kind'] === 'audit' && typeof r['durationMs'] === 'number').length;
    await waitUntil(() => completions() >= decisions(enforcer!.records).length, 10_000, 'every request completed');
    const recorded = decisions(enforcer.records);
    expect(recorded.length).toBeGreaterThan(8);
    expect(recorded.filter((r) => r['effect'] === 'deny')).toEqual([]);
    expect(recorded.every((r) => r['mode'] === 'enforce' && r['wouldBe'] === undefined)).toBe(true);
  }, 120_000);

  it.each([
    ['a privileged container', ['run', '--rm', '--privileged', TEST_IMAGE, 'true']],
    ['a bind of a host path the workload never used', ['run', '--rm', '-v', '/etc:/host-etc', TEST_IMAGE, 'true']],
    ['an added capability', ['run', '--rm', '--cap-add', 'SYS_ADMIN', TEST_IMAGE, 'true']],
    ['the host network', ['run', '--rm', '--network', 'host', TEST_IMAGE, 'true']],
    ['a volume create', ['volume', 'create', `sg-learn-vol-${process.pid}`]],
    ['a container stop', ['stop', 'sg-learn-none']],
  ])('a request outside the workload is denied: %s', async (_what, args) => {
    expect(enforcer).toBeDefined();
    const before = decisions(enforcer!.records).length;
    const r = await docker(enforcer!.socketPath, args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/sockgate: .*\[SOCKGATE_DENY_POLICY\]/);
    // The record is written before the answer, but reaches this process's pipe in its own time.
    const denials = () => decisions(enforcer!.records).slice(before).filter((x) => x['effect'] === 'deny');
    await waitUntil(() => denials().length > 0, 5_000, 'the denial record');
    const denied = denials();
    expect(denied[0]).toMatchObject({ code: 'SOCKGATE_DENY_POLICY', mode: 'enforce' });
  });
});
