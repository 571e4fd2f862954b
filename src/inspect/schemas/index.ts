/**
 * The request bodies sockgate decodes, by endpoint id, and how the engine reads each one.
 *
 * Covered engines: moby v20.10 (API 1.41) and current moby (docker v28 / moby v29, whose routers
 * moved from api/server/router to daemon/server/router). Two ways of reading a body occur:
 *
 *  - v20.10: handlers call `json.NewDecoder(r.Body).Decode(&v)` themselves. An empty body makes
 *    Decode return io.EOF, which every handler here turns into an error (a 400 "got EOF while
 *    reading request body" where the handler checks for io.EOF, else the raw error). Data after
 *    the first JSON value is ignored (except plugins pull/upgrade, which check dec.More()).
 *    Some handlers call httputils.CheckForJSON first, some do not.
 *  - current: most handlers call httputils.ReadJSON (daemon/server/httputils/httputils.go, added by
 *    moby PR #43463, 2022, first in moby v23 / API 1.42): CheckForJSON, then `if r.Body == nil ||
 *    r.ContentLength == 0 { return nil }` — an empty body leaves the ZERO VALUE and the handler
 *    carries on — then Decode (io.EOF → 400 "invalid JSON: got EOF while reading request body"),
 *    then `dec.More()` → 400 "unexpected content after JSON".
 *
 * CheckForJSON (httputils.go, same in both): with no Content-Type header a request passes only if
 * it has no body (r.Body == nil || r.ContentLength == 0); otherwise mime.ParseMediaType of the
 * header must give exactly "application/json" (parameters such as charset are allowed).
 *
 * "Empty body" below means Content-Length: 0 (or no body). A chunked body with no bytes has
 * ContentLength -1: it fails CheckForJSON without a JSON Content-Type and otherwise reaches Decode,
 * which returns io.EOF (an error) in every version.
 *
 * BODY_READING summarises both versions conservatively for a proxy: `emptyBody` is 'zero-value'
 * when ANY covered engine goes on with the zero value for an empty body, 'error' only when every
 * covered engine refuses it while reading; `contentTypeChecked` is true only when EVERY covered
 * engine refuses a body whose Content-Type is not application/json.
 */

import { endpointSpec, endpointsWith, type BodySchemaName, type EndpointId, type EndpointIdWith } from '../../request/endpoints.js';
import type { GoType } from '../go-types.js';
import { CONTAINER_CREATE_BODY } from './container-create.js';
import { UPDATE_CONFIG } from './container-update.js';
import { EXEC_CONFIG } from './exec-create.js';
import { NETWORK_CONNECT, NETWORK_DISCONNECT } from './network-connect.js';
import { NETWORK_CREATE_REQUEST } from './network-create.js';
import { PLUGIN_PRIVILEGES } from './plugin-privileges.js';
import { SERVICE_SPEC } from './service-spec.js';
import { VOLUME_CREATE_BODY } from './volume-create.js';

/** The sockgate endpoint ids whose bodies are decoded: those with a body trait (EndpointSpec.body). */
export type BodyEndpointId = EndpointIdWith<'body'>;

/** The Go type each body schema name of the endpoint table stands for (one file of this folder each). */
const SCHEMAS_BY_NAME: Readonly<Record<BodySchemaName, GoType>> = {
  'container-create': CONTAINER_CREATE_BODY,
  'container-update': UPDATE_CONFIG,
  'exec-create': EXEC_CONFIG,
  'network-connect': NETWORK_CONNECT,
  'network-create': NETWORK_CREATE_REQUEST,
  'network-disconnect': NETWORK_DISCONNECT,
  'plugin-privileges': PLUGIN_PRIVILEGES,
  'service-spec': SERVICE_SPEC,
  'volume-create': VOLUME_CREATE_BODY,
};

/** The endpoints whose bodies are decoded (exported as INSPECTABLE_ENDPOINTS by ../inspectable.ts). */
const BODY_ENDPOINTS = endpointsWith('body');

/** The Go type each endpoint's handler decodes its body into (the v20.10 ∪ current field set). */
export const BODY_SCHEMAS: Readonly<Record<BodyEndpointId, GoType>> = Object.fromEntries(
  [...BODY_ENDPOINTS].map((id) => [id, SCHEMAS_BY_NAME[endpointSpec(id).body!]]),
) as Record<BodyEndpointId, GoType>;

