/**
 * What a named volume stands for. A container create that mounts a volume by name ("data:/x" in
 * Binds, a volume mount's Source) gets whatever the volume was created with, possibly by someone
 * else: the local driver with `o=bind,device=/` is the host's root, another driver may be a
 * network filesystem. sockgate looks each named volume up through the engine before deciding
 * (proxy/resolve-target.ts resolveVolume) and adds to the body facts what the volume gives: its
 * device (or, when it has none, `volume:<name>`) to `hostPaths`, and its driver options to
 * `volumeDriverOptions`, for a volume with driver options or with a driver other than "local".
 * A volume that does not exist yet is created by the engine with the local driver and no options
 * (the mount's own VolumeOptions are facts already). Pure.
 *
 * Window: a volume has no id; between the lookup and the engine's create, someone could remove
 * the volume and create another of the same name. Only clients that may create volumes with
 * options could, which the presets refuse.
 */
import type { BodyView } from './body-view.js';

export type ResolvedVolume =
  | { readonly name: string; readonly ok: true; readonly exists: false }
  | { readonly name: string; readonly ok: true; readonly exists: true; readonly driver: string; readonly options: Readonly<Record<string, string>> }
  | { readonly name: string; readonly ok: false; readonly reason: string };

/** Whether a volume gives a container more than a directory of its own: driver options, or a driver that is not local. */
export function volumeReaches(v: ResolvedVolume): boolean {
  return v.ok && v.exists && ((v.driver !== '' && v.driver !== 'local') || Object.keys(v.options).length > 0);
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The body view with what the named volumes give added to its facts (hostPaths, volumeDriverOptions). */
export function withNamedVolumeFacts(view: BodyView, volumes: readonly ResolvedVolume[]): BodyView {
  const names = list(view.facts['volumes']);
  const namePointers = view.factPointers?.['volumes'] ?? [];
  const hostPaths = [...list(view.facts['hostPaths'])];
  const hostPointers = [...(view.factPointers?.['hostPaths'] ?? [])];
  const options = [...list(view.facts['volumeDriverOptions'])];
  const optionPointers = [...(view.factPointers?.['volumeDriverOptions'] ?? [])];
  for (const v of volumes) {
    if (!v.ok || !v.exists || !volumeReaches(v)) continue;
    const pointer = namePointers[names.indexOf(v.name)] ?? '';
    const device = v.options['device'];
    hostPaths.push(typeof device === 'string' && device !== '' ? device : `volume:${v.name}`);
    hostPointers.push(pointer);
    if (Object.keys(v.options).length > 0) {
      options.push(v.options);
      optionPointers.push(pointer);
    }
  }
  return {
    ...view,
    facts: { ...view.facts, hostPaths: hostPaths.length > 0 ? hostPaths : null, volumeDriverOptions: options.length > 0 ? options : null },
    factPointers: { ...(view.factPointers ?? {}), hostPaths: hostPointers, volumeDriverOptions: optionPointers },
  };
}
