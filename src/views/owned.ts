/**
 * What an owning profile sees of a container: its own labels, not the reserved labels its image
 * carried into it (policy/ownership.ts withoutInheritedLabels). sockgate creates no container
 * from an image with reserved labels, so such a label on a container did not come from sockgate.
 */

import type { CompiledPolicy, CompiledTarget } from '../policy/compile.js';
import { containerListEntry, RESERVED_LABEL_PREFIX, type TargetFacts } from '../inspect/engine-answers.js';
import { withoutInheritedLabels } from '../policy/ownership.js';
import { filterContainerList } from '../policy/scope.js';

/** Whether the image (by id) carries a reserved label; rejects when the engine cannot tell. */
export type CarriesReserved = (imageId: string) => Promise<boolean>;

/**
 * A looked-up container as an owning profile must see it. The image is asked only for a
 * container that carries a reserved label; a failed lookup rejects.
 */
export async function ownedFacts(policy: CompiledPolicy, facts: TargetFacts, carriesReserved: CarriesReserved): Promise<TargetFacts> {
  if (policy.owner === null || !Object.keys(facts.labels).some((k) => k.startsWith(RESERVED_LABEL_PREFIX))) return facts;
  const inherited = facts.imageId === undefined || facts.imageId === '' ? true : await carriesReserved(facts.imageId);
  return inherited ? { ...facts, labels: withoutInheritedLabels(facts.labels, true) } : facts;
}

/** A resolution (of a target or a named object) as an owning profile sees it; a failed image lookup fails it. */
export async function ownedView<R extends { readonly ok: boolean; readonly facts?: TargetFacts; readonly reason?: string }>(
  policy: CompiledPolicy,
  resolved: R,
  carriesReserved: CarriesReserved,
): Promise<R> {
  if (!resolved.ok || resolved.facts === undefined || ('kind' in resolved.facts && resolved.facts.kind !== 'container')) return resolved;
  try {
    return { ...resolved, facts: await ownedFacts(policy, resolved.facts, carriesReserved) };
  } catch (err) {
    return { ...resolved, ok: false, facts: undefined, reason: (err as Error).message };
  }
}

/** An owning profile's container list: entries judged by their own labels, not their image's. */
export async function ownedContainerList(policy: CompiledPolicy, scope: CompiledTarget, answer: unknown, carriesReserved: CarriesReserved): Promise<unknown> {
  const entries: unknown[] = Array.isArray(answer) ? answer : [];
  return filterContainerList(entries, scope, await Promise.all(entries.map((e) => ownedFacts(policy, containerListEntry(e), carriesReserved))));
}
