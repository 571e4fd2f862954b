/**
 * The Docker Engine API route table, as registered by the engine's routers.
 *
 * Source: moby api/server/router/<group>/<group>.go (daemon/server/router/... in moby v29+), one
 * `router.New<Method>Route(path, handler)` per entry below, and api/server/server.go CreateMux,
 * which registers every route twice, `/v{version:[0-9.]+}` + path and then the bare path, in
 * router order. Router order (cmd/dockerd/daemon.go initRouter in 20.10, buildRouters later):
 * checkpoint, container, image, system, volume, build, session, swarm, plugin, distribution,
 * grpc and network (20.10: grpc before network; v29: network, debug, grpc), then debug.
 * Verified against a 20.10.24 engine (API 1.41): its debug log ("Registering METHOD, PATH") lists
 * exactly the non-debug entries below except `volumes.update` (API 1.42+), in this order, and each
 * is reachable (with `/v1.11/` it fails the version check instead of answering "page not found");
 * the debug.* GET routes answer 200. See docs/engine-behaviour.md.
 *
 * Matching: gorilla/mux tries routes in registration order and the first route whose path
 * regexp AND method both match wins; a route whose path matches but whose method does not is
 * skipped (Router.Match / Route.Match, ErrMethodMismatch). This array is in that order, so
 * FIRST MATCH WINS, IN ARRAY ORDER, AS IN THE ENGINE. Overlaps that depend on the order:
 *  - DELETE /containers/{name}/checkpoints/{checkpoint} also matches DELETE /containers/{name*}
 *    (the engine registers the checkpoint router first "or the DELETE gets masked"; the route is
 *    experimental, so on a non-experimental engine it answers 501 and does not delete anything);
 *  - GET /debug/pprof/{cmdline,profile,symbol,trace} also match GET /debug/pprof/{name}.
 * No other pair of same-method templates can match the same path: every other `{x*}` template
 * ends in a literal suffix that no other template of that method ends in.
 *
 * Templates: `{name}` is one non-empty segment (gorilla's default `[^/]+`); `{name*}` is what moby
 * writes as `{name:.*}` (or `{id:.+}`): any characters, `/` included, so `/containers/a/b/json`
 * is containers.inspect of "a/b" and `/images/library/busybox:latest/json` is images.inspect.
 * Moby's `.*` also matches the empty string and a trailing slash: `//` inside a path is
 * redirected (301) before routing, but the router keeps a trailing slash, so the engine routes
 * GET /volumes/ (volumes.inspect of "") and DELETE /containers/foo/ (containers.delete of "foo/").
 * sockgate refuses empty segments and trailing slashes, so here `{name*}` is one or more characters.
 * Go's `.` does not match "\n" (and does match "\r", U+2028, U+2029).
 *
 * HEAD: gorilla matches methods exactly; a HEAD request only reaches the two routes registered
 * for HEAD (/_ping and /containers/{name*}/archive) and gets 404 "page not found" elsewhere.
 * OPTIONS: the system router registers OPTIONS /{anyroute:.*} (CORS preflight; answers 200,
 * empty body) for every path, hence 'OPTIONS' in HttpMethod.
 *
 * Traits: each entry also says how sockgate treats the endpoint beyond its rules (the optional
 * fields of EndpointSpec: streamed answer, body schema, target, ...). Every set of ids the other
 * modules use is derived from them with endpointsWith(), so there is one place to say it.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';

/**
 * The request bodies sockgate decodes, by schema: each names a file of src/inspect/schemas, which
 * maps it to the engine's Go type (BODY_SCHEMAS). A name, not the type, so the request table does
 * not depend on inspect/ (inspect depends on request, not the other way round).
 */
export type BodySchemaName =
  | 'container-create'
  | 'container-update'
  | 'exec-create'
  | 'network-connect'
  | 'network-create'
  | 'network-disconnect'
  | 'plugin-privileges'
  | 'service-spec'
  | 'volume-create';

