import { describe, expect, it } from 'vitest';
import { inspectBody } from '../../../src/inspect/index.js';
import type { EndpointId } from '../../../src/request/endpoints.js';
import { MAX_SUMMARY_STRING, SET_FIELDS_KEY, SUMMARY_FIELDS, summarizeBody } from '../../../src/inspect/summary.js';

/** The learn-mode summary of a body as the engine would decode it. */
function summary(endpoint: EndpointId, body: unknown): Record<string, unknown> {
  const r = inspectBody(endpoint, Buffer.from(JSON.stringify(body)), 'ignore');
  if (!r.ok) throw new Error(r.message);
  return summarizeBody(endpoint, r.view);
}

const create = (hostConfig: Record<string, unknown>, rest: Record<string, unknown> = {}) => summary('containers.create', { Image: 'nginx', ...rest, HostConfig: hostConfig });

describe('the learn-mode summary of a container create', () => {
  it('records every summarised field, and nothing else but the set fields', () => {
    expect(Object.keys(create({})).sort()).toEqual([...SUMMARY_FIELDS['containers.create']!.map((f) => f.path), SET_FIELDS_KEY].sort());
  });

  it.each<[string, Record<string, unknown>, string, unknown]>([
    ['a flag that is set as true', { Privileged: true }, 'HostConfig.Privileged', true],
    ['a flag at its default as false', { Privileged: false }, 'HostConfig.Privileged', false],
    ['a flag over a list as whether it has anything', { Devices: [{ PathOnHost: '/dev/fuse' }] }, 'HostConfig.Devices', true],
    ['a value as the string itself', { PidMode: 'host' }, 'HostConfig.PidMode', 'host'],
    ['a list as its strings', { CapAdd: ['NET_ADMIN', 'SYS_TIME'] }, 'HostConfig.CapAdd', ['NET_ADMIN', 'SYS_TIME']],
    ['an absent list as null', {}, 'HostConfig.SecurityOpt', null],
    ['an absent nil-able list as nil', {}, 'HostConfig.MaskedPaths', true],
    ['an empty MaskedPaths as not nil (it unmasks /proc)', { MaskedPaths: [] }, 'HostConfig.MaskedPaths', false],
    ['the host paths of binds', { Binds: ['/srv/data:/data:ro', 'named:/v'] }, '$facts.hostPaths', ['/srv/data']],
  ])('records %s', (_what, hostConfig, path, value) => {
    expect(create(hostConfig)[path]).toEqual(value);
  });

  it('records the image', () => {
    expect(create({})['Image']).toBe('nginx');
  });

  it.each([
    ['a value', { PidMode: 'x'.repeat(MAX_SUMMARY_STRING + 1) }, 'HostConfig.PidMode', { tooLong: MAX_SUMMARY_STRING + 1 }],
    ['a list element', { CapAdd: ['SHORT', 'c'.repeat(MAX_SUMMARY_STRING + 5)] }, 'HostConfig.CapAdd', ['SHORT', { tooLong: MAX_SUMMARY_STRING + 5 }]],
    ['nothing at exactly the bound', { PidMode: 'y'.repeat(MAX_SUMMARY_STRING) }, 'HostConfig.PidMode', 'y'.repeat(MAX_SUMMARY_STRING)],
  ])('stands in for an overlong string in %s with its length', (_what, hostConfig, path, value) => {
    expect(create(hostConfig)[path]).toEqual(value);
  });

  it('names the fields a body sets under $fields, but never their values', () => {
    const s = create({ Binds: ['/srv:/srv'] }, { Env: ['PASSWORD=hunter2'], Labels: { secret: 'token-value' }, Cmd: ['sh', '-c', 'echo hidden'] });
    expect(s[SET_FIELDS_KEY]).toEqual(expect.arrayContaining(['Env', 'Cmd', 'Image', 'HostConfig.Binds']));
    const text = JSON.stringify(s);
    for (const secret of ['hunter2', 'token-value', 'echo hidden']) expect(text).not.toContain(secret);
  });
});

describe('the learn-mode summary of other endpoints', () => {
  it.each<[string, EndpointId, unknown, Record<string, unknown>]>([
    ['exec.create', 'exec.create', { Privileged: true, Cmd: ['sh'] }, { Privileged: true, [SET_FIELDS_KEY]: ['Cmd', 'Privileged'] }],
    ['volumes.create', 'volumes.create', { Driver: 'local', DriverOpts: { type: 'nfs' } }, { Driver: 'local', DriverOpts: true }],
    ['networks.create', 'networks.create', { Name: 'n', Driver: 'macvlan', Ingress: true }, { Driver: 'macvlan', Ingress: true, ConfigFrom: true }],
  ])('summarises %s by its own fields', (_what, endpoint, body, expected) => {
    expect(summary(endpoint, body)).toMatchObject(expected);
  });

  it('summarises an endpoint it has no fields or schema for as {}', () => {
    expect(summarizeBody('system.ping', { value: { anything: true }, facts: {} })).toEqual({});
  });
});
