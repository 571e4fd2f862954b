/**
 * A strict, incremental reader of an HTTP/1.1 chunked body (RFC 9112 §7.1), for the one place
 * sockgate reads framing itself: the body of an upgrade request, which arrives on the raw socket
 * after Node's parser hands the connection over. Only the plain form is read: a chunk size in hex
 * (no extensions), its data and CRLF, then the last chunk "0" and an empty trailer section.
 * Anything else is an error: the request is refused rather than read one way here and another
 * way by the engine. The decoded data is what sockgate forwards, framed anew by Node.
 */

export type ChunkedStep =
  /** data decoded so far from this input (maybe none); `done` once the last chunk and trailer end were read, `rest` the bytes after them */
  | { readonly ok: true; readonly data: readonly Buffer[]; readonly done: boolean; readonly rest: Buffer }
  | { readonly ok: false; readonly reason: string };

/** Longest chunk-size line read (8 hex digits: chunks up to 4 GiB). */
const MAX_SIZE_LINE = 10;

export interface ChunkedDecoder {
  push(input: Buffer): ChunkedStep;
}

export function createChunkedDecoder(): ChunkedDecoder {
  let pending: Buffer = Buffer.alloc(0);
  /** bytes of chunk data still to come; -1: a size line is next; -2: the CRLF after data; -3: the trailer end */
  let remaining = -1;
  let done = false;

  return {
    push(input: Buffer): ChunkedStep {
      if (done) return { ok: true, data: [], done: true, rest: input };
      let buf = pending.length === 0 ? input : Buffer.concat([pending, input]);
      pending = Buffer.alloc(0);
      const data: Buffer[] = [];
      for (;;) {
        if (remaining > 0) {
          if (buf.length === 0) break;
          const part = buf.subarray(0, remaining);
          data.push(part);
          remaining -= part.length;
          buf = buf.subarray(part.length);
          if (remaining === 0) remaining = -2;
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl === -1) {
          if (buf.length > MAX_SIZE_LINE + 1) return { ok: false, reason: 'chunk size line too long or not ended by CRLF' };
          pending = Buffer.from(buf);
          break;
        }
        const line = buf.subarray(0, nl).toString('latin1');
        buf = buf.subarray(nl + 2);
        if (remaining === -2 || remaining === -3) {
          if (line !== '') return { ok: false, reason: remaining === -2 ? 'chunk data not followed by CRLF' : 'chunked trailers are not accepted' };
          if (remaining === -3) {
            done = true;
            return { ok: true, data, done: true, rest: Buffer.from(buf) };
          }
          remaining = -1;
          continue;
        }
        if (!/^[0-9a-fA-F]{1,8}$/.test(line)) return { ok: false, reason: `chunk size ${JSON.stringify(line.slice(0, 20))} is not plain hex (no extensions)` };
        const size = Number.parseInt(line, 16);
        remaining = size === 0 ? -3 : size;
      }
      return { ok: true, data, done: false, rest: Buffer.alloc(0) };
    },
  };
}
