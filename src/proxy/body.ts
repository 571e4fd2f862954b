/** Reading a whole body, bounded: client request bodies, and answers of the engine. */

import type { Readable } from 'node:stream';

/**
 * Read a body (a client's request, or an engine's answer) to its end, keeping it or discarding
 * it. Resolves null when it is larger than `limit` bytes or fails or is cut off before its end.
 */
export function consumeBody(stream: Readable & { readonly complete?: boolean }, limit: number, keep: boolean): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | null): void => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      resolve(v);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stream.pause();
        finish(null);
        return;
      }
      if (keep) chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => finish(Buffer.concat(chunks)));
    stream.once('error', () => finish(null));
    stream.once('close', () => finish(stream.complete === true ? Buffer.concat(chunks) : null));
    stream.resume();
  });
}