export interface EndpointSpec {
  /** stable dotted id, e.g. 'containers.create', 'containers.inspect', 'exec.start', 'images.inspect' */
  readonly id: string;
  readonly method: HttpMethod;
  /** path template WITHOUT the /vX.Y prefix. `{name}` = exactly one non-empty segment; `{name*}` = one or more segments (moby routes written with `{name:.*}`, e.g. images with slashes in their reference). */
  readonly template: string;
  /** 'hijack' when the engine hijacks the connection (attach, exec start, session, grpc, attach/ws); absent otherwise */
  readonly connection?: 'hijack';
  /** short human description */
  readonly summary: string;
  /** the answer stays open (events, logs, stats, wait, attach, exec start): tracked, so a reload re-checks it and shutdown ends it */
  readonly stream?: true;
  /**
   * the engine answers only when the work is done, which may take longer than any fixed limit
   * (docker stop -t 900, removing or committing a large container, pruning, disk usage of a large
   * host): no upstream headers timeout, as the engine itself sets none. Streamed endpoints
   * (events, logs, pull, build, wait) send headers at once and need no such trait.
   */
  readonly awaitsWork?: true;
  /**
   * the one container the request acts on: named in the path (`/containers/{name*}...`) or through
   * the exec instance the path names. Target conditions and a profile's scope apply to it.
   */
  readonly target?: 'container' | 'exec';
  /** the volume or network the path names (`{name*}` / `{id*}`), which an owning profile must be able to see */
  readonly pathObject?: 'volume' | 'network';
  /** where the decoded body carries labels that end up on an object, as JSON pointers with `*` for every element: sockgate reads such bodies to keep its reserved label prefix out */
  readonly labelPlaces?: readonly string[];
  /** the created object gets the owner label in ownership mode (a container, volume or network create) */
  readonly ownedCreate?: true;
  /** the body sockgate can decode as the engine does (src/inspect/schemas); absent: the body is never decoded */
  readonly body?: BodySchemaName;
  /** the answer is one JSON object (inspect) or a list of them, so a policy may redact fields of it */
  readonly redactable?: true;
}

/** The traits an endpoint may have: the optional fields of EndpointSpec other than its connection. */
export type EndpointTrait = 'stream' | 'awaitsWork' | 'target' | 'pathObject' | 'labelPlaces' | 'ownedCreate' | 'body' | 'redactable';

/** Label places of a service spec (services create and update take the same body). */
const SERVICE_LABEL_PLACES = ['/Labels', '/TaskTemplate/ContainerSpec/Labels', '/TaskTemplate/ContainerSpec/Mounts/*/VolumeOptions/Labels'] as const;

