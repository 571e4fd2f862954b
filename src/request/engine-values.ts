/**
 * How the engine reads scalar query values, reproduced exactly.
 */

/**
 * Go's unicode.IsSpace, which strings.TrimSpace uses: '\t' '\n' '\v' '\f' '\r' ' ', U+0085 (NEL),
 * U+00A0 (NBSP) and the Unicode White_Space characters of category Z. Unlike JavaScript's trim(),
 * it does not trim U+FEFF, and it does trim U+0085.
 */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

export function goTrimSpace(s: string): string {
  return s.replace(GO_SPACE, '');
}

/**
 * moby api/server/httputils/form.go BoolValue:
 *   s := strings.ToLower(strings.TrimSpace(r.FormValue(k)))
 *   return !(s == "" || s == "0" || s == "no" || s == "false" || s == "none")
 * The false words are ASCII, so an ASCII-only lower-casing is exact for the comparison: no
 * non-ASCII rune lower-cases to one of the letters in them (Kelvin sign and dotted I map to k, i).
 */
export function isEngineTrue(value: string): boolean {
  const s = goTrimSpace(value).replace(/[A-Z]/g, (c) => c.toLowerCase());
  return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
}

/**
 * The registry an image reference names, as the engine reads it before it connects there
 * (distribution/reference normalize.go splitDockerDomain, used by ParseNormalizedNamed): the part
 * before the first "/" is a registry host when it holds "." or ":", is "localhost", or has an
 * upper-case letter; otherwise the reference is on Docker Hub, "docker.io" (also for
 * "index.docker.io"). Lower-cased, as host names compare. A digest or tag after the name does not
 * change it. Null for an empty reference.
 */
export function imageRegistry(reference: string): string | null {
  if (reference === '') return null;
  const slash = reference.indexOf('/');
  const first = slash === -1 ? '' : reference.slice(0, slash);
  const isDomain = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  const domain = isDomain ? first.toLowerCase() : 'docker.io';
  return domain === 'index.docker.io' ? 'docker.io' : domain;
}

/**
 * Whether a namespace mode names another container, as the engine reads NetworkMode, PidMode,
 * IpcMode and Cgroup (api/types/container hostconfig.go containerID: strings.Cut(val, ":") with
 * the key exactly "container"). What follows the colon is resolved by daemon.GetContainer: a full
 * id, a name with or without its leading "/", or an id prefix, so no pattern over the raw string
 * can tell which container it names; a policy asks only whether it names one.
 */
export function namesContainer(mode: string): boolean {
  return mode.startsWith('container:');
}
