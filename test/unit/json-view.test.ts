import { describe, expect, it } from 'vitest';
import { list, obj, str, stringMap } from '../../src/json-view.js';

describe('reading untyped JSON without trusting its shape', () => {
  it.each<[string, unknown, unknown]>([
    ['an object as it is', { a: 1 }, { a: 1 }],
    ['null as an empty object', null, {}],
    ['a list as an empty object', [1], {}],
    ['a string as an empty object', 'x', {}],
    ['a number as an empty object', 3, {}],
  ])('obj reads %s', (_what, value, expected) => {
    expect(obj(value)).toEqual(expected);
  });

  it('obj gives the same object, not a copy', () => {
    const o = { a: 1 };
    expect(obj(o)).toBe(o);
  });

  it.each<[string, unknown, unknown[]]>([
    ['a list as it is', [1, 'a'], [1, 'a']],
    ['an object as an empty list', { 0: 'a', length: 1 }, []],
    ['null as an empty list', null, []],
  ])('list reads %s', (_what, value, expected) => {
    expect(list(value)).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ['a string as it is', 'abc', 'abc'],
    ['a number as an empty string', 12, ''],
    ['a boolean as an empty string', true, ''],
    ['null as an empty string', null, ''],
  ])('str reads %s', (_what, value, expected) => {
    expect(str(value)).toBe(expected);
  });

  it.each<[string, unknown, Record<string, string>]>([
    ['keeps string entries', { a: 'b', c: '' }, { a: 'b', c: '' }],
    ['leaves out entries of other kinds', { a: 'b', n: 1, t: true, z: null, o: {} }, { a: 'b' }],
    ['reads a value that is no object as an empty map', ['a'], {}],
  ])('stringMap %s', (_what, value, expected) => {
    expect(stringMap(value)).toEqual(expected);
  });
});
