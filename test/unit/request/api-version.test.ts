import { describe, expect, it } from 'vitest';
import { cappedApiVersion, capVersionAnswer, compareApiVersions, NEWEST_API_VERSION } from '../../../src/request/api-version.js';

describe('API versions', () => {
  it('compare by numeric parts, as the engine compares them', () => {
    expect(compareApiVersions('1.9', '1.41')).toBeLessThan(0);
    expect(compareApiVersions('1.51', '1.51')).toBe(0);
    expect(compareApiVersions('2', '1.51')).toBeGreaterThan(0);
    expect(compareApiVersions('x', '1.51')).toBeNaN();
  });

  it('advertise the engine\'s version, or the newest sockgate knows when the engine\'s is newer or unreadable', () => {
    expect(cappedApiVersion('1.41')).toBe('1.41');
    expect(cappedApiVersion(NEWEST_API_VERSION)).toBe(NEWEST_API_VERSION);
    expect(cappedApiVersion('1.52')).toBe(NEWEST_API_VERSION);
    expect(cappedApiVersion('garbage')).toBe(NEWEST_API_VERSION);
  });

  it('cap /version\'s ApiVersion and leave the rest of the answer as it is', () => {
    const answer = { Version: '29.0.0', ApiVersion: '1.52', MinAPIVersion: '1.24' };
    expect(capVersionAnswer(answer)).toEqual({ Version: '29.0.0', ApiVersion: '1.51', MinAPIVersion: '1.24' });
    const current = { Version: '28.5.2', ApiVersion: '1.51' };
    expect(capVersionAnswer(current)).toBe(current);
    expect(capVersionAnswer([1])).toEqual([1]);
  });
});
