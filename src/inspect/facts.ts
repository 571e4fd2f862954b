/**
 * Derived facts about a decoded body, addressed in rules as `$facts.<name>`. They answer the
 * questions policies ask ("which host paths would this mount?") in one place, reading the
 * engine's own formats, so rule authors need not re-implement bind-string parsing.
 */

import { list, obj, str, type JsonObject as Obj } from '../json-view.js';

const orNull = <T>(xs: T[]): T[] | null => (xs.length > 0 ? xs : null);

/**
 * A bind string as moby's Linux parser reads it (volume/mounts/linux_parser.go ParseMountRaw):
 * "src:dst[:mode]" split on ":"; an absolute src is a host path (bind), any other non-empty src
 * is a volume name; a single part is an anonymous volume.
 */
export function parseBind(spec: string): { hostPath: string | null; volume: string | null } {
  const parts = spec.split(':');
  if (parts.length < 2) return { hostPath: null, volume: null };
  const src = parts[0]!;
  if (src.startsWith('/')) return { hostPath: src, volume: null };
  return { hostPath: null, volume: src === '' ? null : src };
}

interface MountFacts {
  readonly hostPaths: string[];
  readonly volumes: string[];
  readonly volumeDriverOptions: Obj[];
}

/** Go's strings.ToUpper: each code point by its simple mapping (no expansions such as ß → SS). */
function goToUpper(s: string): string {
  let out = '';
  for (const ch of s) {
    const up = ch.toUpperCase();
    out += [...up].length === 1 ? up : ch;
  }
  return out;
}

/**
 * The mount type as the engine will use it. Swarm services convert it with
 * `Mount_MountType_value[strings.ToUpper(type)]`, and an empty type stays the enum's zero,
 * BIND (daemon/cluster/convert/container.go): "BIND", "bınd" (dotless ı) and no type at all
 * all bind-mount. Containers accept only the exact lower-case names; reading them the service
 * way there too only adds denials of bodies the engine refuses anyway.
 */
function mountType(type: string): string {
  return type === '' ? 'BIND' : goToUpper(type);
}

/** Collect what a list of mount.Mount (container HostConfig.Mounts, service ContainerSpec.Mounts) takes from the host. */
function collectMounts(mounts: unknown, into: MountFacts): void {
  for (const m of list(mounts)) {
    const mount = obj(m);
    const type = mountType(str(mount['Type']));
    if (type === 'BIND' || type === 'NPIPE') into.hostPaths.push(str(mount['Source']));
    if (type === 'VOLUME') {
      if (str(mount['Source'])) into.volumes.push(str(mount['Source']));
      const options = obj(obj(obj(mount['VolumeOptions'])['DriverConfig'])['Options']);
      // The local driver mounts `device` with mount(8) options `o` (o=bind: any host path).
      if (Object.keys(options).length > 0) into.volumeDriverOptions.push(options);
      if (str(options['device'])) into.hostPaths.push(str(options['device']));
    }
  }
}

// Empty lists are reported as null so that `exists: true` means "at least one".
function report(facts: MountFacts): Record<string, unknown> {
  return { hostPaths: orNull(facts.hostPaths), volumes: orNull(facts.volumes), volumeDriverOptions: orNull(facts.volumeDriverOptions) };
}

/** Facts of a container create (or any body carrying a HostConfig): host paths and volumes it mounts. */
export function hostConfigFacts(hostConfig: unknown): Record<string, unknown> {
  const hc = obj(hostConfig);
  const facts: MountFacts = { hostPaths: [], volumes: [], volumeDriverOptions: [] };
  for (const b of list(hc['Binds'])) {
    const p = parseBind(str(b));
    if (p.hostPath !== null) facts.hostPaths.push(p.hostPath);
    if (p.volume !== null) facts.volumes.push(p.volume);
  }
  collectMounts(hc['Mounts'], facts);
  for (const d of list(hc['Devices'])) {
    const dev = obj(d);
    if (str(dev['PathOnHost'])) facts.hostPaths.push(str(dev['PathOnHost']));
  }
  return report(facts);
}

/** Facts of a service create/update: the host paths and volumes its task containers would mount. */
export function serviceSpecFacts(spec: unknown): Record<string, unknown> {
  const facts: MountFacts = { hostPaths: [], volumes: [], volumeDriverOptions: [] };
  collectMounts(obj(obj(obj(spec)['TaskTemplate'])['ContainerSpec'])['Mounts'], facts);
  return report(facts);
}

/** Facts of a volume create: the host path a local-driver volume would mount, if any. */
export function volumeCreateFacts(body: unknown): Record<string, unknown> {
  const options = obj(obj(body)['DriverOpts']);
  const device = str(options['device']);
  return { hostPaths: device ? [device] : null };
}
