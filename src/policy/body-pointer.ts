/**
 * Which body fields made a rule's body conditions hold, as JSON pointers (RFC 6901) into the
 * request body: the evidence an audit record shows for a decision ("/HostConfig/Binds/0").
 * Truth is always computed by the same predicates evaluate() uses (compileBodyCondition); this
 * module only adds the bookkeeping of where each tested value came from. Pure.
 *
 * Per condition:
 *  - a value test (equals, glob, exists, pathPrefix, ...) points at the field it read, even when
 *    it holds because the field is absent (`exists: false`);
 *  - `any` points into every element that satisfied it (each element's own evidence);
 *  - `all` and `none` hold because of the whole list: they point at the list.
 * A fact (`$facts.hostPaths`) points at `/$facts/hostPaths/N` until translated by sourcePointer()
 * to the body field the fact was read from, when the inspector recorded it; a test of the whole
 * list (`$facts.hostPaths: {exists: true}`) points at the fields of all its elements.
 */

import type { BodyConditionDocument } from './document.js';
import { compileBodyCondition } from './body.js';
import { resolveBodyPath, type BodyView } from '../inspect/body-view.js';

/** The pointers of the fields that make a condition hold at `current` (found at pointer `at`), or null when it does not hold. */
export type BodyWitness = (view: BodyView, current: unknown, at: string) => readonly string[] | null;

const escapeToken = (t: string): string => t.replace(/~/g, '~0').replace(/\//g, '~1');

/** The pointer of a dotted condition path read from `current` (at `at`), as resolveBodyPath reads it. */
export function pointerOfPath(at: string, path: string): string {
  if (path === '') return at;
  const parts = path.split('.');
  let base = at;
  if (parts[0] === '$facts') {
    base = '/$facts';
    parts.shift();
  }
  return base + parts.map((p) => '/' + escapeToken(p)).join('');
}

/** Elements a quantifier ranges over, with their keys: as body.ts elements() (list items, map values). */
function entriesOf(v: unknown): [string, unknown][] {
  if (Array.isArray(v)) return v.map((el, i) => [String(i), el]);
  if (v !== null && typeof v === 'object') return Object.entries(v as Record<string, unknown>);
  return [];
}

function allHold(witnesses: readonly BodyWitness[], view: BodyView, current: unknown, at: string): string[] | null {
  const out: string[] = [];
  for (const w of witnesses) {
    const found = w(view, current, at);
    if (found === null) return null;
    for (const p of found) if (!out.includes(p)) out.push(p);
  }
  return out;
}

export function compileBodyWitness(c: BodyConditionDocument): BodyWitness {
  const holds = compileBodyCondition(c);
  const inner = c.any ?? c.all ?? c.none;
  if (inner === undefined) return (view, cur, at) => (holds(view, cur) ? [pointerOfPath(at, c.path)] : null);
  const witnesses = inner.map(compileBodyWitness);
  return (view, cur, at) => {
    if (!holds(view, cur)) return null;
    const listAt = pointerOfPath(at, c.path);
    if (c.any === undefined) return [listAt];
    const out: string[] = [];
    for (const [key, el] of entriesOf(resolveBodyPath(view, cur, c.path))) {
      const found = allHold(witnesses, view, el, `${listAt}/${escapeToken(key)}`);
      if (found !== null) for (const p of found) if (!out.includes(p)) out.push(p);
    }
    // The predicate held, so some element did; an empty result would mean the two disagree.
    return out.length > 0 ? out : [listAt];
  };
}

/** Evidence of a rule's body conditions (all must hold) on the request body, or null when they do not hold. */
export function bodyEvidence(witnesses: readonly BodyWitness[], view: BodyView): string[] | null {
  const found = allHold(witnesses, view, view.value, '');
  if (found === null) return null;
  const out: string[] = [];
  for (const p of found.flatMap((p) => sourcePointers(view, p))) if (!out.includes(p)) out.push(p);
  return out;
}

/**
 * A `/$facts/<name>/<N>...` pointer translated to the body field fact N was read from, when the
 * inspector recorded it (BodyView.factPointers); otherwise unchanged.
 */
export function sourcePointer(view: BodyView, pointer: string): string {
  const m = /^\/\$facts\/([^/]+)\/(\d+)(\/.*)?$/.exec(pointer);
  if (m === null) return pointer;
  const source = view.factPointers?.[m[1]!]?.[Number(m[2])];
  return source === undefined ? pointer : source + (m[3] ?? '');
}

/**
 * sourcePointer, and a whole fact list (`/$facts/hostPaths`, read by a value test such as
 * `exists: true`) as the fields of all its elements: each one is what made the list non-empty.
 */
function sourcePointers(view: BodyView, pointer: string): string[] {
  const m = /^\/\$facts\/([^/]+)$/.exec(pointer);
  const sources = m === null ? undefined : view.factPointers?.[m[1]!];
  return sources !== undefined && sources.length > 0 ? [...sources] : [sourcePointer(view, pointer)];
}
