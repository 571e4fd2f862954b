import { describe, expect, it } from 'vitest';
import { goTrimSpace, imageRegistry, isEngineTrue } from '../../../src/request/engine-values.js';

describe('isEngineTrue (httputils.BoolValue)', () => {
  it.each(['', '0', 'no', 'false', 'none', 'FALSE', ' False ', 'NO', '\u0085false\u00a0', '\tnone\n'])('reads %j as false', (v) => {
    expect(isEngineTrue(v)).toBe(false);
  });
  it.each(['1', 'true', 'yes', 'on', 'anything', '\ufeff0', '\ufefffalse', 'f', 'n'])('reads %j as true', (v) => {
    expect(isEngineTrue(v)).toBe(true);
  });
});

describe('goTrimSpace', () => {
  it('trims what Go trims and keeps U+FEFF, which Go does not treat as space', () => {
    expect(goTrimSpace('\u0085 x \u3000')).toBe('x');
    expect(goTrimSpace('\ufeffx')).toBe('\ufeffx');
  });
});

describe('imageRegistry reads a reference as distribution/reference does', () => {
  it.each([
    ['busybox', 'docker.io'],
    ['library/busybox:1.36', 'docker.io'],
    ['docker.io/library/busybox', 'docker.io'],
    ['index.docker.io/x/y', 'docker.io'],
    ['ghcr.io/a/b@sha256:abc', 'ghcr.io'],
    ['GHCR.io/a/b', 'ghcr.io'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000'],
    ['localhost/x', 'localhost'],
    ['[::1]:5000/x', '[::1]:5000'],
    ['Foo/bar', 'foo'],
    ['team/app', 'docker.io'],
  ])('%s is on %s', (ref, registry) => {
    expect(imageRegistry(ref)).toBe(registry);
  });

  it('names no registry for an empty reference', () => {
    expect(imageRegistry('')).toBeNull();
  });
});
