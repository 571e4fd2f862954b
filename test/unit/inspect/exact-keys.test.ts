import { describe, expect, it } from 'vitest';
import { checkExactKeys } from '../../../src/inspect/exact-keys.js';
import { goAny, goMap, goPtr, goSlice, goString, goStruct } from '../../../src/inspect/go-types.js';
import { f, fj } from '../../../src/inspect/schemas/fields.js';
import { BODY_SCHEMAS } from '../../../src/inspect/schemas/index.js';
import { NEWEST_API_VERSION } from '../../../src/request/api-version.js';

const CREATE = BODY_SCHEMAS['containers.create'];
/** A small struct: a field bound by its Go name, one by its tag, a pointer to a nested struct, a map, a list and a free-form value. */
const INNER = goStruct([f('Mask', goString)], 'Inner');
const T = goStruct([f('Kind', goString), fj('DNS', 'Dns', goString), f('Inner', goPtr(INNER)), f('Labels', goMap(goString)), f('List', goSlice(INNER)), f('Extra', goAny)], 'T');

describe('proof that a body means one thing', () => {
  it.each([
    ['keys spelled exactly as the engine\'s fields', '{"Image":"x","HostConfig":{"Privileged":true,"Binds":[]}}', CREATE],
    ['a field bound by its tag name', '{"Dns":"1.1.1.1"}', T],
    ['a key written with escapes that decode to the exact name', '{"Kin\\u0064":"a"}', T],
    ['any keys inside a free-form value, repeated ones too', '{"Extra":{"kind":1,"kind":2}}', T],
    ['an empty object', '{}', T],
    ['a value of another type than the field (the decoder reports it)', '{"Inner":"text","List":{}}', T],
  ])('accepts %s', (_what, body, type) => {
    expect(checkExactKeys(body, type, 'refuse')).toEqual({ ok: true, unknown: [] });
  });

  it.each([
    ['a key in another case', '{"image":"x"}', CREATE, '/image', 'key "image" is not spelled like the engine\'s field "Image"'],
    ['a nested key in another case', '{"HostConfig":{"PRIVILEGED":true}}', CREATE, '/HostConfig/PRIVILEGED', 'field "Privileged"'],
    ['a Go name where the tag names the field', '{"DNS":"x"}', T, '/DNS', 'field "Dns"'],
    ['a Kelvin sign that folds onto k', '{"\u212aind":"a"}', T, '/\u212aind', 'field "Kind"'],
    ['a long s that folds onto s', '{"Inner":{"Ma\u017fk":"a"}}', T, '/Inner/Ma\u017fk', 'field "Mask"'],
    ['a key in a list element', '{"List":[{"Mask":"a"},{"mask":"b"}]}', T, '/List/1/mask', 'field "Mask"'],
  ])('refuses %s, which the engine would still bind', (_what, body, type, pointer, message) => {
    const r = checkExactKeys(body, type, 'ignore');
    expect(r).toMatchObject({ ok: false, pointer });
    expect(!r.ok && r.message).toContain(message);
  });

  it.each([
    ['a repeated field key', '{"Kind":"a","Kind":"b"}', '/Kind'],
    ['a repeated map key', '{"Labels":{"a":"1","a":"2"}}', '/Labels/a'],
    ['a repeated map key with a slash, as a JSON pointer', '{"Labels":{"a/b":"1","a/b":"2"}}', '/Labels/a~1b'],
  ])('refuses %s', (_what, body, pointer) => {
    const r = checkExactKeys(body, T, 'ignore');
    expect(r).toMatchObject({ ok: false, pointer });
    expect(!r.ok && r.message).toContain('appears more than once');
  });

  it('lists unknown keys when the engine is known to ignore them', () => {
    expect(checkExactKeys('{"Kind":"a","name":"x","Inner":{"Other":1}}', T, 'ignore')).toEqual({ ok: true, unknown: ['/name', '/Inner/Other'] });
  });

  it('refuses an unknown key when the engine may apply it', () => {
    const r = checkExactKeys('{"Kind":"a","Future":1}', T, 'refuse');
    expect(r).toMatchObject({ ok: false, pointer: '/Future' });
    expect(!r.ok && r.message).toContain(`"Future" is not a field of T in any engine version sockgate knows (API ≤ ${NEWEST_API_VERSION})`);
  });

  it.each([
    ['data after the JSON value', '{"Kind":"a"} {"Kind":"b"}', 'body has data after its JSON value, which the engine would ignore'],
    ['a body that is not JSON', '{"Kind":', 'body is not valid JSON'],
    ['a bad escape', '{"K\\x":1}', 'body is not valid JSON: bad escape'],
    ['a control character in a string', '{"Kind":"a\u0001"}', 'body is not valid JSON: control character in string'],
  ])('refuses %s', (_what, body, message) => {
    const r = checkExactKeys(body, T, 'ignore');
    expect(r).toMatchObject({ ok: false, pointer: '' });
    expect(!r.ok && r.message).toContain(message);
  });

  it('accepts whitespace after the JSON value', () => {
    expect(checkExactKeys('{"Kind":"a"}\n\t ', T, 'refuse').ok).toBe(true);
  });
});