/** The Go type an endpoint's body is decoded into; undefined for endpoints whose body sockgate never decodes. */
export function bodySchemaOf(endpoint: EndpointId): GoType | undefined {
  return BODY_ENDPOINTS.has(endpoint) ? BODY_SCHEMAS[endpoint] : undefined;
}

export interface BodyReading {
  /** what an empty body (Content-Length: 0) becomes: refused while reading, or Go's zero value */
  readonly emptyBody: 'error' | 'zero-value';
  /** whether every covered engine refuses a body whose Content-Type is not application/json */
  readonly contentTypeChecked: boolean;
  /** how the handler reads the body, in v20.10 and now, with the source function */
  readonly note: string;
}

export const BODY_READING: Readonly<Record<BodyEndpointId, BodyReading>> = {
  'containers.create': {
    emptyBody: 'error',
    contentTypeChecked: true,
    note:
      'v20.10: postContainersCreate (api/server/router/container/container_routes.go) calls httputils.CheckForJSON, then ' +
      'runconfig.ContainerDecoder.DecodeConfig → decodeContainerConfig (runconfig/config.go): json.NewDecoder(src).Decode(&w) ' +
      'into ContainerConfigWrapper; an empty body returns io.EOF unwrapped (a 500 "EOF"); trailing data is ignored; then ' +
      'getHostConfig() (see effectiveHostConfig). Current: postContainersCreate (daemon/server/router/container/container_routes.go) ' +
      'calls CheckForJSON, then runconfig.DecodeCreateRequest (daemon/internal/runconfig/config.go): loadJSON decodes ' +
      'container.CreateRequest (io.EOF → invalid JSON error, dec.More() → "unexpected content after JSON"), a nil Config is ' +
      'refused ("config cannot be empty in order to create a container"), nil HostConfig/NetworkingConfig become empty ones. ' +
      'Not ReadJSON: an empty body is an error in both.',
  },
  'exec.create': {
    emptyBody: 'zero-value',
    contentTypeChecked: true,
    note:
      'v20.10: postContainerExecCreate (api/server/router/container/exec.go): CheckForJSON, json.NewDecoder(r.Body).Decode ' +
      'into types.ExecConfig; io.EOF → 400 "got EOF while reading request body". Current (daemon/server/router/container/exec.go): ' +
      'httputils.ReadJSON into container.ExecOptions, so an empty body is the zero value — which the handler then refuses ' +
      'anyway: len(Cmd) == 0 → 400 "No exec command specified" (both versions). ConsoleSize is cleared below API 1.42.',
  },
  'containers.update': {
    emptyBody: 'zero-value',
    contentTypeChecked: true,
    note:
      'v20.10: postContainerUpdate (api/server/router/container/container_routes.go): CheckForJSON, then ' +
      'json.NewDecoder(r.Body).Decode(&updateConfig); io.EOF is returned unwrapped (an error). Current ' +
      '(daemon/server/router/container/container_routes.go): httputils.ReadJSON, so an empty body is a zero UpdateConfig and ' +
      'the update proceeds (changing nothing). PidsLimit is cleared below API 1.40, KernelMemory from 1.42; Resources and ' +
      'RestartPolicy are copied into a HostConfig for backend.ContainerUpdate.',
  },
  'volumes.create': {
    emptyBody: 'zero-value',
    contentTypeChecked: true,
    note:
      'v20.10: postVolumesCreate (api/server/router/volume/volume_routes.go): ParseForm, CheckForJSON, ' +
      'json.NewDecoder(r.Body).Decode into volume.VolumeCreateBody; io.EOF → 400 "got EOF while reading request body". Current ' +
      '(daemon/server/router/volume/volume_routes.go): httputils.ReadJSON into volume.CreateOptions, so an empty body is the ' +
      'zero value and the engine CREATES a volume (generated name, default "local" driver, no options). ClusterVolumeSpec is ' +
      'honoured only for API ≥ 1.42 (a swarm cluster volume), otherwise a local volume is created.',
  },
  'networks.create': {
    emptyBody: 'zero-value',
    contentTypeChecked: true,
    note:
      'v20.10: postNetworkCreate (api/server/router/network/network_routes.go): ParseForm, CheckForJSON, ' +
      'json.NewDecoder(r.Body).Decode into types.NetworkCreateRequest; io.EOF → 400 "got EOF while reading request body". ' +
      'Current (daemon/server/router/network/network_routes.go): httputils.ReadJSON into network.CreateRequest, so an empty ' +
      'body reaches backend.CreateNetwork as the zero value (an empty Name, which the backend then validates).',
  },
  'networks.connect': {
    emptyBody: 'zero-value',
    contentTypeChecked: true,
    note:
      'v20.10: postNetworkConnect (api/server/router/network/network_routes.go): ParseForm, CheckForJSON, ' +
      'json.NewDecoder(r.Body).Decode into types.NetworkConnect; io.EOF → 400 "got EOF while reading request body". Current ' +
      '(daemon/server/router/network/network_routes.go): httputils.ReadJSON into network.ConnectOptions, so an empty body is ' +
      'the zero value (Container "", which the backend does not find). Container names the container by name or id prefix.',
  },
  'networks.disconnect': {
    emptyBody: 'zero-value',
    contentTypeChecked: true,
    note:
      'v20.10: postNetworkDisconnect (api/server/router/network/network_routes.go): ParseForm, CheckForJSON, ' +
      'json.NewDecoder(r.Body).Decode into types.NetworkDisconnect; io.EOF → 400. Current: httputils.ReadJSON into ' +
      'network.DisconnectOptions (an empty body is the zero value). Force disconnects even a container that is gone.',
  },
  'services.create': {
    emptyBody: 'zero-value',
    contentTypeChecked: false,
    note:
      'v20.10: createService (api/server/router/swarm/cluster_routes.go): json.NewDecoder(r.Body).Decode into swarm.ServiceSpec ' +
      'with NO Content-Type check; io.EOF → 400 "got EOF while reading request body"; trailing data ignored. Current ' +
      '(daemon/server/router/swarm/cluster_routes.go): httputils.ReadJSON (Content-Type checked), so an empty body is a zero ' +
      'ServiceSpec handed to backend.CreateService (which validates it). ' +
      'adjustForAPIVersion then clears fields the client API version predates.',
  },
  'services.update': {
    emptyBody: 'zero-value',
    contentTypeChecked: false,
    note:
      'v20.10: updateService (api/server/router/swarm/cluster_routes.go): json.NewDecoder(r.Body).Decode into swarm.ServiceSpec ' +
      'with NO Content-Type check; io.EOF → 400 "got EOF while reading request body". Current ' +
      '(daemon/server/router/swarm/cluster_routes.go): httputils.ReadJSON, so an empty body is a zero ServiceSpec handed to ' +
      'backend.UpdateService (a full replacement spec; with ?rollback=previous the body is ignored). The ?version= query is required.',
  },
  'plugins.pull': {
    emptyBody: 'zero-value',
    contentTypeChecked: false,
    note:
      'v20.10: pullPlugin (api/server/router/plugin/plugin_routes.go): ParseForm, then json.NewDecoder(r.Body).Decode(&privileges) ' +
      'into types.PluginPrivileges with NO Content-Type check; an error (io.EOF included) → errors.Wrap(err, "failed to parse ' +
      'privileges") (a 500); dec.More() → "invalid privileges". Because ParseForm runs first, a body sent as ' +
      'application/x-www-form-urlencoded is consumed as a form there. Current (daemon/server/router/plugin/plugin_routes.go): ' +
      'httputils.ReadJSON into plugin.Privileges, so an empty body grants no privileges (the pull then fails if the plugin ' +
      'asks for any).',
  },
  'plugins.upgrade': {
    emptyBody: 'zero-value',
    contentTypeChecked: false,
    note:
      'v20.10: upgradePlugin (api/server/router/plugin/plugin_routes.go): same reading as pullPlugin — ParseForm, ' +
      'json.NewDecoder(r.Body).Decode(&privileges) with NO Content-Type check, errors wrapped as "failed to parse privileges", ' +
      'dec.More() → "invalid privileges". Current (daemon/server/router/plugin/plugin_routes.go): httputils.ReadJSON, so an ' +
      'empty body grants no privileges.',
  },
};
