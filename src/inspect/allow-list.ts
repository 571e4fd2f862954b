/**
 * Allow-lists over a decoded body: a rule names the fields a client may set, and every other field
 * of the body, known or unknown, must hold the engine's default. Walked over the endpoint's Go
 * type (schemas/), so it sees every field any known engine version has, in the engine's own
 * decoding: a field no rule names is refused, and so is one a new engine version adds.
 *
 * A path is dotted, with the engine's JSON field names, and `*` for every element of a list or
 * every value of a map: `HostConfig.Mounts.*.Type`, `NetworkingConfig.EndpointsConfig.*.Aliases`.
 * Listing a path allows its value; where that value holds structs (a struct, or a list or map of
 * them), their fields are in turn allowed only as listed: `HostConfig.Mounts` with
 * `HostConfig.Mounts.*.Target` allows mounts that set nothing but a target. Listing a path also
 * opens the objects on the way to it (`HostConfig.Memory` opens `HostConfig`). Pure.
 */

import { goStructFields, type GoType } from './gojson/index.js';
import type { EndpointId } from '../request/endpoints.js';

export interface AllowList {
  /** listed paths */
  readonly listed: ReadonlySet<string>;
  /** listed paths and every path on the way to one */
  readonly open: ReadonlySet<string>;
}

export interface OutsideAllowList {
  /** JSON pointer of the first field outside the allow-list that does not hold its default */
  readonly pointer: string;
  /** its allow-list path (`HostConfig.Mounts.*.BindOptions`), or null for a key no engine version has */
  readonly path: string | null;
}

/**
 * Values real clients send for fields they do not set, beside Go's zero value, an empty list and
 * an empty map (which every field accepts as its default). Keyed by allow-list path; the engine
 * reads each of these as "not set" (moby container.HostConfig: MemorySwappiness -1 = inherit,
 * PidsLimit 0 / -1 = unlimited, RestartPolicy "no", NetworkMode "default" = the engine's own).
 */
const CLIENT_DEFAULTS: Readonly<Record<string, readonly unknown[]>> = {
  'HostConfig.MemorySwappiness': [-1],
  'HostConfig.PidsLimit': [0, -1],
  'HostConfig.OomKillDisable': [false],
  'HostConfig.Init': [false],
  'HostConfig.RestartPolicy.Name': ['no'],
  'HostConfig.NetworkMode': ['default'],
  'HostConfig.LogConfig.Type': [''],
  // Resources of container update share their names with HostConfig's
  MemorySwappiness: [-1],
  PidsLimit: [0, -1],
  OomKillDisable: [false],
  'RestartPolicy.Name': ['no'],
};

/**
 * Keys real clients put in bodies that no engine version binds, by endpoint, as pointers: the
 * engine ignores them, and an allow-list does too (every other unknown key fails it). dockerode
 * copies its query options into the create body (`name`, `platform`); docker-py sends the
 * container id in an exec create (`Container`, a field of API 1.2x that moby has since dropped).
 */
export const IGNORED_CLIENT_KEYS: Readonly<Partial<Record<EndpointId, ReadonlySet<string>>>> = {
  'containers.create': new Set(['/name', '/platform']),
  'exec.create': new Set(['/Container']),
};

/** Fields where an empty list is not the default: the engine applies it (MaskedPaths: [] unmasks /proc). */
const NIL_ONLY = new Set(['HostConfig.MaskedPaths', 'HostConfig.ReadonlyPaths']);

function unwrap(t: GoType): GoType {
  let u = t;
  while (u.kind === 'ptr') u = u.elem;
  return u;
}

/** The type a path names, or a reason it names nothing. */
export function fieldAt(schema: GoType, path: string): { ok: true; type: GoType } | { ok: false; reason: string } {
  let t = schema;
  let walked = '';
  for (const part of path.split('.')) {
    const u = unwrap(t);
    if (part === '*') {
      if (u.kind !== 'slice' && u.kind !== 'array' && u.kind !== 'map') return { ok: false, reason: `"${walked}" is not a list or map, so "*" names nothing in it` };
      t = u.elem;
    } else {
      if (u.kind !== 'struct') return { ok: false, reason: walked === '' ? 'the body is not an object' : `"${walked}" has no fields${u.kind === 'slice' || u.kind === 'map' ? ' (its elements are reached with ".*")' : ''}` };
      const field = goStructFields(u).find((f) => f.name === part);
      if (field === undefined) return { ok: false, reason: `${u.name ?? 'the object'}${walked === '' ? '' : ` at "${walked}"`} has no field "${part}" in any engine version sockgate knows` };
      t = field.type;
    }
    walked = walked === '' ? part : `${walked}.${part}`;
  }
  return { ok: true, type: t };
}

export function compileAllowList(paths: readonly string[]): AllowList {
  const open = new Set<string>();
  for (const p of paths) {
    const parts = p.split('.');
    for (let i = 1; i <= parts.length; i++) open.add(parts.slice(0, i).join('.'));
  }
  return { listed: new Set(paths), open };
}

const isEmptyContainer = (v: unknown): boolean =>
  (Array.isArray(v) && v.length === 0) || (v instanceof Uint8Array && v.length === 0) || (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && Object.keys(v).length === 0);

const sameScalar = (a: unknown, b: unknown): boolean => (typeof a === 'bigint' ? Number(a) === b : a === b);

