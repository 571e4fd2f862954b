/**
 * The shipped presets against the classes of bypass a source-reading attacker found (issue
 * "[2/4, part 2]"), decided by the gate alone. The e2e proofs on a real engine are in
 * test/e2e/bypass-classes.test.ts; these pin every spelling and every preset that has the rule.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAllowed } from '../../../src/gate.js';
import { compilePolicy } from '../../../src/policy/compile.js';
import { loadPolicyFile } from '../../../src/policy/files.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { decide } from '../../helpers/gate-record.js';

const ROOT = join(import.meta.dirname, '../../..');
const preset = (name: string) => loadPolicyFile(join(ROOT, `policies/${name}.yaml`));
const CREATORS = ['untrusted-create', 'ci-runner', 'watchtower-updater'] as const;

describe('a namespace mode that names another container, in every spelling the engine resolves', () => {
  // daemon.GetContainer: a full id, a name with or without its leading "/", any unique id prefix.
  const spellings = ['container:db', 'container:/db', 'container:3f2a9c', 'container:/a/b'];
  it.each(CREATORS.flatMap((p) => spellings.map((s) => [p, s])))('%s refuses NetworkMode %s', (name, mode) => {
    const a = decide(preset(name), { method: 'POST', target: '/containers/create', body: { Image: 'x', Cmd: ['true'], HostConfig: { NetworkMode: mode } } });
    expect(isAllowed(a)).toBe(false);
    expect(a.decision.ruleId).toBe('deny-network-container');
    expect(a.decision.bodyPointer).toBe('/HostConfig/NetworkMode');
  });

  it.each(CREATORS.flatMap((p) => spellings.map((s) => [p, s])))('%s refuses IpcMode %s', (name, mode) => {
    const a = decide(preset(name), { method: 'POST', target: '/containers/create', body: { Image: 'x', Cmd: ['true'], HostConfig: { IpcMode: mode } } });
    expect(a.decision.ruleId).toBe('deny-ipc-container');
  });

  it.each(['untrusted-create', 'ci-runner'].flatMap((p) => spellings.map((s) => [p, s])))('%s refuses a build with networkmode=%s', (name, mode) => {
    const a = decide(preset(name), { method: 'POST', target: `/build?networkmode=${encodeURIComponent(mode)}` });
    expect(isAllowed(a)).toBe(false);
    expect(a.decision.ruleId).toBe('deny-build-container-network');
  });

  it('still lets a create on its own network, none or the default one through untrusted-create', () => {
    for (const mode of ['', 'default', 'bridge', 'none', 'my-project_default']) {
      const a = decide(preset('untrusted-create'), { method: 'POST', target: '/containers/create', body: { Image: 'x', Cmd: ['true'], HostConfig: { NetworkMode: mode } } });
      expect(isAllowed(a), mode).toBe(true);
    }
  });
});

describe('docker top through the presets that allow it', () => {
  const TOP = ['untrusted-create', 'ci-runner', 'portainer-readonly'] as const;
  it.each(TOP.flatMap((p) => ['', '?ps_args=-ef', '?ps_args=aux', '?ps_args=-eF'].map((q) => [p, q])))('%s allows the fixed ps format %s', (name, q) => {
    expect(isAllowed(decide(preset(name), { method: 'GET', target: `/containers/web/top${q}` }))).toBe(true);
  });

  const crafted = ['-olwp=PID,args m -p1,2', '-o pid=PID,args e', 'aux e', '-ef -p 1', 'aux -q1', '-ef&ps_args=-o args'];
  it.each(TOP.flatMap((p) => crafted.map((q) => [p, q])))('%s refuses ps_args=%s, naming the parameter', (name, args) => {
    const target = `/containers/web/top?ps_args=${args.split('&ps_args=').map(encodeURIComponent).join('&ps_args=')}`;
    const a = decide(preset(name), { method: 'GET', target });
    expect(isAllowed(a)).toBe(false);
    expect(a.decision.reason).toMatch(/\?ps_args=.* does not meet the condition of rule allow-container-top on ps_args/);
  });
});

describe('builds through untrusted-create and ci-runner: the classic builder only', () => {
  it.each(['untrusted-create', 'ci-runner'])('%s allows version absent or 1, and refuses BuildKit (version=2) saying why', (name) => {
    expect(isAllowed(decide(preset(name), { method: 'POST', target: '/build?t=x' }))).toBe(true);
    expect(isAllowed(decide(preset(name), { method: 'POST', target: '/build?version=1' }))).toBe(true);
    for (const q of ['version=2', 'version=1&version=2', 'version=2&version=1']) {
      const a = decide(preset(name), { method: 'POST', target: `/build?${q}` });
      expect(isAllowed(a), q).toBe(false);
      expect(a.decision.reason, q).toMatch(/\?version="2".* does not meet the condition of rule allow-image-build on version/);
    }
  });

  it.each(['untrusted-create', 'ci-runner'])('%s refuses pull=1, which pulls base images anew and runs ONBUILD triggers unread', (name) => {
    expect(isAllowed(decide(preset(name), { method: 'POST', target: '/build?pull=0' }))).toBe(true);
    for (const q of ['pull=1', 'pull=true', 'pull=0&pull=1']) {
      const a = decide(preset(name), { method: 'POST', target: `/build?${q}` });
      expect(isAllowed(a), q).toBe(false);
      expect(a.decision.reason).toContain('pull the images first (docker pull), then build without --pull');
      expect(a.decision.queryParam).toBe('pull');
    }
  });

  it('holds for any rule with dockerfile conditions, even one that does not name version', () => {
    const text = 'version: 1\nrules:\n  - id: b\n    effect: allow\n    endpoints: [images.build]\n    dockerfile: { registries: [docker.io] }\n';
    const r = loadPolicyText(text, 'p.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const policy = compilePolicy(r.document, 'p.yaml', text);
    expect(isAllowed(decide(policy, { method: 'POST', target: '/build' }))).toBe(true);
    const a = decide(policy, { method: 'POST', target: '/build?version=2' });
    expect(isAllowed(a)).toBe(false);
    expect(a.decision.reason).toMatch(/classic builder .*BuildKit \(version=2\) is not allowed by it/);
  });
});

describe('network subnets through untrusted-create and ci-runner: the engine\'s pools only', () => {
  it.each(['untrusted-create', 'ci-runner'])('%s refuses a subnet, range or gateway the client picks, naming the list', (name) => {
    expect(isAllowed(decide(preset(name), { method: 'POST', target: '/networks/create', body: { Name: 'n', IPAM: { Driver: 'default', Config: [] } } }))).toBe(true);
    for (const config of [{ Subnet: '192.168.1.0/30' }, { IPRange: '10.0.0.0/30' }, { Gateway: '10.0.0.1' }]) {
      const a = decide(preset(name), { method: 'POST', target: '/networks/create', body: { Name: 'n', IPAM: { Config: [config] } } });
      expect(isAllowed(a), JSON.stringify(config)).toBe(false);
      expect(a.decision.bodyPointer).toBe('/IPAM/Config');
      expect(a.decision.reason).toContain('IPAM.Config is not one of them');
    }
  });
});
