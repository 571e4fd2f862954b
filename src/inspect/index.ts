/**
 * inspectBody(endpoint, bytes) → the body as the engine will decode it, or why its meaning is not
 * certain. Steps, each of which refuses on doubt:
 *  1. an empty body is decided as the engine reads one (an error for most endpoints: refused);
 *  2. the bytes must be valid UTF-8 without a byte-order mark (Go would replace bad bytes);
 *  3. every key bound to a struct field is spelled exactly like it and appears once, and nothing
 *     follows the JSON value (exact-keys.ts), so the exact bytes are forwarded unchanged;
 *  4. the body is decoded with Go's encoding/json rules into the engine's own types (gojson/,
 *     schemas/), type errors refused as the engine refuses them;
 *  5. endpoint-specific views and facts: the effective HostConfig of a container create (the
 *     engine still reads legacy top-level HostConfig fields), host paths, volumes.
 */

import type { BodyView } from './body-view.js';
import { checkExactKeys, type UnknownKeys } from './exact-keys.js';
import { hostConfigFactsSourced, serviceSpecFactsSourced, volumeCreateFactsSourced, type SourcedFacts } from './facts.js';
import { decodeGoJson } from './gojson/index.js';
import { BODY_READING, BODY_SCHEMAS } from './schemas/index.js';
import { effectiveHostConfig, LEGACY_MERGED_FIELDS, LEGACY_TOP_LEVEL_HOST_CONFIG_KEYS } from './schemas/container-create.js';
import { isSet } from './body-view.js';
import type { EndpointId } from '../request/endpoints.js';
import { INSPECTABLE_ENDPOINTS } from './inspectable.js';

export type InspectResult = { readonly ok: true; readonly view: BodyView } | { readonly ok: false; readonly pointer: string; readonly message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function fail(pointer: string, message: string): InspectResult {
  return { ok: false, pointer, message };
}

/**
 * "Nothing" as the engine acts on it: nil, false, "", 0, an empty list or map, or a struct or
 * fixed-size array of such (ConsoleSize [0,0]). A top-level legacy field holding nothing changes
 * no container on any engine (dockerode sends `"VolumesFrom": []` with every create).
 */
function isEmptyValue(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(isEmptyValue);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.values(v as Record<string, unknown>).every(isEmptyValue);
  if (v instanceof Uint8Array) return v.length === 0;
  return !isSet(v);
}

/**
 * HostConfig fields at the top level of a container create (see CONTAINER_CREATE_BODY): engines up
 * to 20.10 apply them, current ones ignore them. v20.10's getHostConfig() applies the top level
 * wholesale when the body has no HostConfig object, and otherwise copies only LEGACY_MERGED_FIELDS
 * (each when set at the top and unset inside). A top-level field the engine would apply is
 * refused: its meaning depends on the engine version, and its pointer is not where rules look.
 * One the engine ignores (it holds nothing, or a HostConfig object overrides it) is not.
 */
function legacyTopLevelProblem(endpoint: EndpointId, value: unknown): InspectResult | null {
  if (endpoint !== 'containers.create' || value === null || typeof value !== 'object') return null;
  const top = value as Record<string, unknown>;
  const inner = top['HostConfig'];
  const hasInner = inner !== null && typeof inner === 'object';
  for (const key of LEGACY_TOP_LEVEL_HOST_CONFIG_KEYS) {
    if (isEmptyValue(top[key])) continue;
    if (hasInner && !(LEGACY_MERGED_FIELDS.includes(key) && isEmptyValue((inner as Record<string, unknown>)[key]))) continue;
    return fail(
      `/${key}`,
      `"${key}" is a HostConfig field at the top level, a legacy place that engines up to 20.10 apply${hasInner ? ' (over an unset HostConfig value)' : ' (when the body has no HostConfig)'} and newer ones ignore; put it under "HostConfig"`,
    );
  }
  return null;
}

const sourced = (value: unknown, s: SourcedFacts): BodyView => ({ value, facts: s.facts, factPointers: s.pointers });

/** The endpoints whose decoded body has a view of its own (derived facts); the others are viewed as decoded, with no facts. */
const VIEWS: Readonly<Partial<Record<EndpointId, (value: unknown) => BodyView>>> = {
  'containers.create': (value) => {
    // Top-level (legacy) HostConfig fields the engine would apply are refused before this, so
    // the effective HostConfig is the body's own "HostConfig" and its pointers hold.
    const hostConfig = effectiveHostConfig(value);
    const effective = { ...(value as Record<string, unknown>), HostConfig: hostConfig };
    return sourced(effective, hostConfigFactsSourced(hostConfig));
  },
  'volumes.create': (value) => sourced(value, volumeCreateFactsSourced(value)),
  'services.create': (value) => sourced(value, serviceSpecFactsSourced(value)),
  'services.update': (value) => sourced(value, serviceSpecFactsSourced(value)),
};

function viewFor(endpoint: EndpointId, value: unknown): BodyView {
  return VIEWS[endpoint]?.(value) ?? { value, facts: {} };
}

/**
 * Decode a request body as the engine would. `unknownKeys` says what a key that is a field of no
 * engine version sockgate knows means for the engine at hand (exact-keys.ts): ignored by an engine
 * sockgate knows, refused when the engine is newer or its version unknown.
 */
export function inspectBody(endpoint: EndpointId, bytes: Uint8Array, unknownKeys: UnknownKeys = 'refuse'): InspectResult {
  if (!INSPECTABLE_ENDPOINTS.has(endpoint)) return fail('', `sockgate has no decoder for the body of ${endpoint}`);
  const schema = BODY_SCHEMAS[endpoint];
  const reading = BODY_READING[endpoint];

  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return fail('', 'body is not valid UTF-8 (the engine would replace the bad bytes)');
  }
  if (text.startsWith('\ufeff')) return fail('', 'body starts with a byte-order mark, which the engine refuses');

  if (text.trim() === '') {
    if (reading.emptyBody === 'error') return fail('', `empty body: the engine refuses ${endpoint} without one`);
    const zero = decodeGoJson(Buffer.from('null'), schema);
    if (!zero.ok) return fail(zero.pointer, zero.message);
    return { ok: true, view: viewFor(endpoint, zero.value) };
  }

  const exact = checkExactKeys(text, schema, unknownKeys);
  if (!exact.ok) return fail(exact.pointer, exact.message);

  const decoded = decodeGoJson(bytes, schema);
  if (!decoded.ok) return fail(decoded.pointer, `${decoded.message} (the engine refuses this body)`);
  if (decoded.trailing) return fail('', 'body has data after its JSON value, which the engine would ignore');
  const legacy = legacyTopLevelProblem(endpoint, decoded.value);
  if (legacy !== null) return legacy;
  const view = viewFor(endpoint, decoded.value);
  return { ok: true, view: exact.unknown.length > 0 ? { ...view, unknownKeys: exact.unknown } : view };
}
