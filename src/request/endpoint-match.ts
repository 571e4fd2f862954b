/**
 * Identify which engine endpoint a normalised request reaches, the way the engine's router does:
 * routes are tried in registration order (the order of ENDPOINTS), the first route whose method
 * and path template both match wins, and a method mismatch moves on to the next route
 * (gorilla/mux Router.Match). The version prefix has already been removed by normalizeRequest.
 */

import { ENDPOINTS, type Endpoint, type EndpointId } from './endpoints.js';

export interface EndpointMatch {
  readonly id: EndpointId;
  readonly spec: Endpoint;
  /** decoded template variables, e.g. { name: 'web' } for /containers/{name}/json */
  readonly params: Readonly<Record<string, string>>;
}

interface CompiledEndpoint {
  readonly spec: Endpoint;
  readonly re: RegExp;
  readonly names: readonly string[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileTemplate(spec: Endpoint): CompiledEndpoint {
  const names: string[] = [];
  const parts = spec.template.split('/').slice(1).map((seg) => {
    const multi = /^\{([A-Za-z_][A-Za-z0-9_]*)\*\}$/.exec(seg);
    if (multi) {
      names.push(multi[1]!);
      // Go's regexp "." matches everything but "\n" (U+2028 and U+2029 included); JavaScript's
      // "." does not match those two. Spell out Go's meaning.
      return '([^\\n]+)';
    }
    const single = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(seg);
    if (single) {
      names.push(single[1]!);
      return '([^/]+)';
    }
    if (seg.includes('{')) throw new Error(`endpoint template ${spec.template} has an unsupported segment "${seg}"`);
    return escapeRegExp(seg);
  });
  return { spec, re: new RegExp('^/' + parts.join('/') + '$'), names };
}

const COMPILED: readonly CompiledEndpoint[] = ENDPOINTS.map(compileTemplate);
const BY_METHOD = new Map<string, CompiledEndpoint[]>();
for (const c of COMPILED) {
  const list = BY_METHOD.get(c.spec.method) ?? [];
  list.push(c);
  BY_METHOD.set(c.spec.method, list);
}

export const ENDPOINT_IDS: readonly EndpointId[] = [...new Set(ENDPOINTS.map((e) => e.id))];

/** The endpoint a (method, decoded version-less path) reaches, or null for `endpoint: unknown`. */
export function matchEndpoint(method: string, path: string): EndpointMatch | null {
  const candidates = BY_METHOD.get(method);
  if (!candidates) return null;
  for (const c of candidates) {
    const m = c.re.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    c.names.forEach((n, i) => {
      params[n] = m[i + 1] ?? '';
    });
    return { id: c.spec.id, spec: c.spec, params };
  }
  return null;
}

/**
 * Compile an endpoint pattern: an exact id (`containers.create`) or a glob over ids where `*`
 * matches within one dotted part and `**` across parts (`containers.*`, `**`).
 */
export function compileEndpointPattern(pattern: string): RegExp {
  if (!/^[A-Za-z0-9_*]+(\.[A-Za-z0-9_*]+)*$/.test(pattern)) {
    throw new Error('use dotted ids of letters, digits and "*", e.g. "containers.create" or "containers.*"');
  }
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^.]*' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}$`);
}

/** The known endpoint ids a pattern names (empty when it names none: a policy error). */
export function endpointIdsMatching(pattern: string): readonly EndpointId[] {
  const re = compileEndpointPattern(pattern);
  return ENDPOINT_IDS.filter((id) => re.test(id));
}
