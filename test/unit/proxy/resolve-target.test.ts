import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { resolveImage, resolveRef, resolveTarget, resolveVolume } from '../../../src/proxy/resolve-target.js';
import { startFakeDaemon, type FakeDaemon, type FakeHandler } from '../../helpers/fake-daemon.js';

const ID = 'a'.repeat(64);
const NET_ID = 'n'.repeat(25);
const CONTAINER = { Id: ID, Name: '/web', Image: 'sha256:' + 'b'.repeat(64), Config: { Image: 'nginx', Labels: { team: 'a', n: 1 } } };

/** path the engine was asked → [status, body]; anything else is a 404 */
let answers: Record<string, [number, unknown]> = {};
let daemon: FakeDaemon;
let pool: Pool;

const answer: FakeHandler = (req, res) => {
  const [status, body] = answers[req.url ?? ''] ?? [404, { message: 'no such object' }];
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

beforeAll(async () => {
  daemon = await startFakeDaemon();
  daemon.handler = answer;
  pool = new Pool('http://localhost', { socketPath: daemon.socketPath });
});
afterEach(() => {
  answers = {};
  daemon.handler = answer;
  daemon.received.length = 0;
});
afterAll(async () => {
  await pool?.close();
  await daemon?.close();
});

describe('resolving the container a request acts on', () => {
  it('asks the engine to inspect the reference as the client wrote it, path-encoded', async () => {
    answers['/containers/we%20b/json'] = [200, CONTAINER];
    const r = await resolveTarget(pool, { via: 'container', ref: 'we b' }, 1000);
    expect(r).toEqual({ ok: true, facts: { id: ID, name: 'web', image: 'nginx', labels: { team: 'a' }, imageId: CONTAINER.Image } });
    expect(daemon.received.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /containers/we%20b/json']);
  });

  it('resolves an exec instance to its container first', async () => {
    answers['/exec/e1/json'] = [200, { ContainerID: ID }];
    answers[`/containers/${ID}/json`] = [200, CONTAINER];
    const r = await resolveTarget(pool, { via: 'exec', ref: 'e1' }, 1000);
    expect(r.ok && r.facts.id).toBe(ID);
    expect(daemon.received.map((c) => c.url)).toEqual(['/exec/e1/json', `/containers/${ID}/json`]);
  });

  it.each<[string, Record<string, [number, unknown]>, 'container' | 'exec', RegExp]>([
    ['a container that does not exist', {}, 'container', /^no such container: x$/],
    ['an engine error', { '/containers/x/json': [500, { message: 'boom' }] }, 'container', /answered 500 .* container x/],
    ['an answer without a valid id', { '/containers/x/json': [200, { ...CONTAINER, Id: 'short' }] }, 'container', /has no valid id/],
    ['an answer that is not JSON', { '/containers/x/json': [200, 'not json'] }, 'container', /has no valid id/],
    ['an exec instance that does not exist', {}, 'exec', /^no such exec instance: x$/],
    ['an exec lookup the engine fails', { '/exec/x/json': [503, {}] }, 'exec', /answered 503 .* exec instance x/],
    ['an exec instance without a container', { '/exec/x/json': [200, { ContainerID: 7 }] }, 'exec', /did not say which container/],
  ])('fails, with the reason, for %s', async (_what, given, via, reason) => {
    answers = given;
    const r = await resolveTarget(pool, { via, ref: 'x' }, 1000);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('fails, never guesses, when the engine cannot be reached', async () => {
    const dead = new Pool('http://localhost', { socketPath: `${daemon.socketPath}.missing` });
    const r = await resolveTarget(dead, { via: 'container', ref: 'x' }, 1000);
    await dead.close();
    expect(!r.ok && r.reason).toMatch(/^sockgate could not look up the container: /);
  });

  it('fails when the engine does not answer in time', async () => {
    daemon.handler = () => undefined;
    const r = await resolveTarget(pool, { via: 'container', ref: 'slow' }, 100);
    expect(!r.ok && r.reason).toMatch(/could not look up the container/);
  });

  it('fails on an inspect answer larger than 4 MiB', async () => {
    answers['/containers/big/json'] = [200, JSON.stringify({ ...CONTAINER, Pad: 'x'.repeat(4 * 1024 * 1024) })];
    const r = await resolveTarget(pool, { via: 'container', ref: 'big' }, 5000);
    expect(!r.ok && r.reason).toMatch(/cut off or is larger than 4194304 bytes/);
  });
});

describe('resolving an object a request names', () => {
  it.each<['container' | 'volume' | 'network', string, unknown, unknown]>([
    ['container', '/containers/c/json', CONTAINER, { kind: 'container', id: ID, name: 'web' }],
    ['volume', '/volumes/c', { Name: 'data', Labels: { a: 'b' } }, { kind: 'volume', id: 'data', name: 'data', labels: { a: 'b' } }],
    ['network', '/networks/c', { Name: 'net', Id: NET_ID }, { kind: 'network', id: NET_ID, name: 'net' }],
  ])('looks up a %s at its inspect path', async (kind, path, answer, facts) => {
    answers[path] = [200, answer];
    const r = await resolveRef(pool, { kind, ref: 'c', pointer: '/x' }, 1000);
    expect(r).toMatchObject({ ok: true, ref: { kind, ref: 'c' }, facts });
  });

  it.each<[string, 'container' | 'volume' | 'network', string, Record<string, [number, unknown]>, RegExp]>([
    ['an empty reference', 'volume', '', {}, /^no volume named$/],
    ['a missing network', 'network', 'n', {}, /^no such network: n$/],
    ['an engine error', 'volume', 'v', { '/volumes/v': [500, {}] }, /answered 500 .* volume v/],
    ['a container answer without a valid id', 'container', 'c', { '/containers/c/json': [200, { Id: 'x' }] }, /has no valid id/],
    ['a volume answer without a name', 'volume', 'v', { '/volumes/v': [200, { Name: '' }] }, /no valid name or id/],
    ['a network answer whose id is not a network id', 'network', 'n', { '/networks/n': [200, { Name: 'n', Id: 'short' }] }, /no valid name or id/],
  ])('fails, with the reason, for %s', async (_what, kind, ref, given, reason) => {
    answers = given;
    const r = await resolveRef(pool, { kind, ref, pointer: '/x' }, 1000);
    expect(r).toMatchObject({ ok: false, ref: { kind, ref } });
    expect(!r.ok && r.reason).toMatch(reason);
  });
});

describe('resolving a named volume', () => {
  it('reports its driver and options, every option value as a string', async () => {
    answers['/volumes/v'] = [200, { Name: 'v', Driver: 'local', Options: { type: 'nfs', o: 3 } }];
    expect(await resolveVolume(pool, 'v', 1000)).toEqual({ name: 'v', ok: true, exists: true, driver: 'local', options: { type: 'nfs', o: '' } });
  });

  it.each<[string, Record<string, [number, unknown]>, unknown]>([
    ['reports a volume that does not exist yet as such', {}, { name: 'v', ok: true, exists: false }],
    ['fails on an engine error', { '/volumes/v': [500, {}] }, { name: 'v', ok: false, reason: 'the engine answered 500 when sockgate looked it up' }],
  ])('%s', async (_what, given, expected) => {
    answers = given;
    expect(await resolveVolume(pool, 'v', 1000)).toEqual(expected);
  });
});

describe('resolving an image', () => {
  it('reports its labels and ONBUILD triggers', async () => {
    answers['/images/busybox:latest/json'] = [200, { Config: { Labels: { a: 'b' }, OnBuild: ['RUN x'] } }];
    expect(await resolveImage(pool, 'busybox:latest', 1000)).toEqual({ ok: true, exists: true, labels: { a: 'b' }, onBuild: ['RUN x'] });
  });

  it.each<[string, Record<string, [number, unknown]>, unknown]>([
    ['reports an image without labels or triggers as having none', { '/images/i/json': [200, { Config: null }] }, { ok: true, exists: true, labels: {}, onBuild: [] }],
    ['reports a missing image as such', {}, { ok: true, exists: false }],
    ['fails on an engine error', { '/images/i/json': [500, {}] }, { ok: false, reason: 'the engine answered 500 when sockgate looked it up' }],
  ])('%s', async (_what, given, expected) => {
    answers = given;
    expect(await resolveImage(pool, 'i', 1000)).toEqual(expected);
  });
});
