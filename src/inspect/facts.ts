/**
 * Derived facts about a decoded body, addressed in rules as `$facts.<name>`. They answer the
 * questions policies ask ("which host paths would this mount?") in one place, reading the
 * engine's own formats, so rule authors need not re-implement bind-string parsing.
 */

type Obj = Readonly<Record<string, unknown>>;

const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
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

/** Facts of a container create (or any body carrying a HostConfig): host paths and volumes it mounts. */
export function hostConfigFacts(hostConfig: unknown): Record<string, unknown> {
  const hc = obj(hostConfig);
  const hostPaths: string[] = [];
  const volumes: string[] = [];
  const volumeDriverOptions: Obj[] = [];
  for (const b of list(hc['Binds'])) {
    const p = parseBind(str(b));
    if (p.hostPath !== null) hostPaths.push(p.hostPath);
    if (p.volume !== null) volumes.push(p.volume);
  }
  for (const m of list(hc['Mounts'])) {
    const mount = obj(m);
    const type = str(mount['Type']);
    if (type === 'bind' || type === 'npipe') hostPaths.push(str(mount['Source']));
    if (type === 'volume') {
      if (str(mount['Source'])) volumes.push(str(mount['Source']));
      const options = obj(obj(obj(mount['VolumeOptions'])['DriverConfig'])['Options']);
      // The local driver mounts `device` with mount(8) options `o` (o=bind: any host path).
      if (Object.keys(options).length > 0) volumeDriverOptions.push(options);
      if (str(options['device'])) hostPaths.push(str(options['device']));
    }
  }
  for (const d of list(hc['Devices'])) {
    const dev = obj(d);
    if (str(dev['PathOnHost'])) hostPaths.push(str(dev['PathOnHost']));
  }
  // Empty lists are reported as null so that `exists: true` means "at least one".
  return { hostPaths: orNull(hostPaths), volumes: orNull(volumes), volumeDriverOptions: orNull(volumeDriverOptions) };
}

/** Facts of a volume create: the host path a local-driver volume would mount, if any. */
export function volumeCreateFacts(body: unknown): Record<string, unknown> {
  const options = obj(obj(body)['DriverOpts']);
  const device = str(options['device']);
  return { hostPaths: device ? [device] : null };
}
