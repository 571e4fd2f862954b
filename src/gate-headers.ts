/**
 * The gate's header checks that do not depend on the policy: headers under which the engine would
 * read a request otherwise than sockgate does (a body on GET or HEAD, a form body merged into the
 * query, a Content-Type Go lower-cases differently, an upgrade body the splice cannot frame).
 */

import type { IncomingHttpHeaders } from 'node:http';

/** Whether the request carries a body (chunked, or a Content-Length other than 0). */
function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const cl = headers['content-length'];
  return cl !== undefined && cl !== '0';
}

/**
 * Bodies the engine parses as form parameters: net/http ParseForm reads a form-urlencoded
 * POST/PUT/PATCH body into r.Form ahead of the query, and FormValue calls ParseMultipartForm,
 * which does the same for multipart/form-data (seen on POST /build, which never calls ParseForm).
 */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

/** Header checks that do not depend on the policy. Returns a reason to refuse, or null. */
export function headerProblem(method: string, headers: IncomingHttpHeaders, upgrade: boolean): string | null {
  if ((method === 'GET' || method === 'HEAD') && hasBody(headers)) {
    return `${method} requests must not carry a body`;
  }
  const ct = headers['content-type'];
  if (ct !== undefined) {
    // Go reads Content-Type with strings.ToLower, which maps some non-ASCII runes to ASCII ones
    // (U+0130 → "i"): only plain ASCII values can be read the same way on both sides.
    if (!/^[\x20-\x7e]*$/.test(ct)) return 'Content-Type must be printable ASCII';
    const base = (ct.split(';', 1)[0] ?? '').trim().toLowerCase();
    // Parameters in such a body would override or add to the query sockgate checked.
    if (FORM_TYPES.has(base) && hasBody(headers)) {
      return `a body of type ${base} would be merged into the query parameters by the engine`;
    }
  }
  // An upgrade request's body is read from the raw socket (proxy/upgrade.ts): Content-Length, or
  // plain chunked framing (docker-modem, dockerode's client, sends its hijacking requests so).
  if (upgrade && headers['transfer-encoding'] !== undefined && headers['transfer-encoding'].toLowerCase() !== 'chunked') {
    return 'an upgrade request must frame its body with Content-Length or Transfer-Encoding: chunked';
  }
  return null;
}
