import { describe, expect, it } from 'vitest';
import { buildBaseImages, buildContextProblem, dockerfileCandidates, onBuildProblem } from '../../../src/inspect/build-context.js';
import { readDockerfile } from '../../../src/inspect/dockerfile.js';
import { createTarReader } from '../../../src/inspect/tar-reader.js';
import { tarOf } from '../../helpers/tar.js';

const RULES = [{ ruleId: 'allow-image-build', registries: new Set(['docker.io', 'ghcr.io']) }];

const entriesOf = (tar: Buffer, wanted = dockerfileCandidates('')) => {
  const r = createTarReader((n) => wanted.has(n), 1 << 20);
  // split into odd-sized pieces: the reader is incremental
  for (let i = 0; i < tar.length; i += 333) {
    const step = r.push(tar.subarray(i, i + 333));
    if (!step.ok) throw new Error(step.reason);
  }
  return r.entries;
};

describe('the tar reader', () => {
  it.each(['gnu', 'posix', 'ustar'] as const)('reads %s archives: names (long ones too) and the data of wanted entries', (format) => {
    const long = `${'d'.repeat(120)}/Dockerfile`;
    const entries = entriesOf(tarOf({ Dockerfile: 'FROM busybox\n', [long]: 'x', 'a/b.txt': 'hello' }, { format }), new Set(['Dockerfile', long]));
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['Dockerfile', long, 'a/b.txt']));
    expect(entries.find((e) => e.name === 'Dockerfile')!.data!.toString()).toBe('FROM busybox\n');
    expect(entries.find((e) => e.name === 'a/b.txt')!.data).toBeNull();
  });

  it('refuses what is not a tar archive', () => {
    const r = createTarReader(() => true, 1024);
    expect(r.push(Buffer.alloc(512, 0x41)).ok).toBe(false);
  });
});

describe('what a Dockerfile makes the engine fetch', () => {
  it('finds the images it pulls and the URLs it downloads, through continuations, comments, flags and stages', () => {
    const r = readDockerfile(
      '# escape=\\\\\nFROM --platform=linux/amd64 golang:1.22 AS build\n# a comment\nRUN echo \\\\\n  hi\nCOPY --from=build /x /y\nCOPY --from=ghcr.io/a/b:1 /z /z\nadd https://example.com/f /f\nADD ["local", "/l"]\nFROM scratch\nFROM build\n',
    );
    expect(r).toMatchObject({ ok: true, images: [{ ref: 'golang:1.22', line: 2 }, { ref: 'ghcr.io/a/b:1', line: 7 }], urls: [{ url: 'https://example.com/f', line: 8 }] });
  });

  it('refuses variables in image references and ADD sources, which it does not expand', () => {
    expect(readDockerfile('ARG R=127.0.0.1:5000\nFROM ${R}/x\n')).toMatchObject({ ok: false, line: 2 });
    expect(readDockerfile('FROM busybox\nADD $URL /x\n')).toMatchObject({ ok: false, line: 2 });
  });
});

describe('a build context against a rule\'s Dockerfile conditions', () => {
  const problem = (files: Record<string, string | { symlink: string }>, param = '') => buildContextProblem(entriesOf(tarOf(files), dockerfileCandidates(param)), param, RULES);

  it('lets through a Dockerfile whose images are on listed registries', () => {
    expect(problem({ Dockerfile: 'FROM busybox\nRUN true\n' })).toBeNull();
    expect(problem({ 'ci/Build.df': 'FROM ghcr.io/x/y\n' }, 'ci/./Build.df')).toBeNull();
  });

  it.each([
    ['a FROM on the host\'s loopback', { Dockerfile: 'FROM 127.0.0.1:5000/x\n' }, 'registry 127.0.0.1:5000'],
    ['an ADD of a URL', { Dockerfile: 'FROM busybox\nADD http://169.254.169.254/latest /m\n' }, 'ADD http://169.254.169.254/latest'],
    ['a bad lower-case dockerfile beside a good Dockerfile... only one of them exists here', { dockerfile: 'FROM localhost/x\n' }, 'registry localhost'],
    ['no Dockerfile at all', { 'other.txt': 'x' }, 'has no Dockerfile or dockerfile'],
    ['a Dockerfile that is a symbolic link', { real: 'FROM busybox\n', Dockerfile: { symlink: 'real' } }, 'not a regular file'],
  ])('refuses %s', (_what, files, says) => {
    expect(problem(files as Record<string, string | { symlink: string }>)).toContain(says);
  });
});

describe('the ONBUILD triggers of a build\'s base images', () => {
  const bases = (dockerfile: string) => buildBaseImages(entriesOf(tarOf({ Dockerfile: dockerfile })), '');

  it('are read from the images every stage is FROM (not from stages, not from scratch, not from COPY --from)', () => {
    expect(bases('FROM busybox AS a\nFROM a\nFROM scratch\nCOPY --from=ghcr.io/x/y /a /b\nFROM ghcr.io/o/base:1\n')).toEqual([
      { ref: 'busybox', at: 'Dockerfile line 1' },
      { ref: 'ghcr.io/o/base:1', at: 'Dockerfile line 5' },
    ]);
  });

  const base = { ref: 'busybox', at: 'Dockerfile line 1' };
  it('let a base image without triggers, or with triggers that fetch nothing forbidden, through', () => {
    expect(onBuildProblem(base, { exists: true, onBuild: [] }, RULES)).toBeNull();
    expect(onBuildProblem(base, { exists: true, onBuild: ['RUN make', 'COPY . /src', 'COPY --from=ghcr.io/x/y /a /b'] }, RULES)).toBeNull();
  });

  it.each([
    [['RUN true', 'ADD http://127.0.0.1:8080/x /x'], 'Dockerfile line 1: the ONBUILD trigger "ADD http://127.0.0.1:8080/x /x" of busybox: ADD http://127.0.0.1:8080/x makes the engine download it'],
    [['COPY --from=127.0.0.1:5000/x /a /b'], 'the ONBUILD trigger "COPY --from=127.0.0.1:5000/x /a /b" of busybox: 127.0.0.1:5000/x is on registry 127.0.0.1:5000'],
    [['ADD $URL /x'], 'cannot be read (ADD $URL: sockgate does not expand variables'],
  ])('refuse triggers %j, saying which and why', (onBuild, says) => {
    expect(onBuildProblem(base, { exists: true, onBuild }, RULES)).toContain(says);
  });

  it('refuse a base image the engine does not have: it would pull it and run triggers no one has read', () => {
    expect(onBuildProblem(base, { exists: false, onBuild: [] }, RULES)).toBe(
      'Dockerfile line 1: FROM busybox is not on the engine, which would pull it and run its ONBUILD triggers before sockgate could read them; pull it first (docker pull busybox), then build',
    );
  });
});
