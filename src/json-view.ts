/**
 * Reading untyped JSON (decoded bodies, the engine's answers) without trusting its shape: each
 * accessor gives the expected kind of value, or an empty one when the value is of another kind.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

export const obj = (v: unknown): JsonObject => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : {});
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A map of strings (labels, attributes); entries of other kinds are left out. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === 'string') out[k] = x;
  return out;
}