const TABLE = [
  // ── checkpoint router (api/server/router/checkpoint/checkpoint.go) ── all router.Experimental:
  // registered on every engine, but answer 501 "experimental feature is disabled" unless the
  // daemon runs with --experimental. Registered before the container router on purpose.
  { id: 'checkpoints.list', method: 'GET', template: '/containers/{name*}/checkpoints', summary: 'List checkpoints of a container (experimental)', target: 'container' },
  { id: 'checkpoints.create', method: 'POST', template: '/containers/{name*}/checkpoints', summary: 'Create a checkpoint of a container (experimental)', target: 'container' },
  // Note: single-segment {name} and {checkpoint} here (moby writes `{name}`, not `{name:.*}`).
  { id: 'checkpoints.delete', method: 'DELETE', template: '/containers/{name}/checkpoints/{checkpoint}', summary: 'Delete a checkpoint (experimental); matched before containers.delete' },

  // ── container router (api/server/router/container/container.go) ──
  // HEAD
  { id: 'containers.archiveInfo', method: 'HEAD', template: '/containers/{name*}/archive', summary: 'Stat a path in a container (X-Docker-Container-Path-Stat header)', target: 'container' },
  // GET
  { id: 'containers.list', method: 'GET', template: '/containers/json', summary: 'List containers', redactable: true },
  { id: 'containers.export', method: 'GET', template: '/containers/{name*}/export', summary: 'Export a container filesystem as a tar stream', target: 'container' },
  { id: 'containers.changes', method: 'GET', template: '/containers/{name*}/changes', summary: 'List filesystem changes of a container', target: 'container' },
  { id: 'containers.inspect', method: 'GET', template: '/containers/{name*}/json', summary: 'Inspect a container (includes Config.Env)', target: 'container', redactable: true },
  { id: 'containers.top', method: 'GET', template: '/containers/{name*}/top', summary: 'List processes running in a container', target: 'container' },
  { id: 'containers.logs', method: 'GET', template: '/containers/{name*}/logs', summary: 'Read (or follow) container logs', stream: true, target: 'container' },
  { id: 'containers.stats', method: 'GET', template: '/containers/{name*}/stats', summary: 'Container resource usage statistics (streams by default)', stream: true, target: 'container' },
  { id: 'containers.attachWebsocket', method: 'GET', template: '/containers/{name*}/attach/ws', connection: 'hijack', summary: 'Attach to a container over a WebSocket', target: 'container' },
  { id: 'exec.inspect', method: 'GET', template: '/exec/{id*}/json', summary: 'Inspect an exec instance', target: 'exec', redactable: true },
  { id: 'containers.archive', method: 'GET', template: '/containers/{name*}/archive', summary: 'Read a file or directory from a container as a tar archive', target: 'container' },
  // POST
  { id: 'containers.create', method: 'POST', template: '/containers/create', summary: 'Create a container', labelPlaces: ['/Labels', '/HostConfig/Mounts/*/VolumeOptions/Labels'], ownedCreate: true, body: 'container-create' },
  { id: 'containers.kill', method: 'POST', template: '/containers/{name*}/kill', summary: 'Send a signal to a container', target: 'container' },
  { id: 'containers.pause', method: 'POST', template: '/containers/{name*}/pause', summary: 'Pause a container', target: 'container' },
  { id: 'containers.unpause', method: 'POST', template: '/containers/{name*}/unpause', summary: 'Unpause a container', target: 'container' },
  { id: 'containers.restart', method: 'POST', template: '/containers/{name*}/restart', summary: 'Restart a container', awaitsWork: true, target: 'container' },
  { id: 'containers.start', method: 'POST', template: '/containers/{name*}/start', summary: 'Start a container', target: 'container' },
  { id: 'containers.stop', method: 'POST', template: '/containers/{name*}/stop', summary: 'Stop a container', awaitsWork: true, target: 'container' },
  { id: 'containers.wait', method: 'POST', template: '/containers/{name*}/wait', summary: 'Wait for a container to reach a condition', stream: true, target: 'container' },
  { id: 'containers.resize', method: 'POST', template: '/containers/{name*}/resize', summary: 'Resize the TTY of a container', target: 'container' },
  { id: 'containers.attach', method: 'POST', template: '/containers/{name*}/attach', connection: 'hijack', summary: 'Attach to container stdio (hijacked raw stream)', stream: true, target: 'container' },
  // Deprecated copy-out endpoint: registered by 20.10 (not by moby v29). For API < 1.24 (e.g.
  // /v1.23/...) it returns a tar of the path named in the JSON body {"Resource": "/path"}, a file
  // read like containers.archive; for API >= 1.24 it answers 404 with an empty body.
  { id: 'containers.copy', method: 'POST', template: '/containers/{name*}/copy', summary: 'Copy files out of a container (deprecated; works for API < 1.24 only)', target: 'container' },
  { id: 'exec.create', method: 'POST', template: '/containers/{name*}/exec', summary: 'Create an exec instance in a container', target: 'container', body: 'exec-create' },
  { id: 'exec.start', method: 'POST', template: '/exec/{name*}/start', connection: 'hijack', summary: 'Start an exec instance (hijacked raw stream unless Detach is true)', stream: true, target: 'exec' },
  { id: 'exec.resize', method: 'POST', template: '/exec/{name*}/resize', summary: 'Resize the TTY of an exec instance', target: 'exec' },
  { id: 'containers.rename', method: 'POST', template: '/containers/{name*}/rename', summary: 'Rename a container', target: 'container' },
  { id: 'containers.update', method: 'POST', template: '/containers/{name*}/update', summary: 'Update resources and restart policy of a container', target: 'container', body: 'container-update' },
  { id: 'containers.prune', method: 'POST', template: '/containers/prune', summary: 'Delete stopped containers', awaitsWork: true },
  // /commit is registered by the container router; its API operation is ImageCommit.
  { id: 'images.commit', method: 'POST', template: '/commit', summary: 'Create an image from a container', awaitsWork: true },
  // PUT
  { id: 'containers.putArchive', method: 'PUT', template: '/containers/{name*}/archive', summary: 'Extract a tar archive into a container filesystem', target: 'container' },
  // DELETE
  { id: 'containers.delete', method: 'DELETE', template: '/containers/{name*}', summary: 'Remove a container', awaitsWork: true, target: 'container' },

  // ── image router (api/server/router/image/image.go) ──
  { id: 'images.list', method: 'GET', template: '/images/json', summary: 'List images' },
  { id: 'images.search', method: 'GET', template: '/images/search', summary: 'Search a registry for images' },
  { id: 'images.getAll', method: 'GET', template: '/images/get', summary: 'Export several images as a tar archive (names in ?names=)' },
  { id: 'images.get', method: 'GET', template: '/images/{name*}/get', summary: 'Export an image as a tar archive' },
  { id: 'images.history', method: 'GET', template: '/images/{name*}/history', summary: 'Image layer history' },
  { id: 'images.inspect', method: 'GET', template: '/images/{name*}/json', summary: 'Inspect an image' },
  { id: 'images.load', method: 'POST', template: '/images/load', summary: 'Load images from a tar archive' },
  { id: 'images.create', method: 'POST', template: '/images/create', summary: 'Pull an image (fromImage) or import one (fromSrc)' },
  { id: 'images.push', method: 'POST', template: '/images/{name*}/push', summary: 'Push an image to a registry' },
  { id: 'images.tag', method: 'POST', template: '/images/{name*}/tag', summary: 'Tag an image' },
  { id: 'images.prune', method: 'POST', template: '/images/prune', summary: 'Delete unused images', awaitsWork: true },
  { id: 'images.delete', method: 'DELETE', template: '/images/{name*}', summary: 'Remove an image or tag', awaitsWork: true },

  // ── system router (api/server/router/system/system.go) ──
  { id: 'system.options', method: 'OPTIONS', template: '/{anyroute*}', summary: 'CORS preflight: OPTIONS on any path answers 200 with an empty body' },
  { id: 'system.ping', method: 'GET', template: '/_ping', summary: 'Ping (API version negotiation)' },
  { id: 'system.pingHead', method: 'HEAD', template: '/_ping', summary: 'Ping with HEAD' },
  { id: 'system.events', method: 'GET', template: '/events', summary: 'Stream engine events', stream: true },
  { id: 'system.info', method: 'GET', template: '/info', summary: 'System-wide information' },
  { id: 'system.version', method: 'GET', template: '/version', summary: 'Engine and API versions' },
  { id: 'system.dataUsage', method: 'GET', template: '/system/df', summary: 'Disk usage (docker system df)', awaitsWork: true },
  { id: 'system.auth', method: 'POST', template: '/auth', summary: 'Check registry credentials' },

  // ── volume router (api/server/router/volume/volume.go) ──
  { id: 'volumes.list', method: 'GET', template: '/volumes', summary: 'List volumes' },
  { id: 'volumes.inspect', method: 'GET', template: '/volumes/{name*}', summary: 'Inspect a volume', pathObject: 'volume' },
  { id: 'volumes.create', method: 'POST', template: '/volumes/create', summary: 'Create a volume', labelPlaces: ['/Labels'], ownedCreate: true, body: 'volume-create' },
  { id: 'volumes.prune', method: 'POST', template: '/volumes/prune', summary: 'Delete unused volumes', awaitsWork: true },
  // API 1.42+ (moby 22.06+): not registered by 20.10, which answers 404 "page not found".
  { id: 'volumes.update', method: 'PUT', template: '/volumes/{name*}', summary: 'Update a cluster volume (API 1.42+)', pathObject: 'volume' },
  { id: 'volumes.delete', method: 'DELETE', template: '/volumes/{name*}', summary: 'Remove a volume', pathObject: 'volume' },

  // ── build router (api/server/router/build/build.go) ──
  { id: 'images.build', method: 'POST', template: '/build', summary: 'Build an image (ImageBuild)' },
  { id: 'build.prune', method: 'POST', template: '/build/prune', summary: 'Delete build cache', awaitsWork: true },
  { id: 'build.cancel', method: 'POST', template: '/build/cancel', summary: 'Cancel a running build' },

  // ── session router (api/server/router/session/session.go) ── needs Upgrade: h2c
  { id: 'session', method: 'POST', template: '/session', connection: 'hijack', summary: 'Start a BuildKit session (HTTP/2 over the hijacked connection)' },

  // ── swarm router (api/server/router/swarm/cluster.go) ──
  { id: 'swarm.init', method: 'POST', template: '/swarm/init', summary: 'Initialize a swarm' },
  { id: 'swarm.join', method: 'POST', template: '/swarm/join', summary: 'Join a swarm' },
  { id: 'swarm.leave', method: 'POST', template: '/swarm/leave', summary: 'Leave a swarm' },
  { id: 'swarm.inspect', method: 'GET', template: '/swarm', summary: 'Inspect the swarm (includes join tokens)' },
  { id: 'swarm.unlockkey', method: 'GET', template: '/swarm/unlockkey', summary: 'Get the swarm unlock key' },
  { id: 'swarm.update', method: 'POST', template: '/swarm/update', summary: 'Update the swarm' },
  { id: 'swarm.unlock', method: 'POST', template: '/swarm/unlock', summary: 'Unlock a locked manager' },
  { id: 'services.list', method: 'GET', template: '/services', summary: 'List services', redactable: true },
  { id: 'services.inspect', method: 'GET', template: '/services/{id}', summary: 'Inspect a service', redactable: true },
  { id: 'services.create', method: 'POST', template: '/services/create', summary: 'Create a service', labelPlaces: SERVICE_LABEL_PLACES, body: 'service-spec' },
  { id: 'services.update', method: 'POST', template: '/services/{id}/update', summary: 'Update a service', labelPlaces: SERVICE_LABEL_PLACES, body: 'service-spec' },
  { id: 'services.delete', method: 'DELETE', template: '/services/{id}', summary: 'Remove a service' },
  { id: 'services.logs', method: 'GET', template: '/services/{id}/logs', summary: 'Read service logs' },
  { id: 'nodes.list', method: 'GET', template: '/nodes', summary: 'List nodes' },
  { id: 'nodes.inspect', method: 'GET', template: '/nodes/{id}', summary: 'Inspect a node' },
  { id: 'nodes.delete', method: 'DELETE', template: '/nodes/{id}', summary: 'Remove a node' },
  { id: 'nodes.update', method: 'POST', template: '/nodes/{id}/update', summary: 'Update a node' },
  { id: 'tasks.list', method: 'GET', template: '/tasks', summary: 'List tasks', redactable: true },
  { id: 'tasks.inspect', method: 'GET', template: '/tasks/{id}', summary: 'Inspect a task', redactable: true },
  { id: 'tasks.logs', method: 'GET', template: '/tasks/{id}/logs', summary: 'Read task logs' },
  { id: 'secrets.list', method: 'GET', template: '/secrets', summary: 'List secrets', redactable: true },
  { id: 'secrets.create', method: 'POST', template: '/secrets/create', summary: 'Create a secret' },
  { id: 'secrets.delete', method: 'DELETE', template: '/secrets/{id}', summary: 'Remove a secret' },
  { id: 'secrets.inspect', method: 'GET', template: '/secrets/{id}', summary: 'Inspect a secret (metadata only)', redactable: true },
  { id: 'secrets.update', method: 'POST', template: '/secrets/{id}/update', summary: 'Update a secret' },
  { id: 'configs.list', method: 'GET', template: '/configs', summary: 'List configs', redactable: true },
  { id: 'configs.create', method: 'POST', template: '/configs/create', summary: 'Create a config' },
  { id: 'configs.delete', method: 'DELETE', template: '/configs/{id}', summary: 'Remove a config' },
  { id: 'configs.inspect', method: 'GET', template: '/configs/{id}', summary: 'Inspect a config (includes its data)', redactable: true },
  { id: 'configs.update', method: 'POST', template: '/configs/{id}/update', summary: 'Update a config' },

  // ── plugin router (api/server/router/plugin/plugin.go) ──
  { id: 'plugins.list', method: 'GET', template: '/plugins', summary: 'List plugins' },
  { id: 'plugins.inspect', method: 'GET', template: '/plugins/{name*}/json', summary: 'Inspect a plugin' },
  { id: 'plugins.privileges', method: 'GET', template: '/plugins/privileges', summary: 'Privileges a plugin needs (GetPluginPrivileges)' },
  { id: 'plugins.delete', method: 'DELETE', template: '/plugins/{name*}', summary: 'Remove a plugin' },
  { id: 'plugins.enable', method: 'POST', template: '/plugins/{name*}/enable', summary: 'Enable a plugin' },
  { id: 'plugins.disable', method: 'POST', template: '/plugins/{name*}/disable', summary: 'Disable a plugin' },
  { id: 'plugins.pull', method: 'POST', template: '/plugins/pull', summary: 'Install a plugin', body: 'plugin-privileges' },
  { id: 'plugins.push', method: 'POST', template: '/plugins/{name*}/push', summary: 'Push a plugin' },
  { id: 'plugins.upgrade', method: 'POST', template: '/plugins/{name*}/upgrade', summary: 'Upgrade a plugin', body: 'plugin-privileges' },
  { id: 'plugins.set', method: 'POST', template: '/plugins/{name*}/set', summary: 'Configure a plugin' },
  { id: 'plugins.create', method: 'POST', template: '/plugins/create', summary: 'Create a plugin from a tar archive' },

  // ── distribution router (api/server/router/distribution/distribution.go) ──
  { id: 'distribution.inspect', method: 'GET', template: '/distribution/{name*}/json', summary: 'Image manifest and platforms from the registry' },

  // ── grpc router (api/server/router/grpc/grpc.go) ── needs Upgrade: h2c
  { id: 'grpc', method: 'POST', template: '/grpc', connection: 'hijack', summary: 'BuildKit gRPC API (HTTP/2 over the hijacked connection)' },

  // ── network router (api/server/router/network/network.go) ── only when networking is enabled
  { id: 'networks.list', method: 'GET', template: '/networks', summary: 'List networks' },
  // Registered with a trailing slash; sockgate refuses trailing slashes before matching.
  { id: 'networks.listSlash', method: 'GET', template: '/networks/', summary: 'List networks (GET /networks/ with a trailing slash)' },
  // moby writes {id:.+} here
  { id: 'networks.inspect', method: 'GET', template: '/networks/{id*}', summary: 'Inspect a network', pathObject: 'network' },
  { id: 'networks.create', method: 'POST', template: '/networks/create', summary: 'Create a network', labelPlaces: ['/Labels'], ownedCreate: true, body: 'network-create' },
  { id: 'networks.connect', method: 'POST', template: '/networks/{id*}/connect', summary: 'Connect a container to a network', pathObject: 'network', body: 'network-connect' },
  { id: 'networks.disconnect', method: 'POST', template: '/networks/{id*}/disconnect', summary: 'Disconnect a container from a network', pathObject: 'network', body: 'network-disconnect' },
  { id: 'networks.prune', method: 'POST', template: '/networks/prune', summary: 'Delete unused networks', awaitsWork: true },
  { id: 'networks.delete', method: 'DELETE', template: '/networks/{id*}', summary: 'Remove a network', pathObject: 'network' },

  // ── debug router (api/server/router/debug/debug.go), always registered, debug mode or not ──
  // 20.10: registered WITHOUT a method and WITHOUT the version prefix (m.Path("/debug"+path)):
  // every method except OPTIONS (caught by system.options first) reaches these handlers there,
  // e.g. POST /debug/vars. moby v29 registers them as GET routes, with and without /vX.Y.
  { id: 'debug.vars', method: 'GET', template: '/debug/vars', summary: 'expvar dump (daemon command line, memstats)' },
  { id: 'debug.pprofIndex', method: 'GET', template: '/debug/pprof/', summary: 'pprof index (trailing slash)' },
  { id: 'debug.pprofCmdline', method: 'GET', template: '/debug/pprof/cmdline', summary: 'pprof: daemon command line' },
  { id: 'debug.pprofProfile', method: 'GET', template: '/debug/pprof/profile', summary: 'pprof: CPU profile' },
  { id: 'debug.pprofSymbol', method: 'GET', template: '/debug/pprof/symbol', summary: 'pprof: symbol lookup' },
  { id: 'debug.pprofTrace', method: 'GET', template: '/debug/pprof/trace', summary: 'pprof: execution trace' },
  // Matched after the four above.
  { id: 'debug.pprof', method: 'GET', template: '/debug/pprof/{name}', summary: 'pprof: named profile (heap, goroutine, ...)' },
] as const satisfies readonly EndpointSpec[];

