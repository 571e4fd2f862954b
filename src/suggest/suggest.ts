/**
 * suggestPolicy(records) → the smallest policy that allows the traffic a learn-mode (`mode: audit`)
 * audit log shows, and nothing else the rules can tell apart. Pure: parsed audit records in, a
 * policy structure with comments out (render.ts writes it as YAML).
 *
 *  - One allow rule per endpoint id seen (methods: those seen); requests to no known endpoint get
 *    a rule on their exact path.
 *  - For endpoints whose body sockgate decodes, body conditions built from the records' body
 *    summaries (src/inspect/summary.ts): a setting seen only unset must stay unset, a mode or an
 *    image must be one of those seen, capabilities one of those seen, host paths under those seen.
 *  - `default: deny`: anything else is denied.
 *
 * Learned are the requests that were forwarded: allowed ones, and in audit mode those the policy
 * would have denied. Requests refused by sockgate itself (malformed, ambiguous bodies, oversize,
 * unresolvable targets) and requests denied in enforce mode are reported in comments, not allowed.
 */

import { namesContainer } from '../request/engine-values.js';
import { isEndpointId } from '../request/endpoints.js';
import { HTTP_METHODS, type BodyConditionDocument, type BodyScalar, type PolicyMethod } from '../policy/document.js';
import { cleanHostPath, isUnderPrefix } from '../policy/body.js';
import { SET_FIELDS_KEY, SUMMARY_FIELDS, type SummaryField } from '../inspect/summary.js';

/** A body condition with a comment saying what was seen. */
export interface SuggestedCondition {
  readonly condition: BodyConditionDocument;
  readonly comment: string;
}

export interface SuggestedRule {
  readonly id: string;
  readonly methods: readonly PolicyMethod[];
  /** endpoint id, or null for a rule on an exact path */
  readonly endpoint: string | null;
  /** the exact path (as a glob) when the endpoint is unknown */
  readonly pathGlob: string | null;
  readonly body: readonly SuggestedCondition[];
  /** the allow-list of fields: every field a request of the group set; null when not learned */
  readonly fields: readonly string[] | null;
  /** what was seen: count, time span, listeners, profiles, and notes on the body */
  readonly comments: readonly string[];
}

export interface SuggestedPolicy {
  readonly name: string;
  readonly description: string;
  readonly headerComments: readonly string[];
  readonly rules: readonly SuggestedRule[];
  /** requests not learned (refusals, enforce-mode denials), one line each */
  readonly notLearned: readonly string[];
}

export interface SuggestStats {
  /** audit decision records read */
  decisions: number;
  /** of those, forwarded and learned */
  learned: number;
  /** audit-mode records the policy would have denied */
  wouldBeDenied: number;
  /** refused by sockgate itself, or denied in enforce mode: not learned */
  notLearned: number;
  /** completion records (skipped) */
  completions: number;
  /** other log records (startup, errors; skipped) */
  other: number;
  /** lines that are not JSON objects (skipped) */
  nonJson: number;
  /** decision records of other profiles (skipped with --profile) */
  otherProfiles: number;
}

export type SuggestResult =
  | { readonly ok: true; readonly policy: SuggestedPolicy; readonly stats: SuggestStats }
  | { readonly ok: false; readonly message: string; readonly stats: SuggestStats };

export interface SuggestOptions {
  /** learn only this profile's records; required when the log holds several profiles */
  readonly profile?: string;
}

/** One decision record, as far as suggest reads it. */
interface Decision {
  readonly time: number | null;
  readonly listener: string;
  readonly profile: string;
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  readonly effect: 'allow' | 'deny';
  readonly code: string | null;
  readonly wouldBe: boolean;
  readonly mode: string;
  readonly bodySummary: Readonly<Record<string, unknown>> | null;
}

export function emptySuggestStats(): SuggestStats {
  return { decisions: 0, learned: 0, wouldBeDenied: 0, notLearned: 0, completions: 0, other: 0, nonJson: 0, otherProfiles: 0 };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Split log text into JSON objects; every other line is counted. */
export function parseLogLines(text: string, stats: SuggestStats): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isObject(v)) out.push(v);
      else stats.nonJson++;
    } catch {
      stats.nonJson++;
    }
  }
  return out;
}

