/**
 * A recording pass-through between sockgate and the engine: what reaches the engine, on any
 * engine version. Bytes are relayed unchanged both ways (half-close kept); a copy of the
 * client→engine direction is read with HTTP/1.1 request framing (Content-Length, chunked) so each
 * request on a keep-alive connection is recorded with its method and target. After a request that
 * takes over its connection (Upgrade, attach, exec start, session, grpc) the rest of that
 * connection is stream data and is not read as requests. Anything that cannot be read as a request
 * is recorded as method "?" — evidence fails closed: an unreadable forward counts as a forward.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './temp.js';
import { createChunkedDecoder, type ChunkedDecoder } from '../../src/proxy/chunked.js';

export interface UpstreamCall {
  readonly method: string;
  readonly uri: string;
  /** header names as sent, lower-cased, with their values */
  readonly headers: Readonly<Record<string, string>>;
  /** the request body as it reached the engine (only its first 1 MiB) */
  body: Buffer;
}

export interface UpstreamRecorder {
  readonly socketPath: string;
  readonly calls: UpstreamCall[];
  close(): Promise<void>;
}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_RECORDED_BODY_BYTES = 1024 * 1024;
/** Requests after which the connection carries a raw stream (moby's hijacked endpoints). */
const HIJACKING = /^\/(v[0-9.]+\/)?(containers\/[^/?]+\/attach|exec\/[^/?]+\/start|session|grpc)(\?|$)/;

type State =
  | { kind: 'head' }
  | { kind: 'length'; remaining: number; call: UpstreamCall; hijack: boolean }
  | { kind: 'chunked'; call: UpstreamCall; hijack: boolean; decoder: ChunkedDecoder }
  | { kind: 'opaque' };

/** Reads one direction of a connection as HTTP requests, calling `onCall` for each head it reads. */
export function createRequestReader(onCall: (call: UpstreamCall) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  let state: State = { kind: 'head' };

  const keep = (call: UpstreamCall, part: Buffer): void => {
    if (call.body.length < MAX_RECORDED_BODY_BYTES) call.body = Buffer.concat([call.body, part.subarray(0, MAX_RECORDED_BODY_BYTES - call.body.length)]);
  };
  const afterBody = (hijack: boolean): State => (hijack ? { kind: 'opaque' } : { kind: 'head' });
  const unreadable = (what: string): void => {
    onCall({ method: '?', uri: what, headers: {}, body: Buffer.alloc(0) });
    state = { kind: 'opaque' };
  };

  const step = (): boolean => {
    switch (state.kind) {
      case 'opaque':
        buf = Buffer.alloc(0);
        return false;
      case 'head': {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) {
          if (buf.length > MAX_HEAD_BYTES) unreadable(`request head over ${MAX_HEAD_BYTES} bytes`);
          return false;
        }
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        buf = buf.subarray(end + 4);
        const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
        if (m === null) {
          unreadable(lines[0] ?? '');
          return false;
        }
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon <= 0) {
            unreadable(`header line ${JSON.stringify(line)}`);
            return false;
          }
          const name = line.slice(0, colon).toLowerCase();
          const value = line.slice(colon + 1).trim();
          headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
        }
        const call: UpstreamCall = { method: m[1]!, uri: m[2]!, headers, body: Buffer.alloc(0) };
        onCall(call);
        const hijack = headers['upgrade'] !== undefined || HIJACKING.test(call.uri);
        if (headers['transfer-encoding'] !== undefined) {
          if (headers['transfer-encoding'].toLowerCase() !== 'chunked') {
            unreadable(`transfer-encoding ${headers['transfer-encoding']}`);
            return false;
          }
          state = { kind: 'chunked', call, hijack, decoder: createChunkedDecoder() };
        } else {
          const length = Number(headers['content-length'] ?? '0');
          if (!Number.isSafeInteger(length) || length < 0) {
            unreadable(`content-length ${headers['content-length']}`);
            return false;
          }
          state = length > 0 ? { kind: 'length', remaining: length, call, hijack } : afterBody(hijack);
        }
        return true;
      }
      case 'length': {
        if (buf.length === 0) return false;
        const part = buf.subarray(0, state.remaining);
        keep(state.call, part);
        buf = buf.subarray(part.length);
        state.remaining -= part.length;
        if (state.remaining === 0) state = afterBody(state.hijack);
        return true;
      }
      case 'chunked': {
        // sockgate forwards plain chunking only (Node frames what it writes): anything else is unreadable
        if (buf.length === 0) return false;
        const step = state.decoder.push(buf);
        buf = Buffer.alloc(0);
        if (!step.ok) {
          unreadable(`chunked body: ${step.reason}`);
          return false;
        }
        for (const part of step.data) keep(state.call, part);
        if (!step.done) return false;
        buf = step.rest;
        state = afterBody(state.hijack);
        return true;
      }
    }
  };

  return (chunk: Buffer): void => {
    if (state.kind === 'opaque') return;
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (step());
  };
}

/** Start a recorder on a temp Unix socket that relays every connection to `upstreamPath`. */
export async function startUpstreamRecorder(upstreamPath: string): Promise<UpstreamRecorder> {
  const { dir, cleanup } = tempDir('sg-rec-');
  const socketPath = join(dir, 'engine.sock');
  const calls: UpstreamCall[] = [];
  const open = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const engine = createConnection({ path: upstreamPath, allowHalfOpen: true });
    open.add(client).add(engine);
    const read = createRequestReader((call) => calls.push(call));
    client.on('data', (chunk: Buffer) => {
      read(chunk);
      if (!engine.write(chunk)) client.pause();
    });
    engine.on('drain', () => client.resume());
    engine.on('data', (chunk: Buffer) => {
      if (!client.write(chunk)) engine.pause();
    });
    client.on('drain', () => engine.resume());
    client.on('end', () => engine.end());
    engine.on('end', () => client.end());
    const destroyBoth = (): void => {
      client.destroy();
      engine.destroy();
    };
    client.on('error', destroyBoth);
    engine.on('error', destroyBoth);
    client.on('close', () => {
      open.delete(client);
      if (engine.writableEnded || engine.destroyed) return;
      engine.end();
    });
    engine.on('close', () => {
      open.delete(engine);
      if (!client.destroyed && !client.writableEnded) client.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketPath,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => {
          cleanup();
          resolve();
        });
      }),
  };
}
