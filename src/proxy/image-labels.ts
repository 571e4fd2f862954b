/**
 * Whether an image carries sockgate's reserved labels (io.sockgate.*), by image id. A container
 * inherits its image's labels, and sockgate creates no container from an image that carries
 * them (gate.ts admitCreateLookups), so a container whose image has them did not get its owner
 * label from sockgate (policy/ownership.ts withoutInheritedLabels). Image ids name content, which
 * never changes: answers are kept (a bounded number, oldest dropped first).
 */
import type { Dispatcher } from 'undici';
import { RESERVED_LABEL_PREFIX } from '../inspect/engine-answers.js';
import { resolveImage } from './resolve-target.js';

const MAX_ENTRIES = 4_096;

export interface ImageLabelCache {
  /** true: the image carries a reserved label; rejects when the engine cannot say (fail closed) */
  carriesReserved(imageId: string): Promise<boolean>;
}

export function createImageLabelCache(dispatcher: Dispatcher, timeoutMs: number): ImageLabelCache {
  const known = new Map<string, boolean>();
  return {
    async carriesReserved(imageId) {
      const hit = known.get(imageId);
      if (hit !== undefined) return hit;
      const image = await resolveImage(dispatcher, imageId, timeoutMs);
      if (!image.ok) throw new Error(`image ${imageId} could not be looked up (${image.reason})`);
      // An image that is gone cannot be inherited from any more than before: its containers keep
      // what they inherited, so it is not known to be clean.
      if (!image.exists) throw new Error(`image ${imageId} of the container is gone, so whether its labels came from it is not known`);
      const reserved = Object.keys(image.labels).some((k) => k.startsWith(RESERVED_LABEL_PREFIX));
      if (known.size >= MAX_ENTRIES) known.delete(known.keys().next().value!);
      known.set(imageId, reserved);
      return reserved;
    },
  };
}
