import { describe, expect, it } from 'vitest';
import { newRequestId } from '../../../src/proxy/request-id.js';

describe('request ids', () => {
  it('are 8 bytes in lower-case hex', () => {
    expect(newRequestId()).toMatch(/^[0-9a-f]{16}$/);
  });

  it('do not repeat across several refills of the random pool', () => {
    const ids = Array.from({ length: 512 * 3 + 7 }, () => newRequestId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});
