// The floors: Node.js proxies that check nothing, started like sockgate (`--listen PATH --upstream
// PATH`, other flags ignored), so that `npm run bench -- --floor` shows what any Node proxy costs
// on this machine, interleaved with direct and sockgate.
// - default: a node:http server + an undici Pool, streaming both ways;
// - FLOOR_LINK=1: a node:http server + sockgate's own engine link (src/proxy/engine-link.ts), one
//   engine connection per client connection, as sockgate's short path: sockgate without its gate,
//   audit records and fastify.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { EngineLink } from '../src/proxy/engine-link.js';
import { forwardRequestHeaders } from '../src/proxy/headers.js';

const { values } = parseArgs({ options: { listen: { type: 'string' }, upstream: { type: 'string' }, policy: { type: 'string' } }, strict: false });
const upstream = String(values.upstream);

function viaUndici(): (req: IncomingMessage, res: ServerResponse) => void {
  const pool = new Pool('http://localhost', { socketPath: upstream, bodyTimeout: 0, headersTimeout: 0 });
  return (req, res) => {
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool
      .request({ path: req.url ?? '/', method: req.method ?? 'GET', headers: req.headers, body: hasBody ? req : null })
      .then((up) => {
        res.writeHead(up.statusCode, up.headers as Record<string, string>);
        up.body.pipe(res);
      })
      .catch(() => res.destroy());
  };
}

function viaLink(): (req: IncomingMessage, res: ServerResponse) => void {
  const links = new WeakMap<Duplex, EngineLink>();
  return (req, res) => {
    let link = links.get(req.socket);
    if (link === undefined) {
      const made = new EngineLink({ socketPath: upstream, connectTimeoutMs: 5000, headersTimeoutMs: 0 });
      req.socket.once('close', () => made.close());
      links.set(req.socket, (link = made));
    }
    const request = { method: req.method ?? 'GET', target: req.url ?? '/', headers: forwardRequestHeaders(req.headers), keepAlive: true };
    if (!link.forward(request, res, { onHead: () => undefined, onFailure: () => res.destroy() })) res.destroy();
  };
}

const server = createServer(process.env['FLOOR_LINK'] === '1' ? viaLink() : viaUndici());
server.listen(String(values.listen));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
