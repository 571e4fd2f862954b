/**
 * The bodies real clients send for ordinary workloads (recorded from the docker CLI 28.2,
 * docker-py 5, dockerode 4, compose 1.29 and 2.40 against engine 28.5: test/fixtures/bodies/)
 * pass the allow-lists of the presets that let clients create.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../../src/policy/files.js';
import { decide } from '../../helpers/gate-record.js';

const ROOT = join(import.meta.dirname, '../../..');
const DIR = join(ROOT, 'test/fixtures/bodies');
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe.each(['untrusted-create.yaml', 'ci-runner.yaml'])('policies/%s', (preset) => {
  const policy = loadPolicyFile(join(ROOT, 'policies', preset));
  it.each(FIXTURES)('allows %s', (file) => {
    const { uri, body } = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { uri: string; body: unknown };
    const a = decide(policy, { method: 'POST', target: uri, body });
    expect(a.decision.effect, a.decision.reason).toBe('allow');
  });
});

describe('named volumes through policies/untrusted-create.yaml', () => {
  const policy = loadPolicyFile(join(ROOT, 'policies/untrusted-create.yaml'));
  const create = (hostConfig: Record<string, unknown>) => ({ method: 'POST', target: '/containers/create', body: { Image: 'busybox', Cmd: ['true'], HostConfig: hostConfig } });

  it('allow a volume that does not exist yet, or a plain local one', () => {
    expect(decide(policy, create({ Binds: ['fresh:/d'] })).decision.effect).toBe('allow');
    expect(decide(policy, create({ Binds: ['plain:/d'] }), { plain: { name: 'plain', ok: true, exists: true, driver: 'local', options: {} } }).decision.effect).toBe('allow');
  });

  it.each([
    ['Binds', { Binds: ['rootfs:/host'] }, '/HostConfig/Binds/0'],
    ['Mounts', { Mounts: [{ Type: 'volume', Source: 'rootfs', Target: '/host' }] }, '/HostConfig/Mounts/0/Source'],
  ])('refuse, by %s, a volume someone created with o=bind,device=/: its device is a host path', (_how, hc, pointer) => {
    const a = decide(policy, create(hc), { rootfs: { name: 'rootfs', ok: true, exists: true, driver: 'local', options: { type: 'none', o: 'bind', device: '/' } } });
    expect(a.decision).toMatchObject({ effect: 'deny', ruleId: 'deny-host-paths', bodyPointer: pointer });
    expect(a.bodyFacts).toMatchObject({ hostPaths: ['/'] });
  });

  it('refuse a volume of another driver (a network filesystem, a plugin), and one that cannot be looked up', () => {
    const nfs = decide(policy, create({ Binds: ['share:/d'] }), { share: { name: 'share', ok: true, exists: true, driver: 'vieux/sshfs', options: {} } });
    expect(nfs.decision).toMatchObject({ effect: 'deny', ruleId: 'deny-host-paths' });
    expect(nfs.bodyFacts).toMatchObject({ hostPaths: ['volume:share'] });
    const gone = decide(policy, create({ Binds: ['x:/d'] }), { x: { name: 'x', ok: false, reason: 'the engine answered 500' } });
    expect(gone.code).toBe('SOCKGATE_DENY_BODY');
    expect(gone.decision.reason).toContain('volume "x" could not be looked up (the engine answered 500)');
  });
});

describe('the image of a container create', () => {
  const policy = loadPolicyFile(join(ROOT, 'policies/ci-runner.yaml'));
  const create = { method: 'POST', target: '/containers/create', body: { Image: 'app', Cmd: ['true'] } };

  it('is refused when it carries io.sockgate.* labels, which every container from it would inherit', () => {
    const a = decide(policy, create, {}, { ok: true, exists: true, labels: { 'io.sockgate.owner': 'ci-runner', other: 'x' } });
    expect(a.code).toBe('SOCKGATE_DENY_RESERVED_LABEL');
    expect(a.decision.reason).toContain('image "app" carries the label "io.sockgate.owner"');
  });

  it('is refused when it cannot be looked up, and left to the engine when it does not exist', () => {
    expect(decide(policy, create, {}, { ok: false, reason: 'the engine answered 500' }).code).toBe('SOCKGATE_DENY_BODY');
    expect(decide(policy, create, {}, { ok: true, exists: false }).decision.effect).toBe('allow');
  });
});

describe('policies/watchtower-updater.yaml', () => {
  const policy = loadPolicyFile(join(ROOT, 'policies/watchtower-updater.yaml'));
  const WT = join(ROOT, 'test/fixtures/watchtower');
  it.each(readdirSync(WT))('allows the recreate body Watchtower builds from an inspect (%s), every field of it listed', (file) => {
    const { uri, body } = JSON.parse(readFileSync(join(WT, file), 'utf8')) as { uri: string; body: Record<string, unknown> };
    expect(decide(policy, { method: 'POST', target: uri, body }).decision.effect).toBe('allow');
    // a field no known engine version has is refused by its allow-list
    const future = { ...body, HostConfig: { ...(body['HostConfig'] as Record<string, unknown>), HostRootFs: '/' } };
    expect(decide(policy, { method: 'POST', target: uri, body: future }).decision).toMatchObject({ effect: 'deny', bodyPointer: '/HostConfig/HostRootFs' });
  });
});
