/**
 * Ownership mode and sockgate's reserved labels. Pure.
 *
 * A profile with `ownership: true` owns what it creates: sockgate writes the owner label
 * (io.sockgate.owner=<profile name>) into every container, volume and network create it
 * forwards, replacing whatever the client sent under the reserved prefix, and the profile sees
 * and acts only on objects that carry its own owner label. No client, in any profile, may set a
 * label under the reserved prefix itself: that would let it hand objects to a profile, or claim
 * them for one.
 */

import { list, obj, stringMap } from '../json-view.js';
import { PREDEFINED_NETWORKS } from '../inspect/references.js';
import { endpointSpec, endpointsWith, type EndpointId, type EndpointIdSet } from '../request/endpoints.js';
import { compileMatcher, type CompiledPolicy, type CompiledTarget } from './compile.js';
import { inScope } from './evaluate.js';
import { RESERVED_LABEL_PREFIX, type ObjectFacts } from '../inspect/engine-answers.js';

export const OWNER_LABEL = `${RESERVED_LABEL_PREFIX}owner`;

/** Endpoints whose bodies can set labels (EndpointSpec.labelPlaces): sockgate always reads them to keep the reserved prefix out. */
export const LABELLING_ENDPOINTS: EndpointIdSet = endpointsWith('labelPlaces');

/** Endpoints whose created object gets the owner label in ownership mode (EndpointSpec.ownedCreate). */
export const OWNED_CREATE_ENDPOINTS: EndpointIdSet = endpointsWith('ownedCreate');

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every label map at a place (expanding `*`), with its pointer. */
function labelMaps(value: unknown, place: string): { pointer: string; labels: Record<string, string> }[] {
  let current: { pointer: string; value: unknown }[] = [{ pointer: '', value }];
  for (const part of place.split('/').slice(1)) {
    current =
      part === '*'
        ? current.flatMap((c) => list(c.value).map((v, i) => ({ pointer: `${c.pointer}/${i}`, value: v })))
        : current.map((c) => ({ pointer: `${c.pointer}/${part}`, value: obj(c.value)[part] }));
  }
  return current.map((c) => ({ pointer: c.pointer, labels: stringMap(c.value) }));
}

export interface ReservedLabel {
  readonly pointer: string;
  readonly label: string;
}

/**
 * The first label under the reserved prefix in a decoded body, or null. With
 * `skipOwnedTopLevel`, the top-level Labels of an owned create are skipped (sockgate rewrites them).
 */
export function reservedLabelIn(endpoint: EndpointId, value: unknown, skipOwnedTopLevel = false): ReservedLabel | null {
  for (const place of endpointSpec(endpoint).labelPlaces ?? []) {
    if (skipOwnedTopLevel && place === '/Labels' && OWNED_CREATE_ENDPOINTS.has(endpoint)) continue;
    for (const { pointer, labels } of labelMaps(value, place)) {
      for (const label of Object.keys(labels)) {
        if (label.startsWith(RESERVED_LABEL_PREFIX)) return { pointer: `${pointer}/${escapePointer(label)}`, label };
      }
    }
  }
  return null;
}

/** Queries that put labels on images (build `labels`, a JSON map), which containers created from them inherit. */
export function reservedLabelInQuery(endpoint: EndpointId | null, query: ReadonlyMap<string, readonly string[]>): ReservedLabel | null {
  if (endpoint === 'images.build') {
    for (const raw of query.get('labels') ?? []) {
      if (raw === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        // The engine would refuse it too; sockgate does not guess what it means.
        return { pointer: '?labels', label: '(unreadable labels parameter)' };
      }
      for (const label of Object.keys(obj(parsed))) if (label.startsWith(RESERVED_LABEL_PREFIX)) return { pointer: '?labels', label };
    }
  }
  if (endpoint === 'images.commit' || endpoint === 'images.create') {
    // Dockerfile instructions (`LABEL k=v`, with quotes, escapes and ${VAR} substitution): read
    // without quotes and backslashes, any mention of the prefix (or a substitution in a LABEL) is refused.
    for (const change of query.get('changes') ?? []) {
      const plain = change.replace(/["'\\\s]/g, '').toLowerCase();
      if (plain.includes(RESERVED_LABEL_PREFIX) || (/^\s*label\b/i.test(change) && change.includes('$'))) return { pointer: '?changes', label: change.slice(0, 100) };
    }
  }
  return null;
}

/** Labels of an owned create: the client's, without any reserved one, plus the owner label. */
export function ownedLabels(clientLabels: unknown, owner: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(stringMap(clientLabels))) if (!k.startsWith(RESERVED_LABEL_PREFIX)) labels[k] = v;
  labels[OWNER_LABEL] = owner;
  return labels;
}

/** A policy bound to the profile that serves it: in ownership mode, its owner and the owner condition on what it sees. */
export function bindOwner(policy: CompiledPolicy, profileName: string): CompiledPolicy {
  if (!policy.ownership) return policy;
  const owned = [OWNER_LABEL, compileMatcher({ equals: profileName })] as const;
  const scope: CompiledTarget =
    policy.scope === null ? { name: null, image: null, labels: [owned] } : { ...policy.scope, labels: [...policy.scope.labels, owned] };
  return Object.freeze({ ...policy, owner: profileName, scope: Object.freeze(scope), inspectsTargets: true });
}

/**
 * A container's labels with those it inherited from its image taken out: when the image carries
 * reserved labels (io.sockgate.*: a Dockerfile LABEL, a commit of an owned container, a pulled
 * image), the container was not created through sockgate, which refuses such images, so its
 * reserved labels are not sockgate's and do not make it anyone's.
 */
export function withoutInheritedLabels(labels: Readonly<Record<string, string>>, imageCarriesReserved: boolean): Readonly<Record<string, string>> {
  if (!imageCarriesReserved) return labels;
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith(RESERVED_LABEL_PREFIX)));
}

/** Whether a client of this policy may see and use an object. */
export function objectVisible(policy: CompiledPolicy, o: ObjectFacts): boolean {
  if (o.kind === 'container') return inScope(policy, o);
  if (policy.owner === null) return true;
  if (o.labels[OWNER_LABEL] === policy.owner) return true;
  // The engine's own networks belong to no one; any profile may attach to them.
  return o.kind === 'network' && PREDEFINED_NETWORKS.has(o.name);
}

/** Endpoints that act on every object of a kind at once (prune, disk usage), which a scoped or owning profile cannot be allowed. */
export function sweepingEndpoint(policy: CompiledPolicy, endpoint: EndpointId | null): string | null {
  if (policy.scope !== null && (endpoint === 'containers.prune' || endpoint === 'system.dataUsage')) return 'containers outside this profile\'s view';
  if (policy.owner !== null && (endpoint === 'volumes.prune' || endpoint === 'networks.prune')) return `${endpoint.split('.')[0]} this profile does not own`;
  return null;
}
