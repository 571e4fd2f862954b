/**
 * The Dockerfile of an uploaded build context, checked against what a policy lets a build fetch:
 * the classic builder reads it from the context after the upload (moby
 * builder/remotecontext/detect.go: the `dockerfile` parameter, "Dockerfile" by default, with
 * "dockerfile" tried when that is missing), so every entry it could read is checked. Pure.
 */
import { imageRegistry } from '../request/engine-values.js';
import { readDockerfile, type DockerfileFetches } from './dockerfile.js';
import { cleanTarName, type TarEntry } from './tar-reader.js';

/** The context entries the builder may read as the Dockerfile, for the `dockerfile` parameter. */
export function dockerfileCandidates(param: string): ReadonlySet<string> {
  const name = cleanTarName(param === '' ? 'Dockerfile' : param);
  return new Set(name === 'Dockerfile' ? ['Dockerfile', 'dockerfile'] : [name]);
}

export interface DockerfileRule {
  readonly ruleId: string;
  /** lower-cased registry hosts */
  readonly registries: ReadonlySet<string>;
}

/**
 * Why the build may not go on, or null when the Dockerfile keeps to one of the rules (any of them
 * allows the build). Refused as well: no Dockerfile entry, one that is a link, too large, or
 * unreadable. The ONBUILD triggers of its base images are checked after this, once the engine has
 * been asked for them (onBuildProblem).
 */
export function buildContextProblem(entries: readonly TarEntry[], param: string, rules: readonly DockerfileRule[]): string | null {
  const read = readDockerfiles(entries, param);
  if (!read.ok) return read.reason;
  for (const { name, fetches } of read.files) {
    const why = fetchesProblem(fetches, (line) => `${name} line ${line}`, rules);
    if (why !== null) return why;
  }
  return null;
}

/** A base image of the build (a FROM that names an image), with where the Dockerfile names it. */
export interface BaseImage {
  readonly ref: string;
  /** "Dockerfile line 3" */
  readonly at: string;
}

/** The images the build's stages are FROM, in every Dockerfile entry the builder may read (after buildContextProblem found none). */
export function buildBaseImages(entries: readonly TarEntry[], param: string): BaseImage[] {
  const read = readDockerfiles(entries, param);
  return read.ok ? read.files.flatMap(({ name, fetches }) => fetches.bases.map((b) => ({ ref: b.ref, at: `${name} line ${b.line}` }))) : [];
}

/**
 * What the base image's ONBUILD triggers (its Config.OnBuild, instructions the classic builder
 * runs right after FROM, as if they stood there: builder/dockerfile dispatchers.go
 * dispatchTriggeredOnBuild) make the engine fetch, checked as the Dockerfile's own instructions;
 * null when one rule allows them. A base image the engine does not have is refused: it would pull
 * it and run triggers nobody has read.
 */
export function onBuildProblem(base: BaseImage, image: { readonly exists: boolean; readonly onBuild: readonly string[] }, rules: readonly DockerfileRule[]): string | null {
  if (!image.exists) return `${base.at}: FROM ${base.ref} is not on the engine, which would pull it and run its ONBUILD triggers before sockgate could read them; pull it first (docker pull ${base.ref}), then build`;
  if (image.onBuild.length === 0) return null;
  const read = readDockerfile(image.onBuild.join('\n'));
  const trigger = (line: number): string => `${base.at}: the ONBUILD trigger "${image.onBuild[line - 1] ?? ''}" of ${base.ref}`;
  if (!read.ok) return `${trigger(read.line)} cannot be read (${read.reason})`;
  return fetchesProblem(read, trigger, rules);
}

/** Every Dockerfile entry the builder may read, read; or why the context is refused. */
function readDockerfiles(entries: readonly TarEntry[], param: string): { ok: true; files: { name: string; fetches: DockerfileFetches }[] } | { ok: false; reason: string } {
  const names = dockerfileCandidates(param);
  const found = entries.filter((e) => names.has(e.name));
  if (found.length === 0) return { ok: false, reason: `the context has no ${[...names].join(' or ')} (the Dockerfile the build names) where sockgate can read it` };
  const files: { name: string; fetches: DockerfileFetches }[] = [];
  for (const e of found) {
    if (e.type !== '0' && e.type !== '\0') return { ok: false, reason: `${e.name} in the context is not a regular file (a link or directory), which sockgate does not follow` };
    if (e.data === null) return { ok: false, reason: `${e.name} in the context is larger than sockgate reads` };
    const read = readDockerfile(e.data.toString('utf8'));
    if (!read.ok) return { ok: false, reason: `${e.name} line ${read.line}: ${read.reason}` };
    files.push({ name: e.name, fetches: read });
  }
  return { ok: true, files };
}

/** Why what a Dockerfile (or a base image's triggers) fetches breaks every rule; null when one rule allows it. `at` names a line. */
function fetchesProblem(read: DockerfileFetches, at: (line: number) => string, rules: readonly DockerfileRule[]): string | null {
  let why: string | null = null;
  for (const rule of rules) {
    const url = read.urls[0];
    const image = read.images.find((i) => !rule.registries.has(imageRegistry(i.ref) ?? ''));
    if (url === undefined && image === undefined) return null;
    why =
      url !== undefined
        ? `${at(url.line)}: ADD ${url.url} makes the engine download it from the host's network; rule ${rule.ruleId} allows no ADD of a URL`
        : `${at(image!.line)}: ${image!.ref} is on registry ${imageRegistry(image!.ref) ?? '?'}, which rule ${rule.ruleId} does not list (${[...rule.registries].join(', ')})`;
  }
  return why;
}
