/**
 * A TCP listener on the host's loopback that counts the connections made to it: the evidence that
 * the engine itself reached out (a pull, an ADD of a URL, an ONBUILD trigger). Tests only listen on
 * loopback; nothing is sent to it but what the engine sends.
 */
import { createServer, type AddressInfo } from 'node:net';

export interface LoopbackListener {
  readonly port: number;
  connections(): number;
  close(): Promise<void>;
}

export async function listenOnLoopback(): Promise<LoopbackListener> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, connections: () => n, close: () => new Promise((r) => server.close(() => r())) };
}
