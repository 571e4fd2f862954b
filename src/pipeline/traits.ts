/** What the request path does differently for some endpoints. */

/** Endpoints whose answers stay open (a reload re-checks them); hijacked endpoints are tracked too. */
export const STREAM_ENDPOINTS: ReadonlySet<string> = new Set(['system.events', 'containers.logs', 'containers.stats', 'containers.wait', 'containers.attach', 'exec.start']);

/**
 * Endpoints whose answer the engine sends only when the work is done, which may take longer than
 * any fixed limit (docker stop -t 900, removing or committing a large container, pruning, disk
 * usage of a large host): the upstream headers timeout does not apply to them, as the engine
 * itself sets none. Streamed endpoints (events, logs, pull, build, wait) send headers at once.
 */
export const NO_HEADERS_TIMEOUT: ReadonlySet<string> = new Set([
  'containers.stop',
  'containers.restart',
  'containers.delete',
  'images.commit',
  'containers.prune',
  'images.delete',
  'images.prune',
  'volumes.prune',
  'networks.prune',
  'build.prune',
  'system.dataUsage',
]);
