/**
 * The head of an engine answer, read from the raw bytes of the engine's connection (RFC 9112 §4,
 * §5): the status line and the header lines, names as the engine spelled them. Strict, as a reader
 * of one known peer (Go's net/http server) can be: anything it would not send — a malformed status
 * line, a header line without a colon, an obsolete folded line, a bare LF, a head over the limit —
 * is an error, and the answer is not relayed. Interim answers (1xx other than 101) are skipped,
 * as a client does. Pure.
 */

export type HeadRead =
  /** the head is not complete yet: push more bytes */
  | { readonly kind: 'more' }
  | { readonly kind: 'error'; readonly reason: string }
  /** the final head; `rest` is what followed it (the start of the body) */
  | { readonly kind: 'head'; readonly status: number; readonly rawHeaders: string[]; readonly rest: Buffer };

/** Largest head read (Go's server writes a few hundred bytes). */
export const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

const STATUS_LINE = /^HTTP\/1\.[01] ([1-9][0-9]{2})(?: [^\r\n]*)?$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Read one head from `buf` (everything received so far on this answer). */
export function readResponseHead(buf: Buffer, max = MAX_RESPONSE_HEAD_BYTES): HeadRead {
  let at = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', at, 'latin1');
    if (end === -1) return buf.length - at > max ? { kind: 'error', reason: `the answer's head is larger than ${max} bytes` } : { kind: 'more' };
    if (end - at > max) return { kind: 'error', reason: `the answer's head is larger than ${max} bytes` };
    const lines = buf.toString('latin1', at, end).split('\r\n');
    const status = STATUS_LINE.exec(lines[0]!);
    if (status === null) return { kind: 'error', reason: `the answer's status line ${JSON.stringify(lines[0]!.slice(0, 40))} is not HTTP/1.x` };
    const rawHeaders: string[] = [];
    for (const line of lines.slice(1)) {
      if (line.includes('\n')) return { kind: 'error', reason: 'the answer has a bare LF in its head' };
      const colon = line.indexOf(':');
      const name = colon === -1 ? '' : line.slice(0, colon);
      if (!HEADER_NAME.test(name)) return { kind: 'error', reason: `the answer has a header line ${JSON.stringify(line.slice(0, 40))} that is not "name: value"` };
      rawHeaders.push(name, line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, ''));
    }
    const code = Number(status[1]);
    at = end + 4;
    if (code >= 100 && code < 200 && code !== 101) continue;
    return { kind: 'head', status: code, rawHeaders, rest: buf.subarray(at) };
  }
}

/** The length an answer's Content-Length lines give: one value (repeats must agree), digits only; null when absent, NaN when unusable. */
export function contentLengthOf(rawHeaders: readonly string[]): number | null {
  let length: number | null = null;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.length !== 14 || rawHeaders[i]!.toLowerCase() !== 'content-length') continue;
    const value = rawHeaders[i + 1]!;
    const n = /^[0-9]{1,15}$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isNaN(n) || (length !== null && length !== n)) return Number.NaN;
    length = n;
  }
  return length;
}

/** Whether the engine's answer says it is chunked exactly (`Transfer-Encoding: chunked`); null when it has no Transfer-Encoding. */
export function isChunked(rawHeaders: readonly string[]): boolean | null {
  let seen: boolean | null = null;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'transfer-encoding') continue;
    if (seen !== null || rawHeaders[i + 1]!.toLowerCase() !== 'chunked') return false;
    seen = true;
  }
  return seen;
}

/** Whether the engine says it closes the connection after this answer. */
export function closesAfter(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection' && rawHeaders[i + 1]!.split(',').some((t) => t.trim().toLowerCase() === 'close')) return true;
  }
  return false;
}