/** An endpoint id of the table: a typo in an id written in the code fails to compile. */
export type EndpointId = (typeof TABLE)[number]['id'];

/** An endpoint of the table. */
export type Endpoint = EndpointSpec & { readonly id: EndpointId };

/** The route table, in the engine's registration order (first match wins). */
export const ENDPOINTS: readonly Endpoint[] = TABLE;

/** The ids of the endpoints that have a trait, as a union type (e.g. the ids with a body). */
export type EndpointIdWith<T extends EndpointTrait> = Extract<(typeof TABLE)[number], { readonly [K in T]: unknown }>['id'];

/**
 * A set of endpoint ids. `has` takes any string, since ids arrive as strings (a request's match,
 * a policy file), and narrows it to the ids of the set.
 */
export interface EndpointIdSet<Id extends EndpointId = EndpointId> extends ReadonlySet<Id> {
  has(id: string): id is Id;
}

const BY_ID: ReadonlyMap<string, Endpoint> = new Map(ENDPOINTS.map((e) => [e.id, e]));

/** Whether a string is an endpoint id of the table. */
export function isEndpointId(id: string): id is EndpointId {
  return BY_ID.has(id);
}

/** The spec of an endpoint id. */
export function endpointSpec(id: EndpointId): Endpoint {
  return BY_ID.get(id)!;
}

/** The ids of the endpoints that have a trait (optionally with one value of it), in table order. */
export function endpointsWith<T extends EndpointTrait>(trait: T, value?: NonNullable<EndpointSpec[T]>): EndpointIdSet<EndpointIdWith<T>> {
  const ids = ENDPOINTS.filter((e) => e[trait] !== undefined && (value === undefined || e[trait] === value)).map((e) => e.id);
  return new Set(ids) as ReadonlySet<EndpointId> as EndpointIdSet<EndpointIdWith<T>>;
}

/** Endpoints whose answers stay open (a reload re-checks them); hijacked endpoints are tracked too. */
export const STREAM_ENDPOINTS = endpointsWith('stream');

/** Endpoints the upstream headers timeout does not apply to (see EndpointSpec.awaitsWork). */
export const AWAITS_WORK_ENDPOINTS = endpointsWith('awaitsWork');