/**
 * Where a value differs from the engine's default for the field at `path` (Go's zero, empty, or a
 * client default): the deepest field that does, as pointer and path; null when it is the default.
 */
function nonDefault(path: string, t: GoType, v: unknown, pointer: string): OutsideAllowList | null {
  if (v === undefined || v === null) return null;
  const here = { pointer, path };
  if (NIL_ONLY.has(path)) return here;
  if ((CLIENT_DEFAULTS[path] ?? []).some((d) => sameScalar(v, d))) return null;
  const u = unwrap(t);
  // A pointer that is not nil is set, whatever it points to: `"ClusterVolumeSpec": {}` makes a
  // cluster volume, `"BindOptions": {}` is a bind's options (only client defaults above are not).
  const setPointer = t.kind === 'ptr' ? here : null;
  switch (u.kind) {
    case 'bool':
      return v === false ? setPointer : here;
    case 'string':
      return v === '' ? setPointer : here;
    case 'int':
    case 'float':
      return v === 0 || v === 0n ? setPointer : here;
    case 'array':
    case 'struct': {
      if (typeof v !== 'object') return here;
      for (const [k, x, ft, p] of u.kind === 'array'
        ? entries(v).map(([k, x]) => [k, x, u.elem, `${path}.*`] as const)
        : goStructFields(u).map((f) => [f.name, (v as Record<string, unknown>)[f.name], f.type, join(path, f.name)] as const)) {
        const found = nonDefault(p, ft, x, `${pointer}/${token(k)}`);
        if (found !== null) return found;
      }
      return setPointer;
    }
    case 'slice':
    case 'map':
    case 'any':
    case 'rawMessage':
    case 'custom':
      return isEmptyContainer(v) ? setPointer : here;
    case 'ptr':
      return here;
  }
}

const join = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);
const token = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** Elements of a list or map value, with their pointer tokens. */
function entries(v: unknown): [string, unknown][] {
  if (Array.isArray(v)) return v.map((el, i) => [String(i), el]);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.entries(v as Record<string, unknown>);
  return [];
}

/** Whether values at this type hold structs whose fields the list must name. */
function holdsStructs(t: GoType): boolean {
  const u = unwrap(t);
  if (u.kind === 'struct') return true;
  if (u.kind === 'slice' || u.kind === 'array' || u.kind === 'map') return holdsStructs(u.elem);
  return false;
}

function walk(list: AllowList, t: GoType, v: unknown, path: string, pointer: string): OutsideAllowList | null {
  if (v === undefined || v === null) return null;
  const u = unwrap(t);
  if (u.kind === 'struct') {
    if (typeof v !== 'object') return null;
    const obj = v as Record<string, unknown>;
    for (const f of goStructFields(u)) {
      const p = join(path, f.name);
      const at = `${pointer}/${token(f.name)}`;
      if (list.listed.has(p) && !holdsStructs(f.type)) continue;
      if (list.open.has(p)) {
        const found = walk(list, f.type, obj[f.name], p, at);
        if (found !== null) return found;
      } else {
        const found = nonDefault(p, f.type, obj[f.name], at);
        if (found !== null) return found;
      }
    }
    return null;
  }
  if (u.kind === 'slice' || u.kind === 'array' || u.kind === 'map') {
    const p = join(path, '*');
    for (const [k, el] of entries(v)) {
      if (list.listed.has(p) && !holdsStructs(u.elem)) continue;
      const at = `${pointer}/${token(k)}`;
      const found = list.open.has(p) ? walk(list, u.elem, el, p, at) : nonDefault(p, u.elem, el, at);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * The first field of a decoded body (of type `schema`) outside the allow-list that does not hold
 * its default, or a key the body has that no engine version sockgate knows (`unknownKeys`: their
 * pointers, from the exact-key check) other than the `ignored` ones; null when the body sets only
 * listed fields.
 */
export function outsideAllowList(list: AllowList, schema: GoType, value: unknown, unknownKeys: readonly string[], ignored: ReadonlySet<string> = new Set()): OutsideAllowList | null {
  const unknown = unknownKeys.find((p) => !ignored.has(p));
  if (unknown !== undefined) return { pointer: unknown, path: null };
  return walk(list, schema, value, '', '');
}

/**
 * The allow-list that a body keeps to exactly: the paths of the fields it sets (names, never
 * values), for learn mode, from which `sockgate suggest` writes a rule's `fields`.
 */
export function setFieldPaths(schema: GoType, value: unknown): string[] {
  const out = new Set<string>();
  const collect = (path: string, t: GoType, v: unknown): void => {
    if (v === undefined || v === null || nonDefault(path, t, v, '') === null) return;
    const u = unwrap(t);
    const before = out.size;
    if (u.kind === 'struct' && typeof v === 'object') {
      for (const f of goStructFields(u)) collect(join(path, f.name), f.type, (v as Record<string, unknown>)[f.name]);
    } else if ((u.kind === 'slice' || u.kind === 'array' || u.kind === 'map') && holdsStructs(u.elem)) {
      for (const [, el] of entries(v)) collect(join(path, '*'), u.elem, el);
    }
    // a scalar, a list or map of scalars, or an object set although all it holds is default
    if (out.size === before && path !== '') out.add(path);
  };
  collect('', schema, value);
  return [...out].sort();
}
