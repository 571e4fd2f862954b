/**
 * Scoped views: what a client of a policy with a `scope` may see in answers that list
 * containers or report events. Pure: the decoded answer in, the visible part out.
 */

import type { CompiledPolicy, CompiledTarget } from './compile.js';
import { list, obj, str, stringMap } from '../json-view.js';
import { objectVisible, type ObjectFacts } from './ownership.js';
import { targetHolds, type TargetFacts } from './evaluate.js';

/** A container as the engine's inspect answer describes it, or null without a valid id. */
export function containerFromInspect(answer: unknown): TargetFacts | null {
  const c = obj(answer);
  const config = obj(c['Config']);
  const id = str(c['Id']);
  if (!/^[0-9a-f]{64}$/.test(id)) return null;
  return { id, name: str(c['Name']).replace(/^\//, ''), image: str(config['Image']), labels: stringMap(config['Labels']), imageId: str(c['Image']) };
}

/** A container's own name in a list entry: the one of `Names` that is not a link alias ("/a/b"). */
function primaryName(names: unknown): string {
  const list = Array.isArray(names) ? names.map(str) : [];
  const own = list.find((n) => n.lastIndexOf('/') === 0) ?? list[0] ?? '';
  return own.replace(/^\//, '');
}

/** A GET /containers/json entry as target facts. */
export function containerListEntry(entry: unknown): TargetFacts {
  const e = obj(entry);
  return { id: str(e['Id']), name: primaryName(e['Names']), image: str(e['Image']), labels: stringMap(e['Labels']), imageId: str(e['ImageID']) };
}

/**
 * GET /containers/json: keep the entries the scope covers (anything unreadable is dropped).
 * `facts`, one per entry, may correct what the entries say (labels inherited from an image).
 */
export function filterContainerList(list: unknown, scope: CompiledTarget, facts?: readonly TargetFacts[]): unknown[] {
  if (!Array.isArray(list)) return [];
  return list.filter((entry, i) => targetHolds(scope, facts?.[i] ?? containerListEntry(entry)));
}

/**
 * One event of GET /events: visible only if it is about a container the scope covers. The
 * engine puts a container's labels, name and image in the event's Actor.Attributes; events
 * about other objects (images, networks, volumes, the daemon) are not shown.
 */
export function eventVisible(event: unknown, scope: CompiledTarget): boolean {
  const e = obj(event);
  if (str(e['Type']) !== 'container') return false;
  const actor = obj(e['Actor']);
  const attributes = stringMap(actor['Attributes']);
  const facts: TargetFacts = { id: str(actor['ID']), name: attributes['name'] ?? '', image: attributes['image'] ?? '', labels: attributes };
  return targetHolds(scope, facts);
}

/** A volume or network as the engine describes it (inspect or list entry); a volume's id is its name. */
export function objectFromAnswer(kind: 'volume' | 'network', answer: unknown): ObjectFacts {
  const o = obj(answer);
  const name = str(o['Name']);
  return { kind, id: kind === 'network' ? str(o['Id']) : name, name, image: '', labels: stringMap(o['Labels']) };
}

/** GET /volumes ({Volumes, Warnings}): keep the volumes this policy may see. */
export function filterVolumeList(answer: unknown, policy: CompiledPolicy): unknown {
  const a = obj(answer);
  return { ...a, Volumes: list(a['Volumes']).filter((v) => objectVisible(policy, objectFromAnswer('volume', v))) };
}

/** GET /networks: keep the networks this policy may see, without the containers attached to them. */
export function filterNetworkList(answer: unknown, policy: CompiledPolicy): unknown[] {
  return list(answer)
    .filter((n) => objectVisible(policy, objectFromAnswer('network', n)))
    .map(withoutNetworkContainers);
}

/** A network's answer without its `Containers` (a shared network lists other profiles' containers). */
export function withoutNetworkContainers(network: unknown): unknown {
  const o = obj(network);
  return 'Containers' in o ? { ...o, Containers: {} } : network;
}
