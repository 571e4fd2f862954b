/**
 * Stage "decide": an admission that depends on what the engine holds (the container acted on,
 * the objects a body names, a create's image and volumes) is completed by asking the engine, and
 * the gate decides again on the answers. And what is forwarded: exactly the checked target.
 */

import { admitCreateLookups, admitRefs, admitTarget, type Admission } from '../gate.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { resolveImage, resolveRef, resolveTarget, resolveVolume } from '../proxy/resolve-target.js';
import { targetWithContainerId, targetWithParam } from '../request/targets.js';
import { ownedView } from '../views/owned.js';
import { TARGET_LOOKUP_TIMEOUT_MS, type Gateway } from './gateway.js';

/** Look up what a pending admission depends on and decide; an admission that is final is returned as it is. */
export async function resolveAndDecide(g: Gateway, policy: CompiledPolicy, pending: Admission): Promise<Admission> {
  let admission = pending;
  if (admission.needsBody || admission.code !== null) return admission;
  const carriesReserved = (imageId: string): Promise<boolean> => g.imageLabels.carriesReserved(imageId);
  if (admission.volumeLookups !== undefined || admission.imageLookup !== undefined) {
    // A container create: what its image and named volumes stand for (gate.ts admitCreateLookups).
    const image = admission.imageLookup;
    const [volumes, resolvedImage] = await Promise.all([
      Promise.all((admission.volumeLookups ?? []).map((name) => resolveVolume(g.pool, name, TARGET_LOOKUP_TIMEOUT_MS))),
      image === undefined ? Promise.resolve(null) : resolveImage(g.pool, image, TARGET_LOOKUP_TIMEOUT_MS),
    ]);
    admission = admitCreateLookups(policy, admission, { volumes, image: resolvedImage });
    if (admission.code !== null) return admission;
  }
  if (admission.targetRef !== undefined && admission.target === undefined) {
    const ref = admission.targetRef;
    const resolved = await g.targetCache.lookup(ref, () => resolveTarget(g.pool, ref, TARGET_LOOKUP_TIMEOUT_MS));
    admission = admitTarget(policy, admission, await ownedView(policy, resolved, carriesReserved));
  }
  if (admission.refs !== undefined) {
    const resolved = await Promise.all(admission.refs.map(async (ref) => ownedView(policy, await resolveRef(g.pool, ref, TARGET_LOOKUP_TIMEOUT_MS), carriesReserved)));
    admission = admitRefs(policy, admission, resolved);
  }
  return admission;
}

/** What to send upstream: the checked target, naming a resolved container or network by its full id. */
export function forwardTarget(admission: Admission): string {
  const { normalized, endpoint, target, pathObjectId } = admission;
  if (normalized === null) return '';
  if (endpoint !== null && pathObjectId !== undefined) return targetWithParam(normalized, endpoint, 'id', pathObjectId);
  return target !== undefined && endpoint !== null ? targetWithContainerId(normalized, endpoint, target.id) : normalized.target;
}
