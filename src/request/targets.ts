/**
 * Which container an endpoint acts on, and how to name it to the engine: endpoints under
 * /containers/{name}/... name it directly (by name or id prefix, as the client wrote it); exec
 * endpoints name an exec instance, whose container the engine knows. Pure.
 */

import { endpointsWith, type EndpointIdSet } from './endpoints.js';
import type { EndpointMatch } from './endpoint-match.js';
import { encodePathSegment, serializeQuery, type NormalizedRequest } from './normalize.js';

/** Endpoint ids whose request acts on one container (target conditions may name them). */
export const TARGETED_ENDPOINTS: EndpointIdSet = endpointsWith('target');

export type TargetRef = { readonly via: 'container'; readonly ref: string } | { readonly via: 'exec'; readonly ref: string };

/** The container reference in a request to a targeted endpoint, or null for other endpoints. */
export function targetRefOf(endpoint: EndpointMatch): TargetRef | null {
  const { target } = endpoint.spec;
  if (target === undefined) return null;
  if (target === 'exec') return { via: 'exec', ref: endpoint.params['name'] ?? endpoint.params['id'] ?? '' };
  return { via: 'container', ref: endpoint.params['name'] ?? '' };
}

/**
 * The target to forward once the container reference has been resolved to its full id: the
 * same request, naming the container by that id, so the engine acts on the container that was
 * checked even if names change in between. Exec references are ids already: unchanged.
 */
export function targetWithContainerId(normalized: NormalizedRequest, endpoint: EndpointMatch, containerId: string): string {
  if (endpoint.spec.target !== 'container') return normalized.target;
  return targetWithParam(normalized, endpoint, 'name', containerId);
}

/** The same request with one path parameter replaced (by the full id of the object it names). */
export function targetWithParam(normalized: NormalizedRequest, endpoint: EndpointMatch, param: string, value: string): string {
  const path = endpoint.spec.template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\*?\}/g, (_m, name: string) =>
    encodePathSegment(name === param ? value : (endpoint.params[name] ?? '')),
  );
  const prefix = normalized.apiVersion === null ? '' : `/v${normalized.apiVersion}`;
  const query = serializeQuery(normalized.query);
  return `${prefix}${path}${query === '' ? '' : `?${query}`}`;
}
