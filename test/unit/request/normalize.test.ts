import { describe, expect, it } from 'vitest';
import { checkTargetSyntax, decodePathSegments, encodeTarget, normalizeRequest, readApiVersion } from '../../../src/request/normalize.js';

function ok(target: string, method = 'GET') {
  const r = normalizeRequest(method, target);
  if (!r.ok) throw new Error(`expected ${target} to normalise, got ${r.rejection.reason}`);
  return r.request;
}

function rejected(target: string) {
  const r = normalizeRequest('GET', target);
  if (r.ok) throw new Error(`expected ${target} to be rejected, got ${r.request.path}`);
  return r.rejection;
}

describe('normalizeRequest', () => {
  it('strips a version prefix and keeps it for forwarding', () => {
    const r = ok('/v1.41/containers/json?all=1');
    expect(r.apiVersion).toBe('1.41');
    expect(r.path).toBe('/containers/json');
    expect(r.target).toBe('/v1.41/containers/json?all=1');
  });

  it('reads versioned and unversioned spellings as the same path', () => {
    expect(ok('/containers/json').path).toBe(ok('/v1.24/containers/json').path);
    expect(ok('/v1.51/containers/json').apiVersion).toBe('1.51');
  });

  it('refuses an API version newer than the newest sockgate knows (1.51), whose routes and bodies it cannot check', () => {
    for (const target of ['/v1.52/containers/create', '/v2/containers/json', '/v1.100/_ping']) {
      const r = normalizeRequest('GET', target);
      expect(r.ok, target).toBe(false);
      if (!r.ok) {
        expect(r.rejection.code).toBe('SOCKGATE_DENY_API_VERSION');
        expect(r.rejection.reason).toContain('newer than 1.51');
      }
    }
  });

  it('decodes percent-encoding exactly once and re-encodes canonically', () => {
    const r = ok('/containers/%2561/json');
    expect(r.path).toBe('/containers/%61/json');
    expect(r.target).toBe('/containers/%2561/json');
    const s = ok('/containers/%61%62c/json');
    expect(s.path).toBe('/containers/abc/json');
    expect(s.target).toBe('/containers/abc/json');
  });

  it('treats an encoded version prefix as the version prefix, as the engine router does', () => {
    const r = ok('/%761.41/containers/json');
    expect(r.apiVersion).toBe('1.41');
    expect(r.path).toBe('/containers/json');
  });

  it('keeps ":" "@" and "+" in path segments literal (image references)', () => {
    const r = ok('/images/registry.example.com:5000/team/app@sha256:abc/json');
    expect(r.path).toBe('/images/registry.example.com:5000/team/app@sha256:abc/json');
    expect(r.target).toBe(r.path);
    expect(ok('/containers/a+b/json').path).toBe('/containers/a+b/json');
  });

  it('parses the query as a multimap the way Go url.ParseQuery does', () => {
    const r = ok('/images/get?names=a&names=b&x=1+2&y=%2B&flag&&z=');
    expect(r.query.get('names')).toEqual(['a', 'b']);
    expect(r.query.get('x')).toEqual(['1 2']);
    expect(r.query.get('y')).toEqual(['+']);
    expect(r.query.get('flag')).toEqual(['']);
    expect(r.query.get('z')).toEqual(['']);
    expect(r.target).toBe('/images/get?names=a&names=b&x=1%202&y=%2B&flag=&z=');
  });

  it('keeps JSON filters intact through decode and re-encode', () => {
    const filters = JSON.stringify({ label: ['a=b'], status: ['running'] });
    const r = ok(`/containers/json?filters=${encodeURIComponent(filters)}`);
    expect(r.query.get('filters')).toEqual([filters]);
    const again = ok(r.target);
    expect(again.query.get('filters')).toEqual([filters]);
  });

  it('accepts the root path and a bare version prefix', () => {
    expect(ok('/').path).toBe('/');
    const r = ok('/v1.41');
    expect(r.path).toBe('/');
    expect(r.target).toBe('/v1.41');
  });

  it.each([
    ['http://docker/containers/json', 'absolute-form'],
    ['*', 'asterisk-form'],
    ['docker:2375', 'authority-form'],
    ['/containers/../images/json', 'dot-dot segment'],
    ['/containers/./json', 'dot segment'],
    ['/containers/%2e%2e/json', 'encoded dot-dot'],
    ['/containers/%2E/json', 'encoded dot'],
    ['/containers/.%2e/json', 'half-encoded dot-dot'],
    ['/containers//json', 'empty segment'],
    ['//containers/json', 'leading double slash'],
    ['/containers/json/', 'trailing slash'],
    ['/containers/a%2Fb/json', 'encoded slash'],
    ['/containers/a%5Cb/json', 'encoded backslash'],
    ['/containers/a\\b/json', 'raw backslash'],
    ['/containers/a%00/json', 'encoded NUL'],
    ['/containers/a%0A/json', 'encoded newline'],
    ['/containers/a%7F/json', 'encoded DEL'],
    ['/containers/a b/json', 'raw space'],
    ['/containers/a\tb/json', 'raw tab'],
    ['/containers/\u00e9/json', 'raw non-ASCII'],
    ['/containers/json#frag', 'fragment'],
    ['/containers/%zz/json', 'bad percent-encoding'],
    ['/containers/%4/json', 'truncated percent-encoding'],
    ['/containers/%C3%28/json', 'invalid UTF-8'],
    ['/containers/%ED%A0%80/json', 'UTF-8 surrogate'],
    ['/' + 'a'.repeat(9000), 'over-long target'],
  ])('rejects %s (%s)', (target) => {
    expect(rejected(target).code).toBe('SOCKGATE_DENY_REQUEST_TARGET');
  });

  it.each(['/v1..41/containers/json', '/v./containers/json', '/v1.41.0/containers/json', '/v.41/containers/json', '/v1./containers/json', '/v12345/containers/json', '/v1.041/containers/json', '/v01.41/containers/json'])(
    'rejects the odd version prefix %s that the engine route would still accept',
    (target) => {
      expect(rejected(target).code).toBe('SOCKGATE_DENY_API_VERSION');
    },
  );

  it.each(['/v1.23/containers/x/start', '/v1.12/containers/json', '/v1/containers/json', '/v0.99/_ping'])('refuses API versions older than 1.24: %s', (target) => {
    const r = rejected(target);
    expect(r.code).toBe('SOCKGATE_DENY_API_VERSION');
    expect(r.reason).toContain('older than 1.24');
  });

  it('does not take a segment that the engine would not route as a version for one', () => {
    const r = ok('/V1.41/containers/json');
    expect(r.apiVersion).toBeNull();
    expect(r.path).toBe('/V1.41/containers/json');
  });

  it.each([
    ['/containers/json?a=1;b=2', 'semicolon separator'],
    ['/containers/json?a=%zz', 'bad percent-encoding in a value'],
    ['/containers/json?%zz=1', 'bad percent-encoding in a key'],
    ['/containers/json?a=%C3%28', 'invalid UTF-8 in a value'],
  ])('rejects the query %s (%s)', (target) => {
    expect(rejected(target).code).toBe('SOCKGATE_DENY_QUERY');
  });

  it('round-trips: normalising the forwarded target gives the same request', () => {
    for (const t of ['/v1.41/containers/a%20b/json?filters=%7B%22x%22%3A1%7D&all=true', '/images/ubuntu:22.04/json', '/_ping']) {
      const once = ok(t);
      const twice = ok(once.target);
      expect(twice.path).toBe(once.path);
      expect(twice.target).toBe(once.target);
      expect([...twice.query]).toEqual([...once.query]);
    }
  });
});

