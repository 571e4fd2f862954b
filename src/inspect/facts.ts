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
  /** per fact list, the JSON pointer of the body field each element was read from */
  readonly from: { readonly hostPaths: string[]; readonly volumes: string[]; readonly volumeDriverOptions: string[] };
}

/** Facts and, for audit records, where in the body each list element came from (BodyView.factPointers). */
export interface SourcedFacts {
  readonly facts: Record<string, unknown>;
  readonly pointers: Record<string, readonly string[]>;
}

const newMountFacts = (): MountFacts => ({ hostPaths: [], volumes: [], volumeDriverOptions: [], from: { hostPaths: [], volumes: [], volumeDriverOptions: [] } });

function add<K extends 'hostPaths' | 'volumes'>(into: MountFacts, name: K, value: string, pointer: string): void {
  into[name].push(value);
  into.from[name].push(pointer);
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

/** Collect what a list of mount.Mount (container HostConfig.Mounts, service ContainerSpec.Mounts, at pointer `at`) takes from the host. */
function collectMounts(mounts: unknown, into: MountFacts, at: string): void {
  list(mounts).forEach((m, i) => {
    const mount = obj(m);
    const here = `${at}/${i}`;
    const type = mountType(str(mount['Type']));
    if (type === 'BIND' || type === 'NPIPE') add(into, 'hostPaths', str(mount['Source']), `${here}/Source`);
    if (type === 'VOLUME') {
      if (str(mount['Source'])) add(into, 'volumes', str(mount['Source']), `${here}/Source`);
      const options = obj(obj(obj(mount['VolumeOptions'])['DriverConfig'])['Options']);
      const optionsAt = `${here}/VolumeOptions/DriverConfig/Options`;
      // The local driver mounts `device` with mount(8) options `o` (o=bind: any host path).
      if (Object.keys(options).length > 0) {
        into.volumeDriverOptions.push(options);
        into.from.volumeDriverOptions.push(optionsAt);
      }
      if (str(options['device'])) add(into, 'hostPaths', str(options['device']), `${optionsAt}/device`);
    }
  });
}

// Empty lists are reported as null so that `exists: true` means "at least one".
function report(facts: MountFacts): SourcedFacts {
  return {
    facts: { hostPaths: orNull(facts.hostPaths), volumes: orNull(facts.volumes), volumeDriverOptions: orNull(facts.volumeDriverOptions) },
    pointers: facts.from,
  };
}

/** hostConfigFacts, with the body pointer of each element (the HostConfig found at `at`). */
export function hostConfigFactsSourced(hostConfig: unknown, at = '/HostConfig'): SourcedFacts {
  const hc = obj(hostConfig);
  const facts = newMountFacts();
  list(hc['Binds']).forEach((b, i) => {
    const p = parseBind(str(b));
    if (p.hostPath !== null) add(facts, 'hostPaths', p.hostPath, `${at}/Binds/${i}`);
    if (p.volume !== null) add(facts, 'volumes', p.volume, `${at}/Binds/${i}`);
  });
  collectMounts(hc['Mounts'], facts, `${at}/Mounts`);
  list(hc['Devices']).forEach((d, i) => {
    const dev = obj(d);
    if (str(dev['PathOnHost'])) add(facts, 'hostPaths', str(dev['PathOnHost']), `${at}/Devices/${i}/PathOnHost`);
  });
  return report(facts);
}

/** Facts of a container create (or any body carrying a HostConfig): host paths and volumes it mounts. */
export function hostConfigFacts(hostConfig: unknown): Record<string, unknown> {
  return hostConfigFactsSourced(hostConfig).facts;
}

/** serviceSpecFacts, with the body pointer of each element. */
export function serviceSpecFactsSourced(spec: unknown): SourcedFacts {
  const facts = newMountFacts();
  collectMounts(obj(obj(obj(spec)['TaskTemplate'])['ContainerSpec'])['Mounts'], facts, '/TaskTemplate/ContainerSpec/Mounts');
  return report(facts);
}

/** Facts of a service create/update: the host paths and volumes its task containers would mount. */
export function serviceSpecFacts(spec: unknown): Record<string, unknown> {
  return serviceSpecFactsSourced(spec).facts;
}

/** volumeCreateFacts, with the body pointer of each element. */
export function volumeCreateFactsSourced(body: unknown): SourcedFacts {
  const options = obj(obj(body)['DriverOpts']);
  const device = str(options['device']);
  return { facts: { hostPaths: device ? [device] : null }, pointers: { hostPaths: device ? ['/DriverOpts/device'] : [] } };
}

/** Facts of a volume create: the host path a local-driver volume would mount, if any. */
export function volumeCreateFacts(body: unknown): Record<string, unknown> {
  return volumeCreateFactsSourced(body).facts;
}
