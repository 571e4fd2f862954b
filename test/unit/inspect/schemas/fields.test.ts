import { describe, expect, it } from 'vitest';
import { goInt64, goString, goUint32 } from '../../../../src/inspect/go-types.js';
import { DURATION, EMPTY_STRUCT, embedded, f, field, FILE_MODE, fj, fo, STRING_LIST, STRING_MAP } from '../../../../src/inspect/schemas/fields.js';

describe('describing moby struct fields', () => {
  it.each([
    ['an untagged field binds its Go name', f('Image', goString), { name: 'Image', type: goString }],
    ['an omitempty-only tag still binds the Go name', fo('Cmd', goString), { name: 'Cmd', omitempty: true, type: goString }],
    ['a tag naming the field binds that name', fj('DNS', 'Dns', goString), { name: 'DNS', json: 'Dns', type: goString }],
    ['a naming tag with omitempty keeps both', fj('DNS', 'Dns', goString, true), { name: 'DNS', json: 'Dns', omitempty: true, type: goString }],
    ['field() with no tag is an untagged field', field('A', goString), { name: 'A', type: goString }],
    ['an embedded field is marked so and has no tag', embedded('HostConfig', goString), { name: 'HostConfig', embedded: true, type: goString }],
  ])('%s', (_what, described, expected) => {
    // toStrictEqual: a key present with undefined would be a different description
    expect(described).toStrictEqual(expected);
  });

  it.each([
    ['time.Duration is an int64', DURATION, goInt64],
    ['os.FileMode is a uint32', FILE_MODE, goUint32],
  ])('%s in JSON', (_what, type, expected) => {
    expect(type).toBe(expected);
  });

  it('describes []string, map[string]string and struct{} by their Go shapes', () => {
    expect(STRING_LIST).toMatchObject({ kind: 'slice', elem: goString });
    expect(STRING_MAP).toMatchObject({ kind: 'map', elem: goString });
    expect(EMPTY_STRUCT).toMatchObject({ kind: 'struct', name: 'struct{}', fields: [] });
  });
});
