/**
 * Start sockgate's server (buildServer) on a temp socket for a test, with log capture.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { compilePolicy, type CompiledPolicy } from '../../src/policy/compile.js';
import { loadPolicyText } from '../../src/policy/load.js';
import { buildServer, type ServerOptions } from '../../src/server.js';
import { captureLog, type CapturedLog } from './log-capture.js';
import { tempDir } from './temp.js';

export function policyFromYaml(text: string, source = 'test'): CompiledPolicy {
  const r = loadPolicyText(text, source);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n'));
  return compilePolicy(r.document, source, text);
}

export const ALLOW_ALL = policyFromYaml(`version: 1
name: allow-all
default: allow
rules: []
`);

export interface RunningProxy {
  readonly socketPath: string;
  readonly app: FastifyInstance;
  readonly log: CapturedLog;
  close(): Promise<void>;
}

export async function startProxy(
  policy: CompiledPolicy,
  upstreamSocket: string,
  extra: Partial<Omit<ServerOptions, 'profile' | 'upstream' | 'logger' | 'listener'>> & { upstream?: Partial<ServerOptions['upstream']> } = {},
): Promise<RunningProxy> {
  const { dir, cleanup } = tempDir('sg-proxy-');
  const socketPath = join(dir, 'sockgate.sock');
  const log = captureLog();
  const { upstream, ...rest } = extra;
  const app = await buildServer({
    listener: 'test',
    profile: { name: policy.name, policy },
    upstream: { socketPath: upstreamSocket, ...upstream },
    logger: log.logger,
    ...rest,
  });
  await app.listen({ path: socketPath });
  return {
    socketPath,
    app,
    log,
    async close() {
      app.server.closeAllConnections();
      await app.close();
      cleanup();
    },
  };
}

/** A profile that allows everything but sees only containers labelled tier=web. */
export const SCOPED_TO_WEB = policyFromYaml(`version: 1
default: allow
scope:
  containers:
    labels:
      tier: { equals: web }
rules: []
`);
