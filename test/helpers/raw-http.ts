/**
 * Raw HTTP over a Unix socket: send exact bytes, read everything until the peer closes or a
 * timeout passes. For tests that must not go through a well-behaved client.
 */
import { connect } from 'node:net';

/**
 * Send `payload`, collect the answer until the peer closes, `waitMs` passes, or (with `idleMs`)
 * the answer has been quiet that long after its first byte.
 */
export function rawExchange(socketPath: string, payload: string | Buffer, waitMs = 1500, idleMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ path: socketPath });
    let out = '';
    let idle: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(timer);
      if (idle) clearTimeout(idle);
      s.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, waitMs);
    s.on('data', (d) => {
      out += d.toString('latin1');
      if (idleMs > 0) {
        if (idle) clearTimeout(idle);
        idle = setTimeout(done, idleMs);
      }
    });
    s.on('close', done);
    s.on('error', (e) => {
      if (out) done();
      else {
        clearTimeout(timer);
        reject(e);
      }
    });
    s.write(payload);
  });
}

/** Status codes of every response in a raw exchange, in order. */
export function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

/** A simple request over a Unix socket using Node's http client. */
export async function request(
  socketPath: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; json: () => unknown }> {
  const { request: httpRequest } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath, method, path, headers: { Host: 'docker', ...options.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) as unknown });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
