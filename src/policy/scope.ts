/**
 * Scoped views: what a client of a policy with a `scope` may see in answers that list
 * containers or report events. Pure: the decoded answer in, the visible part out.
 */

import type { CompiledPolicy, CompiledTarget } from './compile.js';
import { list, obj, str, stringMap } from '../json-view.js';
import { objectVisible } from './ownership.js';
import { targetHolds } from './evaluate.js';
import { containerListEntry, objectFromAnswer, type TargetFacts } from '../inspect/engine-answers.js';

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
