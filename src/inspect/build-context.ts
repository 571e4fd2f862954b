/**
 * The Dockerfile of an uploaded build context, checked against what a policy lets a build fetch:
 * the classic builder reads it from the context after the upload (moby
 * builder/remotecontext/detect.go: the `dockerfile` parameter, "Dockerfile" by default, with
 * "dockerfile" tried when that is missing), so every entry it could read is checked. Pure.
 */
import { imageRegistry } from '../request/engine-values.js';
import { readDockerfile } from './dockerfile.js';
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
 * unreadable.
 */
export function buildContextProblem(entries: readonly TarEntry[], param: string, rules: readonly DockerfileRule[]): string | null {
  const names = dockerfileCandidates(param);
  const found = entries.filter((e) => names.has(e.name));
  if (found.length === 0) return `the context has no ${[...names].join(' or ')} (the Dockerfile the build names) where sockgate can read it`;
  for (const e of found) {
    if (e.type !== '0' && e.type !== '\0') return `${e.name} in the context is not a regular file (a link or directory), which sockgate does not follow`;
    if (e.data === null) return `${e.name} in the context is larger than sockgate reads`;
    const read = readDockerfile(e.data.toString('utf8'));
    if (!read.ok) return `${e.name} line ${read.line}: ${read.reason}`;
    let why: string | null = null;
    for (const rule of rules) {
      const url = read.urls[0];
      const image = read.images.find((i) => !rule.registries.has(imageRegistry(i.ref) ?? ''));
      if (url === undefined && image === undefined) {
        why = null;
        break;
      }
      why =
        url !== undefined
          ? `${e.name} line ${url.line}: ADD ${url.url} makes the engine download it from the host's network; rule ${rule.ruleId} allows no ADD of a URL`
          : `${e.name} line ${image!.line}: ${image!.ref} is on registry ${imageRegistry(image!.ref) ?? '?'}, which rule ${rule.ruleId} does not list (${[...rule.registries].join(', ')})`;
    }
    if (why !== null) return why;
  }
  return null;
}
