// The floor: a Node.js proxy that checks nothing (node:http server + undici Pool, streaming both
// ways), started like sockgate (`--listen PATH --upstream PATH`, other flags ignored), so that
// `npm run bench -- --bin bench/floor-proxy.ts --node-args "--import tsx"` shows what any Node
// proxy costs on this machine.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { listen: { type: 'string' }, upstream: { type: 'string' }, policy: { type: 'string' } }, strict: false });
const pool = new Pool('http://localhost', { socketPath: String(values.upstream), bodyTimeout: 0, headersTimeout: 0 });
const server = createServer((req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool
    .request({ path: req.url ?? '/', method: req.method ?? 'GET', headers: req.headers, body: hasBody ? req : null })
    .then((up) => {
      res.writeHead(up.statusCode, up.headers as Record<string, string>);
      up.body.pipe(res);
    })
    .catch(() => res.destroy());
});
server.listen(String(values.listen));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
