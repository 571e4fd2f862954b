/**
 * Request ids for audit records: 8 random bytes in hex, as before, but drawn from a buffer
 * refilled 512 ids at a time. One randomBytes(8) call per request cost ~5% of sockgate's CPU on
 * small requests (bench/README.md); the ids stay just as unpredictable and unique.
 */

import { randomFillSync } from 'node:crypto';

const ID_BYTES = 8;
const IDS_PER_FILL = 512;
const pool = Buffer.alloc(ID_BYTES * IDS_PER_FILL);
let next = IDS_PER_FILL;

export function newRequestId(): string {
  if (next === IDS_PER_FILL) {
    randomFillSync(pool);
    next = 0;
  }
  const start = next++ * ID_BYTES;
  return pool.toString('hex', start, start + ID_BYTES);
}
