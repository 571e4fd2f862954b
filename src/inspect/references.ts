/**
 * The other objects a request body names: containers whose namespaces or volumes a new
 * container joins, named volumes it mounts, networks it attaches to, the container a network
 * connect acts on. A scoped or owning profile may use only objects it may see, so each
 * reference is resolved through the engine and checked (see policy/ownership.ts). Pure: the
 * decoded body in, the references (with the JSON pointer where each appears) out.
 */

import { list, obj, str } from '../json-view.js';
import { parseBind } from './facts.js';
import { namesContainer } from '../request/engine-values.js';
import type { EndpointId } from '../request/endpoints.js';

export type ObjectKind = 'container' | 'volume' | 'network';

export interface ObjectRef {
  readonly kind: ObjectKind;
  /** the name or id (prefix) as the client wrote it */
  readonly ref: string;
  /** where it appears in the body, as a JSON pointer */
  readonly pointer: string;
}

/**
 * Networks every engine has, which belong to no one: `default` is the daemon's default network
 * (bridge on Linux). The engine compares these names exactly (NetworkMode.IsBridge etc.).
 */
export const PREDEFINED_NETWORKS: ReadonlySet<string> = new Set(['default', 'bridge', 'host', 'none']);

/** Modes that may name another container as `container:<name|id>` (HostConfig), by field. */
const CONTAINER_MODE_FIELDS = ['NetworkMode', 'PidMode', 'IpcMode', 'Cgroup'] as const;

function containerCreateRefs(body: unknown): ObjectRef[] {
  const refs: ObjectRef[] = [];
  const hc = obj(obj(body)['HostConfig']);
  for (const field of CONTAINER_MODE_FIELDS) {
    const mode = str(hc[field]);
    if (namesContainer(mode)) refs.push({ kind: 'container', ref: mode.slice('container:'.length), pointer: `/HostConfig/${field}` });
  }
  // runconfig: any NetworkMode that is not a predefined one or container:X names a network.
  const networkMode = str(hc['NetworkMode']);
  if (networkMode !== '' && !namesContainer(networkMode) && !PREDEFINED_NETWORKS.has(networkMode)) {
    refs.push({ kind: 'network', ref: networkMode, pointer: '/HostConfig/NetworkMode' });
  }
  // volumemounts.ParseVolumesFrom: "<container>[:ro|rw]".
  list(hc['VolumesFrom']).forEach((v, i) => refs.push({ kind: 'container', ref: str(v).split(':')[0] ?? '', pointer: `/HostConfig/VolumesFrom/${i}` }));
  // Legacy links "<container>:<alias>" (runconfig/opts ParseLink): the name may carry a leading "/".
  list(hc['Links']).forEach((l, i) => refs.push({ kind: 'container', ref: (str(l).split(':')[0] ?? '').replace(/^\//, ''), pointer: `/HostConfig/Links/${i}` }));
  list(hc['Binds']).forEach((b, i) => {
    const { volume } = parseBind(str(b));
    if (volume !== null) refs.push({ kind: 'volume', ref: volume, pointer: `/HostConfig/Binds/${i}` });
  });
  list(hc['Mounts']).forEach((m, i) => {
    const mount = obj(m);
    // Containers take only the exact lower-case type names; a named volume mount has a Source.
    if (str(mount['Type']) === 'volume' && str(mount['Source']) !== '') refs.push({ kind: 'volume', ref: str(mount['Source']), pointer: `/HostConfig/Mounts/${i}/Source` });
  });
  for (const [name, settings] of Object.entries(obj(obj(obj(body)['NetworkingConfig'])['EndpointsConfig']))) {
    const pointer = `/NetworkingConfig/EndpointsConfig/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!PREDEFINED_NETWORKS.has(name)) refs.push({ kind: 'network', ref: name, pointer });
    refs.push(...endpointRefs(settings, pointer, !PREDEFINED_NETWORKS.has(name)));
  }
  return refs;
}

/**
 * What an endpoint's settings (network.EndpointSettings) name: containers in its Links
 * ("<container>:<alias>"), and the network in NetworkID, which the engine attaches to in place of
 * the network the endpoint is keyed by (or the connect's path names) when that one is
 * user-defined (daemon/container_operations.go getNetworkID, 20.10 to 28).
 */
function endpointRefs(settings: unknown, pointer: string, userDefined: boolean): ObjectRef[] {
  const refs: ObjectRef[] = list(obj(settings)['Links']).map((l, i) => ({ kind: 'container', ref: (str(l).split(':')[0] ?? '').replace(/^\//, ''), pointer: `${pointer}/Links/${i}` }));
  const networkId = str(obj(settings)['NetworkID']);
  if (userDefined && networkId !== '') refs.push({ kind: 'network', ref: networkId, pointer: `${pointer}/NetworkID` });
  return refs;
}

/** How to find the objects a decoded body names, for the endpoints whose bodies name any. */
const BODY_REFERENCES: Readonly<Partial<Record<EndpointId, (body: unknown) => ObjectRef[]>>> = {
  'containers.create': containerCreateRefs,
  // The path's network may be a predefined one, which makes the engine ignore NetworkID; it
  // is checked all the same (a denial the engine would not need, never a miss).
  'networks.connect': (body) => [
    { kind: 'container', ref: str(obj(body)['Container']), pointer: '/Container' },
    ...endpointRefs(obj(body)['EndpointConfig'], '/EndpointConfig', true),
  ],
  'networks.disconnect': (body) => [{ kind: 'container', ref: str(obj(body)['Container']), pointer: '/Container' }],
  'networks.create': (body) => {
    // A network made from a config-only network takes that network's configuration.
    const from = str(obj(obj(body)['ConfigFrom'])['Network']);
    return from === '' ? [] : [{ kind: 'network', ref: from, pointer: '/ConfigFrom/Network' }];
  },
};

/** The objects a decoded body names (none for endpoints whose bodies name none). */
export function bodyReferences(endpoint: EndpointId, body: unknown): ObjectRef[] {
  return BODY_REFERENCES[endpoint]?.(body) ?? [];
}
