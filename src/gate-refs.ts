/**
 * The objects a request names besides its target (in its path, query or body) that a scoped or
 * owning profile may use only if it can see them, and how the engine says such an object does
 * not exist. The gate collects them (admit, admitBody) and decides on them (admitRefs, admitTarget).
 */

import type { CompiledPolicy } from './policy/compile.js';
import { namesContainer } from './request/engine-values.js';
import { bodyReferences, PREDEFINED_NETWORKS, type ObjectRef } from './inspect/references.js';
import type { EndpointMatch } from './request/endpoint-match.js';
import type { EndpointId } from './request/endpoints.js';
import type { NormalizedRequest } from './request/normalize.js';

/** Objects named in the path or query that this profile must be able to see. */
export function pathAndQueryRefs(policy: CompiledPolicy, endpointId: EndpointId | null, endpoint: EndpointMatch | null, normalized: NormalizedRequest): ObjectRef[] {
  const refs: ObjectRef[] = [];
  if (policy.scope !== null && endpointId === 'images.commit') {
    // POST /commit?container=X reads the whole filesystem of container X.
    const named = normalized.query.get('container') ?? [''];
    for (const ref of named.length > 0 ? named : ['']) refs.push({ kind: 'container', ref, pointer: '?container' });
  }
  if ((policy.scope !== null || policy.owner !== null) && endpointId === 'images.build') {
    // A build whose RUN steps join another container's network namespace, or (ownership) a
    // network: the engine reads networkmode as NetworkMode (container:X, a predefined one, or a
    // network's name or id), as a create's HostConfig.NetworkMode.
    for (const mode of normalized.query.get('networkmode') ?? []) {
      if (namesContainer(mode)) refs.push({ kind: 'container', ref: mode.slice('container:'.length), pointer: '?networkmode' });
      else if (policy.owner !== null && mode !== '' && !PREDEFINED_NETWORKS.has(mode)) refs.push({ kind: 'network', ref: mode, pointer: '?networkmode' });
    }
  }
  if (policy.owner !== null && endpoint !== null) {
    // The volume or network the path names (EndpointSpec.pathObject).
    if (endpoint.spec.pathObject === 'volume') refs.push({ kind: 'volume', ref: endpoint.params['name'] ?? '', pointer: '' });
    if (endpoint.spec.pathObject === 'network') refs.push({ kind: 'network', ref: endpoint.params['id'] ?? '', pointer: '' });
  }
  return refs;
}

/** The objects a decoded body names that this profile must be able to see. */
export function bodyRefs(policy: CompiledPolicy, endpointId: EndpointId, value: unknown): ObjectRef[] {
  if (policy.owner !== null) return bodyReferences(endpointId, value);
  if (policy.scope !== null) return bodyReferences(endpointId, value).filter((r) => r.kind === 'container');
  return [];
}

/** How the engine says an object of a kind does not exist (its own words, so nothing leaks). */
export function engineMissing(ref: ObjectRef): string {
  switch (ref.kind) {
    case 'container':
      return `No such container: ${ref.ref}`;
    case 'volume':
      return `get ${ref.ref}: no such volume`;
    case 'network':
      return `network ${ref.ref} not found`;
  }
}
