/**
 * The Engine API versions sockgate knows. Below MIN_API_VERSION the engine still honours removed
 * behaviours that bypass request checks: a HostConfig in the body of POST /containers/{id}/start
 * (applied at start, Privileged and binds included) and POST /containers/{id}/copy (reads files);
 * the engine itself accepts versions down to 1.12 (docs/engine-behaviour.md).
 *
 * NEWEST_API_VERSION is the newest version whose routes and request bodies sockgate's endpoint
 * table and body schemas describe (moby v28.5, API 1.51). A newer version may route, read a query
 * or bind a body field in ways sockgate cannot check, so a request that names one is refused, and
 * the version an engine advertises (the Api-Version header, /version's ApiVersion) is capped at it
 * on the way back, so that clients which negotiate (the docker CLI, docker-py, compose) use a
 * version sockgate knows on a newer engine.
 */
export const MIN_API_VERSION = '1.24';
export const NEWEST_API_VERSION = '1.51';

/** "1.41" → [1, 41]; null when not of the form digits[.digits]. */
function parts(version: string): [number, number] | null {
  const m = /^(\d{1,4})(?:\.(\d{1,4}))?$/.exec(version);
  return m === null ? null : [Number(m[1]), Number(m[2] ?? '0')];
}

/** Negative, zero or positive as a is older than, the same as, or newer than b (numeric parts, as the engine compares). */
export function compareApiVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  if (pa === null || pb === null) return Number.NaN;
  return pa[0] - pb[0] || pa[1] - pb[1];
}

/** The version to advertise to a client: the engine's, or NEWEST_API_VERSION when the engine's is newer (or unreadable). */
export function cappedApiVersion(engineVersion: string): string {
  const c = compareApiVersions(engineVersion, NEWEST_API_VERSION);
  return c > 0 || Number.isNaN(c) ? NEWEST_API_VERSION : engineVersion;
}

/** /version's answer with its ApiVersion capped as the Api-Version header is (other fields as the engine gave them). */
export function capVersionAnswer(answer: unknown): unknown {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) return answer;
  const version = (answer as Record<string, unknown>)['ApiVersion'];
  if (typeof version !== 'string' || cappedApiVersion(version) === version) return answer;
  return { ...(answer as Record<string, unknown>), ApiVersion: cappedApiVersion(version) };
}