/** Assert that a step refused with `code` and a reason containing `reason`. */
function expectRefused(r: { ok: boolean; rejection?: { code: string; reason: string } } | null, code: string, reason: string): void {
  expect(r?.ok).toBe(false);
  expect(r?.rejection?.code).toBe(code);
  expect(r?.rejection?.reason).toContain(reason);
}

describe('the steps of normalizeRequest', () => {
  it.each([
    ['an origin-form target', '/containers/json?all=1', null],
    ['the root', '/', null],
    ['a target of exactly 8192 bytes', '/' + 'a'.repeat(8191), null],
    ['a target of 8193 bytes', '/' + 'a'.repeat(8192), 'longer than 8192 bytes'],
    ['a relative path', 'containers/json', 'must be a path starting with "/"'],
    ['an empty target', '', 'must be a path starting with "/"'],
    ['a raw space', '/a b', 'contains byte 0x20 at offset 2'],
    ['a fragment', '/a#b', 'contains "#" at offset 2'],
    ['a backslash', '/a\\b', 'contains "\\" at offset 2'],
    ['a raw non-ASCII character', '/\u00e9', 'contains byte 0xe9 at offset 1'],
  ])('checkTargetSyntax refuses %s with a reason naming the problem, or accepts it', (_what, target, reason) => {
    const r = checkTargetSyntax(target);
    if (reason === null) expect(r).toBeNull();
    else expectRefused(r, 'SOCKGATE_DENY_REQUEST_TARGET', reason);
  });

  it.each([
    ['/', []],
    ['/containers/json', ['containers', 'json']],
    ['/v1.41/_ping', ['v1.41', '_ping']],
    ['/a%20b/%2561', ['a b', '%61']],
    ['/a+b/c:d@e', ['a+b', 'c:d@e']],
  ])('decodePathSegments(%j) decodes each segment once: %j', (path, segments) => {
    expect(decodePathSegments(path)).toEqual({ ok: true, value: segments });
  });

  it.each([
    ['/a//b', 'empty segment'],
    ['/a/', 'empty segment'],
    ['/a/%zz', 'invalid percent-encoding'],
    ['/a/%2e%2E', 'is a dot segment'],
    ['/a/.', 'is a dot segment'],
    ['/a%2Fb', 'decodes to "/"'],
    ['/a%00', 'NUL or a control character'],
  ])('decodePathSegments(%j) refuses: %s', (path, reason) => {
    expectRefused(decodePathSegments(path), 'SOCKGATE_DENY_REQUEST_TARGET', reason);
  });

  it.each([
    [undefined, null],
    ['containers', null],
    ['V1.41', null],
    ['v1.41', '1.41'],
    ['v1.24', '1.24'],
    ['v1.51', '1.51'],
  ])('readApiVersion(%j) is %j', (first, version) => {
    expect(readApiVersion(first)).toEqual({ ok: true, value: version });
  });

  it.each([
    ['v1.041', 'is not a version prefix'],
    ['v1.', 'is not a version prefix'],
    ['v1.23', 'older than 1.24'],
    ['v1.52', 'newer than 1.51'],
  ])('readApiVersion(%j) refuses: %s', (first, reason) => {
    expectRefused(readApiVersion(first), 'SOCKGATE_DENY_API_VERSION', reason);
  });

  it.each<[string | null, string[], [string, string[]][], string]>([
    [null, [], [], '/'],
    ['1.41', [], [], '/v1.41'],
    ['1.41', ['containers', 'json'], [['all', ['1']]], '/v1.41/containers/json?all=1'],
    [null, ['containers', 'a b/c'], [['x', ['1 2', '+']], ['flag', ['']]], '/containers/a%20b%2Fc?x=1%202&x=%2B&flag='],
  ])('encodeTarget(%j, %j, %j) is %j', (version, segments, query, target) => {
    expect(encodeTarget(version, segments, new Map(query))).toBe(target);
  });
});