function readDecision(r: Record<string, unknown>): Decision | null {
  if (r['kind'] !== 'audit') return null;
  const effect = r['effect'];
  if (effect !== 'allow' && effect !== 'deny') return null;
  if (typeof r['method'] !== 'string' || typeof r['path'] !== 'string' || typeof r['reason'] !== 'string') return null;
  return {
    time: typeof r['time'] === 'number' ? r['time'] : null,
    listener: str(r['listener']),
    profile: str(r['profile']),
    method: r['method'],
    path: r['path'],
    endpoint: str(r['endpoint']) || 'unknown',
    effect,
    code: typeof r['code'] === 'string' ? r['code'] : null,
    wouldBe: isObject(r['wouldBe']),
    mode: str(r['mode']) || 'enforce',
    bodySummary: isObject(r['bodySummary']) ? r['bodySummary'] : null,
  };
}

/** micromatch treats these specially; a path containing them is matched by a glob escaping each. */
const GLOB_SPECIAL = /[\\*?[\]{}()!+@|]/g;

export function exactPathGlob(path: string): string {
  return path.replace(GLOB_SPECIAL, (c) => `\\${c}`);
}

function iso(t: number | null): string {
  return t === null ? '?' : new Date(t).toISOString();
}

function span(ds: readonly Decision[]): string {
  const times = ds.map((d) => d.time).filter((t): t is number => t !== null);
  if (times.length === 0) return 'time not recorded';
  const first = Math.min(...times);
  const last = Math.max(...times);
  return first === last ? `at ${iso(first)}` : `${iso(first)} to ${iso(last)}`;
}

