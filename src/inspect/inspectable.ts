/**
 * Endpoints whose request body sockgate decodes the way the engine does, so rules may constrain
 * body fields there. A rule with body conditions must name only these endpoints.
 */
export const INSPECTABLE_ENDPOINTS: ReadonlySet<string> = new Set([
  'containers.create',
  'exec.create',
  'containers.update',
  'volumes.create',
  'networks.create',
  'services.create',
  'services.update',
  'plugins.pull',
  'plugins.upgrade',
]);
