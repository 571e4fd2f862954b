import { describe, expect, it } from 'vitest';
import { cleanHostPath, compileBodyCondition } from '../../../src/policy/body.js';
import { isSet, type BodyView } from '../../../src/inspect/body-view.js';
import type { BodyConditionDocument } from '../../../src/policy/document.js';
import { loadPolicyText } from '../../../src/policy/load.js';

const view = (value: unknown, facts: Record<string, unknown> = {}): BodyView => ({ value, facts });
const holds = (c: BodyConditionDocument, v: BodyView): boolean => compileBodyCondition(c)(v, v.value);

describe('body conditions', () => {
  const body = view(
    {
      HostConfig: {
        Privileged: true,
        Binds: ['/etc:/host-etc:ro', 'data:/data'],
        Mounts: [{ Type: 'volume', Source: 'v' }, { Type: 'bind', Source: '/var/run' }],
        Memory: 0,
        NetworkMode: 'container:abc',
        Sysctls: { 'net.ipv4.ip_forward': '1' },
        MaskedPaths: [],
        ReadonlyPaths: null,
      },
    },
    { hostPaths: ['/etc', '/var/run'] },
  );

  it('matches a scalar with equals, oneOf and glob', () => {
    expect(holds({ path: 'HostConfig.Privileged', equals: true }, body)).toBe(true);
    expect(holds({ path: 'HostConfig.Privileged', equals: false }, body)).toBe(false);
    expect(holds({ path: 'HostConfig.NetworkMode', oneOf: ['host', 'none'] }, body)).toBe(false);
    expect(holds({ path: 'HostConfig.NetworkMode', glob: '*:abc' }, body)).toBe(true);
    expect(holds({ path: 'HostConfig.NetworkMode', glob: 'host' }, body)).toBe(false);
  });

  it('tells a mode that names another container, however the container is spelled, with containerRef', () => {
    // daemon.GetContainer resolves a full id, a name with or without "/", and any id prefix.
    for (const mode of ['container:abc', 'container:/abc', 'container:3f2a', 'container:/a/b', 'container:']) {
      expect(holds({ path: 'M', containerRef: true }, view({ M: mode })), mode).toBe(true);
      expect(holds({ path: 'M', containerRef: false }, view({ M: mode })), mode).toBe(false);
    }
    // The key must be exactly "container" (strings.Cut(val, ":")): anything else is a network name or a mode.
    for (const mode of ['host', 'none', 'Container:abc', ' container:abc', 'mynet', '']) {
      expect(holds({ path: 'M', containerRef: true }, view({ M: mode })), mode).toBe(false);
    }
    expect(holds({ path: 'Absent', containerRef: false }, view({}))).toBe(true);
  });

  it('treats an empty list as not set, but tells it from null with isNull, as Go tells nil from empty', () => {
    expect(holds({ path: 'HostConfig.MaskedPaths', exists: true }, body)).toBe(false);
    expect(holds({ path: 'HostConfig.MaskedPaths', isNull: false }, body)).toBe(true);
    expect(holds({ path: 'HostConfig.ReadonlyPaths', isNull: true }, body)).toBe(true);
    expect(holds({ path: 'HostConfig.Sysctls', exists: true }, body)).toBe(true);
    expect(holds({ path: 'HostConfig.ReadonlyPaths', exists: true }, body)).toBe(false);
    expect(holds({ path: 'HostConfig.Memory', exists: false }, body)).toBe(true);
    expect(holds({ path: 'HostConfig.Nope.Deeper', exists: false }, body)).toBe(true);
  });

  it('quantifies over list elements and map values', () => {
    expect(holds({ path: 'HostConfig.Mounts', any: [{ path: 'Type', equals: 'bind' }] }, body)).toBe(true);
    expect(holds({ path: 'HostConfig.Mounts', all: [{ path: 'Type', equals: 'volume' }] }, body)).toBe(false);
    expect(holds({ path: 'HostConfig.Mounts', none: [{ path: 'Type', equals: 'tmpfs' }] }, body)).toBe(true);
    expect(holds({ path: 'HostConfig.Binds', any: [{ path: '', glob: '/etc:/**' }] }, body)).toBe(true);
    expect(holds({ path: 'HostConfig.Sysctls', any: [{ path: '', equals: '1' }] }, body)).toBe(true);
    // all over nothing is true, any over nothing is false
    expect(holds({ path: 'HostConfig.Devices', all: [{ path: 'PathOnHost', equals: 'x' }] }, body)).toBe(true);
    expect(holds({ path: 'HostConfig.Devices', any: [{ path: 'PathOnHost', exists: true }] }, body)).toBe(false);
  });

  it('compares host paths after cleaning them', () => {
    const facts = (p: string) => view({}, { hostPaths: [p] });
    const under = (p: string) => holds({ path: '$facts.hostPaths', any: [{ path: '', pathPrefix: ['/srv/ci'] }] }, facts(p));
    expect(under('/srv/ci')).toBe(true);
    expect(under('/srv/ci/job/1')).toBe(true);
    expect(under('/srv/ci/../../etc')).toBe(false);
    expect(under('/srv/ci-other')).toBe(false);
    expect(under('//srv//ci/./x/')).toBe(true);
    expect(under('relative/srv/ci')).toBe(false);
    expect(cleanHostPath('/a/b/../c/')).toBe('/a/c');
    expect(cleanHostPath('/../..')).toBe('/');
  });

  it('compares numbers, including big integers, with gte and lte', () => {
    const v = view({ Memory: 2n ** 60n, Small: 5 });
    expect(holds({ path: 'Memory', gte: 1e9 }, v)).toBe(true);
    expect(holds({ path: 'Small', gte: 1, lte: 5 }, v)).toBe(true);
    expect(holds({ path: 'Small', lte: 4 }, v)).toBe(false);
  });

  it('reads the derived facts under $facts', () => {
    expect(holds({ path: '$facts.hostPaths', exists: true }, body)).toBe(true);
    expect(isSet(null)).toBe(false);
  });
});