const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Shown in comments: bounded and on one line. */
function show(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The condition on one summary field that allows exactly the values seen, or why there is none. */
function conditionFor(field: SummaryField, seen: readonly unknown[]): SuggestedCondition | { readonly note: string } {
  const { path, kind } = field;
  const tooLong = (v: unknown): boolean => isObject(v) && typeof v['tooLong'] === 'number';
  switch (kind) {
    case 'flag': {
      if (!seen.every((v) => typeof v === 'boolean')) return { note: `${path}: not recorded in every request; not constrained` };
      if (seen.some((v) => v === true)) return { note: `${path}: seen set; not constrained` };
      return { condition: { path, exists: false }, comment: `${path}: seen only unset` };
    }
    case 'nil': {
      if (!seen.every((v) => typeof v === 'boolean')) return { note: `${path}: not recorded in every request; not constrained` };
      if (seen.some((v) => v === false)) return { note: `${path}: seen set; not constrained` };
      return { condition: { path, isNull: true }, comment: `${path}: seen only absent` };
    }
    case 'value': {
      if (!seen.every((v) => v === null || typeof v === 'string')) {
        return { note: `${path}: ${seen.some(tooLong) ? 'a value too long to record' : 'not recorded in every request'}; not constrained` };
      }
      // A mode naming another container cannot be allowed by its spelling (policy/load-matcher.ts
      // refuses such patterns): it is left out, so the suggestion refuses it, and the comment says so.
      const all = uniq(seen as BodyScalar[]).sort(compareScalars);
      const joins = all.filter((v) => typeof v === 'string' && namesContainer(v));
      const values = all.filter((v) => !joins.includes(v));
      const notLearned = joins.length === 0 ? '' : `; not learned: ${joins.map(show).join(', ')} (another container's namespace: allow it by hand with containerRef: true, in a profile that may see that container)`;
      if (values.length === 0) return { condition: { path, exists: false }, comment: `${path}: seen only values naming other containers${notLearned}` };
      const condition = values.length === 1 ? { path, equals: values[0]! } : { path, oneOf: values };
      return { condition, comment: `${path}: seen ${values.map(show).join(', ')}${notLearned}` };
    }
    case 'list': {
      if (!seen.every((v) => v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string')))) {
        return { note: `${path}: ${seen.some((v) => Array.isArray(v) && v.some(tooLong)) ? 'an element too long to record' : 'not recorded in every request'}; not constrained` };
      }
      const items = uniq(seen.flatMap((v) => (Array.isArray(v) ? v.map(String) : []))).sort();
      if (items.length === 0) return { condition: { path, exists: false }, comment: `${path}: seen only empty` };
      return { condition: { path, all: [{ path: '', oneOf: items }] }, comment: `${path}: seen ${items.map(show).join(', ')}` };
    }
    case 'paths': {
      const ok = seen.every((v) => v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string' && cleanHostPath(x) !== null)));
      if (!ok) return { note: `${path}: a path that is not absolute or too long to record; not constrained` };
      const cleaned = uniq(seen.flatMap((v) => (v === null ? [] : (v as string[]).map((x) => cleanHostPath(x)!)))).sort();
      if (cleaned.length === 0) return { condition: { path, exists: false }, comment: `${path}: no host path seen` };
      // Keep only the outermost paths: one under another adds nothing.
      const prefixes = cleaned.filter((p) => !cleaned.some((q) => q !== p && isUnderPrefix(p, [q])));
      return { condition: { path, all: [{ path: '', pathPrefix: prefixes }] }, comment: `${path}: seen ${prefixes.map(show).join(', ')} (each allowed with what lies under it)` };
    }
  }
}

function compareScalars(a: BodyScalar, b: BodyScalar): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return String(a) < String(b) ? -1 : 1;
}

/** The fields every request of a group set (learn mode records their paths, never their values). */
function allowedFields(ds: readonly Decision[]): string[] | null {
  const seen = ds.map((d) => d.bodySummary?.[SET_FIELDS_KEY]);
  if (seen.length === 0 || !seen.every((s) => Array.isArray(s) && s.every((p) => typeof p === 'string'))) return null;
  return uniq((seen).flat()).sort();
}

function bodyConditions(endpoint: string, ds: readonly Decision[]): { body: SuggestedCondition[]; notes: string[] } {
  // The endpoint is read from audit records: a string, an id of the table or not.
  const fields = isEndpointId(endpoint) ? SUMMARY_FIELDS[endpoint] : undefined;
  if (fields === undefined) return { body: [], notes: [] };
  const missing = ds.filter((d) => d.bodySummary === null).length;
  if (missing > 0) {
    return {
      body: [],
      notes: [`${plural(missing, 'request')} of ${ds.length} carried no body summary (recorded outside audit mode): the body is not constrained; review this rule`],
    };
  }
  const body: SuggestedCondition[] = [];
  const notes: string[] = [];
  for (const field of fields) {
    const c = conditionFor(field, ds.map((d) => d.bodySummary![field.path]));
    if ('note' in c) notes.push(c.note);
    else body.push(c);
  }
  return { body, notes };
}

function isPolicyMethod(m: string): m is PolicyMethod {
  return (HTTP_METHODS as readonly string[]).includes(m);
}

/** The decision records among parsed log records; every other record is counted in `stats`. */
function readDecisions(input: readonly unknown[], stats: SuggestStats): Decision[] {
  const decisions: Decision[] = [];
  for (const r of input) {
    if (!isObject(r)) {
      stats.nonJson++;
      continue;
    }
    const d = readDecision(r);
    if (d !== null) decisions.push(d);
    else if (r['kind'] === 'audit' && typeof r['durationMs'] === 'number') stats.completions++;
    else stats.other++;
  }
  return decisions;
}

/**
 * The profile to learn (the one asked for, else the only one seen) and its decisions, counted in
 * `stats`; or why there is none (several profiles and none chosen, or no records of it).
 */
function chooseProfile(
  decisions: readonly Decision[],
  options: SuggestOptions,
  stats: SuggestStats,
): { readonly ok: true; readonly profile: string; readonly mine: Decision[] } | { readonly ok: false; readonly message: string } {
  const profiles = uniq(decisions.map((d) => d.profile)).sort();
  let profile = options.profile;
  if (profile === undefined) {
    if (profiles.length > 1) return { ok: false, message: `the log holds records of several profiles (${profiles.join(', ')}); choose one with --profile` };
    profile = profiles[0] ?? '';
  }
  const mine = decisions.filter((d) => d.profile === profile);
  stats.otherProfiles += decisions.length - mine.length;
  stats.decisions += mine.length;
  if (mine.length === 0) {
    return { ok: false, message: options.profile !== undefined ? `no decision records of profile "${options.profile}" (profiles seen: ${profiles.join(', ') || 'none'})` : 'no audit decision records found' };
  }
  return { ok: true, profile, mine };
}

/** Split decisions into those learned (forwarded, with a policy method) and a count of each kind not learned, counting both in `stats`. */
function sortOutLearned(mine: readonly Decision[], stats: SuggestStats): { learned: Decision[]; refused: Map<string, number> } {
  const learned: Decision[] = [];
  const refused = new Map<string, number>();
  for (const d of mine) {
    if (d.effect === 'allow' && isPolicyMethod(d.method)) {
      learned.push(d);
      if (d.wouldBe) stats.wouldBeDenied++;
      continue;
    }
    stats.notLearned++;
    const why = d.effect === 'allow' ? 'method not expressible in a policy' : d.code === 'SOCKGATE_DENY_POLICY' ? 'denied by the policy in enforce mode' : `refused by sockgate [${d.code ?? 'no code'}]`;
    const key = `${d.method} ${d.path.slice(0, 200)} (${d.endpoint}): ${why}`;
    refused.set(key, (refused.get(key) ?? 0) + 1);
  }
  stats.learned += learned.length;
  return { learned, refused };
}

/** The rule allowing one group of learned decisions (one endpoint id, or one exact path when the endpoint is unknown). */
function ruleFor(id: string, ds: readonly Decision[]): SuggestedRule {
  const first = ds[0]!;
  const known = first.endpoint !== 'unknown';
  const methods = uniq(ds.map((d) => d.method as PolicyMethod)).sort();
  const wouldBe = ds.filter((d) => d.wouldBe).length;
  const { body, notes } = known ? bodyConditions(first.endpoint, ds) : { body: [], notes: [] };
  const comments = [
    `${plural(ds.length, 'request')} (${methods.join(', ')}${wouldBe > 0 ? `; ${wouldBe} denied by the learning policy` : ''}), ${span(ds)}`,
    `listener ${uniq(ds.map((d) => d.listener)).join(', ')}`,
    ...(known ? [] : [`no known endpoint: allowed on this exact path only`]),
    ...notes,
  ];
  return {
    id,
    methods,
    endpoint: known ? first.endpoint : null,
    pathGlob: known ? null : exactPathGlob(first.path),
    body,
    fields: known ? allowedFields(ds) : null,
    comments,
  };
}

/** One rule per endpoint id, then one per exact unknown path (numbered in order), sorted by group. */
function rulesFor(learned: readonly Decision[]): SuggestedRule[] {
  const groups = new Map<string, Decision[]>();
  for (const d of learned) {
    const key = d.endpoint !== 'unknown' ? `e\0${d.endpoint}` : `p\0${d.path}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const keys = [...groups.keys()].sort();
  const rules: SuggestedRule[] = [];
  let pathRules = 0;
  for (const key of keys) {
    const ds = groups.get(key)!;
    const first = ds[0]!;
    rules.push(ruleFor(first.endpoint !== 'unknown' ? `allow-${first.endpoint}` : `allow-path-${++pathRules}`, ds));
  }
  return rules;
}

/** The comments at the head of the suggested policy: where it comes from, what was learned, what to review. */
function headerCommentsFor(profile: string, mine: readonly Decision[], learned: readonly Decision[], stats: SuggestStats): string[] {
  const listeners = uniq(mine.map((d) => d.listener));
  const modes = uniq(mine.map((d) => d.mode));
  return [
    `Suggested by \`sockgate suggest\` from ${plural(mine.length, 'audit record')} of profile "${profile}" (listener ${listeners.join(', ')}), ${span(mine)}.`,
    `Learned: ${plural(learned.length, 'forwarded request')} (${stats.wouldBeDenied} of them denied by the learning policy); not learned: ${stats.notLearned}.`,
    ...(modes.includes('enforce') ? ['Some records were made in enforce mode: denied requests were not learned, and bodies there were read only when a rule needed them.'] : []),
    'Everything not allowed below is denied. Review the rules before enforcing them: they allow what was seen, not what is safe.',
  ];
}

/** One line per kind of request not learned, sorted, with " xN" when it was seen N > 1 times. */
export function notLearnedLines(refused: ReadonlyMap<string, number>): string[] {
  return [...refused.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k}${n > 1 ? ` x${n}` : ''}`);
}

/** The smallest policy allowing what the records show `options.profile` (or the only profile) doing; `stats` counts what was read. */
export function suggestPolicy(input: readonly unknown[], options: SuggestOptions = {}, stats: SuggestStats = emptySuggestStats()): SuggestResult {
  const decisions = readDecisions(input, stats);
  const chosen = chooseProfile(decisions, options, stats);
  if (!chosen.ok) return { ok: false, message: chosen.message, stats };
  const { profile, mine } = chosen;
  const { learned, refused } = sortOutLearned(mine, stats);
  const rules = rulesFor(learned);
  const headerComments = headerCommentsFor(profile, mine, learned, stats);
  return {
    ok: true,
    policy: { name: `${profile || 'sockgate'}-suggested`, description: `Allows what profile "${profile}" was seen doing; generated by sockgate suggest`, headerComments, rules, notLearned: notLearnedLines(refused) },
    stats,
  };
}
