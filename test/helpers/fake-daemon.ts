/**
 * A fake Docker engine on a temp Unix socket: records every request it receives (method, raw
 * target, headers, body) and answers through a handler the test provides.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { tempDir } from './temp.js';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export type FakeHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
export type FakeUpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface FakeDaemon {
  readonly socketPath: string;
  readonly received: ReceivedRequest[];
  readonly server: Server;
  handler: FakeHandler;
  upgradeHandler: FakeUpgradeHandler | null;
  close(): Promise<void>;
}

export const defaultHandler: FakeHandler = (req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Api-Version', '1.41');
  res.end(JSON.stringify({ ok: true, method: req.method, url: req.url }));
};

export async function startFakeDaemon(): Promise<FakeDaemon> {
  const { dir, cleanup } = tempDir('sg-fake-');
  const socketPath = join(dir, 'docker.sock');
  const received: ReceivedRequest[] = [];
  const upgraded = new Set<Duplex>();
  const daemon: FakeDaemon = {
    socketPath,
    received,
    handler: defaultHandler,
    upgradeHandler: null,
    server: createServer(),
    async close() {
      daemon.server.closeAllConnections();
      for (const s of upgraded) s.destroy();
      await new Promise<void>((r) => daemon.server.close(() => r()));
      cleanup();
    },
  };
  daemon.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body });
      daemon.handler(req, res, body);
    });
  });
  daemon.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: head });
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    if (daemon.upgradeHandler) daemon.upgradeHandler(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((r) => daemon.server.listen(socketPath, r));
  return daemon;
}
