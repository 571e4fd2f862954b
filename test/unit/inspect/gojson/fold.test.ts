/**
 * decodeGoJson against Go's encoding/json: object key → struct field matching and fold.go case
 * folding (src/inspect/gojson/fold.ts).
 * Types, helpers and how the expectations were produced: ./fixtures.ts.
 */

import { describe, expect, it } from 'vitest';
import { goFoldName } from '../../../../src/inspect/gojson/index.js';
import type { GoType } from '../../../../src/inspect/go-types.js';
import { s, F, Basic, Fold, dec, ok } from './fixtures.js';

// ---- 2. key → field matching ----

describe('2. object key → struct field (decode.go object; encode.go typeFields; fold.go)', () => {
  it('prefers the exact JSON name, then a case-insensitive match', () => {
    expect(ok('{"name":"x"}').name).toBe('x');
    expect(ok('{"NAME":"x"}').name).toBe('x');
    expect(ok('{"nAmE":"x"}').name).toBe('x');
    // each occurrence decodes into the same field: last wins
    expect(ok('{"name":"x","NAME":"y"}').name).toBe('y');
    expect(ok('{"NAME":"x","name":"y"}').name).toBe('y');
  });

  it('keeps two fields whose names differ only by case apart; a folded key goes to the first declared', () => {
    // byExactName first; byFoldedName keeps the first field ("For historical reasons, first folded match takes precedence.")
    expect(ok('{"k":"l","K":"u"}', Fold)).toMatchObject({ k: 'l', K: 'u' });
    expect(ok('{"K":"u"}', Fold)).toMatchObject({ k: '', K: 'u' });
    // U+212A KELVIN SIGN folds to K: not an exact match, so the first folded field, "k", gets it
    expect(ok('{"\u212a":"kelvin"}', Fold)).toMatchObject({ k: 'kelvin', K: '' });
  });

  it('folds U+212A (Kelvin sign) with k/K and U+017F (long s) with s/S, in every Go version', () => {
    // go1.19 fold.go equalFoldRight: "S maps to s and to U+017F ... k maps to K and to U+212A"
    expect(ok('{"\u017f\u212a":"x"}', Fold).sk).toBe('x');
    expect(ok('{"\u017fk":"x"}', Fold).sk).toBe('x');
    expect(ok('{"\u017fK":"x"}', Fold, { goVersion: '1.21' }).sk).toBe('x');
    expect(goFoldName('\u212a\u017f', false)).toBe('KS');
    expect(goFoldName('\u212a\u017f', true)).toBe('KS');
  });

  it('compares non-letters exactly and folds nothing else into ASCII', () => {
    expect(ok('{"A_B":"x"}').a_b).toBe('x');
    expect(ok('{"a-b":"x"}').a_b).toBe(''); // '-' is not '_'
    expect(ok('{"ab":"x"}').a_b).toBe('');
    // dotless ı (U+0131) and dotted İ (U+0130) are not in i/I's SimpleFold orbit
    expect(ok('{"ıd":"y","İD":"z"}', Fold).id).toBe('');
    expect(ok('{"ıd":"y"}', Fold, { goVersion: '1.21' }).id).toBe('');
  });

  it('folds non-ASCII names by Unicode simple case folding orbits', () => {
    // tag "ǅx": Ǆ/ǅ/ǆ are one orbit (bytes.EqualFold in go1.19, foldName in go1.21)
    expect(ok('{"Ǆx":"1"}').ǅx).toBe('1');
    expect(ok('{"ǆX":"1"}').ǅx).toBe('1');
    // tag "µ" (U+00B5 MICRO SIGN) folds with Greek Μ/μ
    expect(ok('{"Μ":"mu"}').µ).toBe('mu');
    expect(ok('{"μ":"mu"}').µ).toBe('mu');
  });

  it('differs between Go versions only through the Unicode tables (13.0.0 in go1.19, 15.0.0 from go1.21)', () => {
    // U+2C2F/U+2C5F (Glagolitic caudate chrivi) became a case pair in Unicode 14.0. go1.19 (checked):
    // no match; Go ≥1.21 (Unicode 15.0.0 tables, api/go1.21.txt; not run here): foldName matches.
    const T: GoType = { kind: 'struct', fields: [F('X', s, { json: '\u2c5f' })] };
    const body = '{"\u2c2f":"v"}';
    const r19 = dec(body, T, { goVersion: '1.19' });
    const r21 = dec(body, T, { goVersion: '1.21' });
    expect(r19).toMatchObject({ ok: true, versionDependent: true });
    expect(r19.ok && (r19.value as Record<string, unknown>)['\u2c5f']).toBe('');
    expect(r21.ok && (r21.value as Record<string, unknown>)['\u2c5f']).toBe('v');
    expect(dec('{"NAME":"x"}', Basic)).toMatchObject({ ok: true, versionDependent: false });
  });

  it('ignores unknown keys, "-" fields and unexported fields; "-," names a field "-"; an invalid tag falls back to the Go name', () => {
    const v = ok('{"zzz":[1,{"a":2}],"Ign":"i","-":"m","lower":"l","Bad":"b","bad\\"tag":"x"}');
    expect(v).not.toHaveProperty('Ign');
    expect(v).not.toHaveProperty('lower');
    expect(v['-']).toBe('m');
    expect(v.Bad).toBe('b');
  });
});
