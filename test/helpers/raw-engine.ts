/**
 * A raw fake engine on a temp Unix socket: it records every request head per connection, counts
 * request body bytes (Content-Length or chunked framing, read strictly), and answers exactly the
 * bytes a test writes, so tests can give answers no well-behaved HTTP server would.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './temp.js';

export interface RawEngine {
  readonly socketPath: string;
  /** every request head received, per engine connection (index = connection number) */
  readonly heads: string[][];
  /** what to answer to each request head */
  answer: (head: string, socket: Socket) => void;
  /** request body bytes received (Content-Length or chunked framing), and chunks read */
  bodyBytes: number;
  chunks: number;
  close(): Promise<void>;
}

export async function rawEngine(): Promise<RawEngine> {
  const { dir, cleanup } = tempDir('sg-raw-engine-');
  const sockets = new Set<Socket>();
  const engine: RawEngine = {
    socketPath: join(dir, 'docker.sock'),
    heads: [],
    bodyBytes: 0,
    chunks: 0,
    answer: (_head, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nApi-Version: 1.51\r\n\r\nok'),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      cleanup();
    },
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const mine: string[] = [];
    engine.heads.push(mine);
    let buf = '';
    let bodyLeft = 0;
    let chunked = false;
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        while (chunked) {
          // a chunked request body, read strictly: size line, data, CRLF; "0" and CRLF end it
          const nl = buf.indexOf('\r\n');
          if (nl === -1) return;
          const size = Number.parseInt(buf.slice(0, nl), 16);
          if (buf.length < nl + 2 + size + 2) return;
          if (buf.slice(nl + 2 + size, nl + 4 + size) !== '\r\n') throw new Error('bad chunk framing');
          engine.bodyBytes += size;
          engine.chunks++;
          buf = buf.slice(nl + 4 + size);
          if (size === 0) chunked = false;
        }
        if (bodyLeft > 0) {
          const take = Math.min(bodyLeft, buf.length);
          engine.bodyBytes += take;
          bodyLeft -= take;
          buf = buf.slice(take);
          if (bodyLeft > 0) return;
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        mine.push(head);
        bodyLeft = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? '0');
        chunked = /\r\ntransfer-encoding: chunked/i.test(head);
        engine.answer(head, socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(engine.socketPath, r));
  return engine;
}
