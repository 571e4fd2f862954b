/**
 * The body summary of learn mode (`mode: audit`): for each decoded endpoint, the few fields that
 * decide what a request takes from the host, recorded in the audit record so that
 * `sockgate suggest` can write body conditions that allow exactly what was seen. Never values
 * that may hold secrets (Env, Cmd, labels, driver option values): only modes, flags, capability
 * and security-option names, the image, and host paths.
 *
 * Field kinds, and the condition suggest writes from the values seen (src/suggest/suggest.ts):
 *  - flag:   recorded as whether the field is set (inspect/body-view.ts isSet); never set → `exists: false`
 *  - nil:    recorded as whether the field is Go's nil; always nil → `isNull: true` (an empty
 *            MaskedPaths list is not nil, and unmasks /proc)
 *  - value:  the string itself (or null); → `oneOf` the values seen
 *  - list:   the list of strings (or null); → every element `oneOf` those seen, or `exists: false`
 *  - paths:  host paths; → every one under a path seen (`pathPrefix`), or `exists: false`
 */

import { isNull, isSet, resolveBodyPath, type BodyView } from './body-view.js';
import { setFieldPaths } from './allow-list.js';
import type { EndpointId } from '../request/endpoints.js';
import { bodySchemaOf } from './schemas/index.js';

export type SummaryKind = 'flag' | 'nil' | 'value' | 'list' | 'paths';

export interface SummaryField {
  /** dotted body path, as in a rule's body condition (`$facts.` for derived facts) */
  readonly path: string;
  readonly kind: SummaryKind;
}

/** A string longer than this is not recorded: `{ tooLong: <length> }` stands for it, and suggest writes no condition on its field. */
export const MAX_SUMMARY_STRING = 512;

export interface TooLong {
  readonly tooLong: number;
}

export type SummaryValue = boolean | string | null | TooLong | readonly (string | TooLong)[];

const f = (path: string, kind: SummaryKind): SummaryField => ({ path, kind });

/** The fields summarised, per endpoint; endpoints not named here are summarised as {}. */
export const SUMMARY_FIELDS: Readonly<Partial<Record<EndpointId, readonly SummaryField[]>>> = {
  'containers.create': [
    f('Image', 'value'),
    f('HostConfig.Privileged', 'flag'),
    f('$facts.hostPaths', 'paths'),
    f('$facts.volumeDriverOptions', 'flag'),
    f('HostConfig.VolumesFrom', 'flag'),
    f('HostConfig.Devices', 'flag'),
    f('HostConfig.DeviceRequests', 'flag'),
    f('HostConfig.DeviceCgroupRules', 'flag'),
    f('HostConfig.CapAdd', 'list'),
    f('HostConfig.Capabilities', 'flag'),
    f('HostConfig.SecurityOpt', 'list'),
    f('HostConfig.MaskedPaths', 'nil'),
    f('HostConfig.ReadonlyPaths', 'nil'),
    f('HostConfig.NetworkMode', 'value'),
    f('HostConfig.PidMode', 'value'),
    f('HostConfig.IpcMode', 'value'),
    f('HostConfig.UTSMode', 'value'),
    f('HostConfig.UsernsMode', 'value'),
    f('HostConfig.CgroupnsMode', 'value'),
    f('HostConfig.Cgroup', 'value'),
    f('HostConfig.CgroupParent', 'flag'),
    f('HostConfig.Sysctls', 'flag'),
    f('HostConfig.Runtime', 'value'),
  ],
  'exec.create': [f('Privileged', 'flag')],
  'volumes.create': [f('Driver', 'value'), f('DriverOpts', 'flag'), f('$facts.hostPaths', 'paths')],
  'networks.create': [
    f('Driver', 'value'),
    f('Options', 'flag'),
    f('IPAM.Driver', 'value'),
    f('IPAM.Options', 'flag'),
    f('ConfigOnly', 'flag'),
    f('ConfigFrom', 'nil'),
    f('Ingress', 'flag'),
  ],
  'services.create': [f('$facts.hostPaths', 'paths')],
  'services.update': [f('$facts.hostPaths', 'paths')],
};

function bounded(s: string): string | TooLong {
  return s.length > MAX_SUMMARY_STRING ? { tooLong: s.length } : s;
}

function summarizeField(field: SummaryField, view: BodyView): SummaryValue {
  const v = resolveBodyPath(view, view.value, field.path);
  switch (field.kind) {
    case 'flag':
      return isSet(v);
    case 'nil':
      return isNull(v);
    case 'value':
      return typeof v === 'string' ? bounded(v) : null;
    case 'list':
    case 'paths':
      return Array.isArray(v) ? v.map((x) => bounded(typeof x === 'string' ? x : String(x))) : null;
  }
}

/** Summary key of the allow-list paths of the fields a body sets (names only, no values). */
export const SET_FIELDS_KEY = '$fields';

/**
 * The summary of a decoded body: dotted path → recorded value, for the fields of SUMMARY_FIELDS,
 * and under SET_FIELDS_KEY the allow-list paths of every field the body sets.
 */
export function summarizeBody(endpoint: EndpointId, view: BodyView): Record<string, SummaryValue> {
  const out: Record<string, SummaryValue> = {};
  for (const field of SUMMARY_FIELDS[endpoint] ?? []) out[field.path] = summarizeField(field, view);
  const schema = bodySchemaOf(endpoint);
  if (schema !== undefined) out[SET_FIELDS_KEY] = setFieldPaths(schema, view.value);
  return out;
}
