/**
 * BodyView: a request body as the engine decodes it, plus the facts derived from it, and the
 * few readings of it that both fact extraction (inspect/) and body conditions (policy/body.ts)
 * need. It lives here, where bodies are decoded, so that policy/ depends on inspect/ and never
 * the other way round. Pure.
 */

export interface BodyView {
  /** the decoded body: objects keyed by the engine's JSON field names */
  readonly value: unknown;
  /** derived facts, addressed as `$facts.<name>` */
  readonly facts: Readonly<Record<string, unknown>>;
  /** for list facts: the JSON pointer of the body field each element was read from (audit evidence) */
  readonly factPointers?: Readonly<Record<string, readonly string[]>>;
  /** pointers of keys the body has that are fields of no engine version sockgate knows (the engine ignores them) */
  readonly unknownKeys?: readonly string[];
}

/** Resolve a dotted path from `current` (or from the facts for `$facts.…`). */
export function resolveBodyPath(view: BodyView, current: unknown, path: string): unknown {
  if (path === '') return current;
  const parts = path.split('.');
  let v: unknown = current;
  if (parts[0] === '$facts') {
    v = view.facts;
    parts.shift();
  }
  for (const p of parts) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** Set: not absent or null, not false, "" or 0, and not an empty list or map. */
export function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0 || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && !(v instanceof Uint8Array)) return Object.keys(v).length > 0;
  return true;
}

/** Go's nil: absent or null. An empty list is not nil, and the engine may treat it differently (MaskedPaths: [] unmasks /proc). */
export function isNull(v: unknown): boolean {
  return v === undefined || v === null;
}
