import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHealth } from '../../../src/commands/health.js';
import { captureIO } from '../../helpers/command-io.js';
import { tempDir } from '../../helpers/temp.js';

let tmp: { dir: string; cleanup: () => void };
let server: Server | null = null;
beforeEach(() => (tmp = tempDir('sg-health-')));
afterEach(async () => {
  if (server !== null) await new Promise<void>((r) => server!.close(() => r()));
  server = null;
  tmp.cleanup();
});

/** An admin socket whose /healthz answers with `status` and `body`. */
async function healthz(status: number, body: string): Promise<string> {
  const path = join(tmp.dir, 'admin.sock');
  server = createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? status : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/healthz' ? body : '');
  });
  await new Promise<void>((r) => server!.listen(path, r));
  return path;
}

describe('runHealth', () => {
  it('prints the /healthz body on stdout and returns 0 when it answers 200', async () => {
    const path = await healthz(200, '{"status":"ok"}\n');
    const c = captureIO();
    expect(await runHealth({ kind: 'unix', path }, c.io)).toBe(0);
    expect(c.stdout()).toBe('{"status":"ok"}\n');
    expect(c.stderr()).toBe('');
  });

  it('prints the /healthz body on stdout and returns 1 when it answers 503', async () => {
    const path = await healthz(503, '{"status":"unhealthy"}\n');
    const c = captureIO();
    expect(await runHealth({ kind: 'unix', path }, c.io)).toBe(1);
    expect(c.stdout()).toBe('{"status":"unhealthy"}\n');
  });

  it('says on stderr that nothing listens, and returns 1, when no daemon serves the address', async () => {
    const path = join(tmp.dir, 'none.sock');
    const c = captureIO();
    expect(await runHealth({ kind: 'unix', path }, c.io)).toBe(1);
    expect(c.stdout()).toBe('');
    expect(c.stderr()).toBe(`sockgate health: nothing listens on ${path} (ENOENT); is sockgate running with --metrics-listen ${path}?\n`);
  });
});
