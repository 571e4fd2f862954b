import { describe, expect, it } from 'vitest';
import { goTrimSpace, isEngineTrue } from '../../../src/request/engine-values.js';

describe('isEngineTrue (httputils.BoolValue)', () => {
  it.each(['', '0', 'no', 'false', 'none', 'FALSE', ' False ', 'NO', '\u0085false\u00a0', '\tnone\n'])('reads %j as false', (v) => {
    expect(isEngineTrue(v)).toBe(false);
  });
  it.each(['1', 'true', 'yes', 'on', 'anything', '\ufeff0', '\ufefffalse', 'f', 'n'])('reads %j as true', (v) => {
    expect(isEngineTrue(v)).toBe(true);
  });
});

describe('goTrimSpace', () => {
  it('trims what Go trims and keeps U+FEFF, which Go does not treat as space', () => {
    expect(goTrimSpace('\u0085 x \u3000')).toBe('x');
    expect(goTrimSpace('\ufeffx')).toBe('\ufeffx');
  });
});