describe('body conditions in policies', () => {
  const rule = (body: string, endpoints = '[containers.create]') =>
    loadPolicyText(`version: 1\nrules:\n  - id: r\n    effect: deny\n    endpoints: ${endpoints}\n    body:\n${body}`, 'p.yaml');

  it('refuses a pattern over "container:…", which cannot check a container reference, and says to use containerRef', () => {
    for (const cond of ['{ path: HostConfig.NetworkMode, glob: "{host,container:*}" }', '{ path: HostConfig.IpcMode, equals: "container:db" }', '{ path: HostConfig.PidMode, oneOf: [host, "container:db"] }']) {
      const r = rule(`      - ${cond}\n`);
      expect(r.ok, cond).toBe(false);
      expect(r.ok ? '' : r.problems[0]!.message, cond).toMatch(/container:\/NAME and any id prefix.*containerRef: true/);
    }
    const q = loadPolicyText('version: 1\nrules:\n  - id: r\n    effect: deny\n    endpoints: [images.build]\n    query:\n      networkmode: { glob: "container:*" }\n', 'p.yaml');
    expect(q.ok ? '' : q.problems[0]!.message).toMatch(/containerRef/);
  });

  it('accepts every matcher and quantifier', () => {
    const r = rule(
      [
        '      - { path: HostConfig.Privileged, equals: true }',
        '      - { path: HostConfig.NetworkMode, oneOf: [host, none] }',
        '      - { path: HostConfig.PidMode, containerRef: true }',
        '      - { path: HostConfig.UTSMode, glob: "h*" }',
        '      - { path: HostConfig.Sysctls, exists: true }',
        '      - { path: HostConfig.Memory, gte: 0, lte: 1073741824 }',
        '      - { path: $facts.hostPaths, any: [{ path: "", pathPrefix: [/srv] }] }',
        '      - { path: HostConfig.Mounts, all: [{ path: Type, equals: volume }] }',
        '      - { path: HostConfig.Mounts, none: [{ path: Type, equals: bind }] }',
      ].join('\n') + '\n',
    );
    expect(r.ok ? [] : r.problems).toEqual([]);
  });

  it('refuses body conditions on endpoints whose body sockgate does not decode', () => {
    const r = rule('      - { path: Foo, exists: true }\n', '[images.build]');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.message).toContain('body conditions need endpoints whose body sockgate decodes');
  });

  it('accepts "" at the top level as the body itself (a plugin pull\'s privilege list)', () => {
    expect(rule('      - { path: "", exists: true }\n').ok).toBe(true);
  });

  it('refuses body conditions with paths instead of endpoints, two matchers, or bad paths', () => {
    const withPaths = loadPolicyText('version: 1\nrules:\n  - id: r\n    effect: deny\n    paths: [/containers/create]\n    body:\n      - { path: A, exists: true }\n', 'p.yaml');
    expect(withPaths.ok).toBe(false);
    const two = rule('      - { path: A, exists: true, equals: 1 }\n');
    expect(two.ok).toBe(false);
    const bad = rule('      - { path: "A..B", exists: true }\n');
    expect(bad.ok).toBe(false);
    const relPrefix = rule('      - { path: $facts.hostPaths, any: [{ path: "", pathPrefix: [srv/../x] }] }\n');
    expect(relPrefix.ok).toBe(false);
  });
});
