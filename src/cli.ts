/**
 * The sockgate command: argv/env → options; policy; server; listen; signals. The only module that
 * touches `process` (argv, env, exit, signals, stdout/stderr).
 */

import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pino, type Logger } from 'pino';
import { REDACT_PATHS } from './audit/record.js';
import { helpText, parseCommand, type DaemonOptions } from './config/options.js';
import { SockgateError } from './errors.js';
import { admit, admitBody, denialMessage, isAllowed } from './gate.js';
import { formatProblem } from './policy/document.js';
import { checkPolicyFile, loadBuiltInPolicy, loadPolicyFile } from './policy/files.js';
import type { CompiledPolicy } from './policy/compile.js';
import { prepareSocket, resolveGroup } from './listen.js';
import { buildServer } from './server.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Grace period for in-flight requests on SIGTERM/SIGINT before streams are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

function loadPolicy(file: string | null): CompiledPolicy {
  return file === null ? loadBuiltInPolicy() : loadPolicyFile(file);
}

function runCheck(files: readonly string[]): number {
  let bad = 0;
  for (const file of files) {
    try {
      const problems = checkPolicyFile(file);
      if (problems.length === 0) process.stdout.write(`${file}: ok\n`);
      else {
        bad++;
        for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
      }
    } catch (err) {
      bad++;
      process.stdout.write(`${err instanceof SockgateError ? err.format() : String(err)}\n`);
    }
  }
  return bad === 0 ? 0 : 1;
}

function runExplain(policyFile: string | null, bodyFile: string | null, method: string, target: string): number {
  const policy = loadPolicy(policyFile);
  let body: Buffer | null = null;
  if (bodyFile !== null) {
    try {
      body = readFileSync(bodyFile);
    } catch (err) {
      throw new SockgateError('SOCKGATE_ERR_CONFIG_INVALID', `cannot read --body ${bodyFile}: ${(err as Error).message}`);
    }
  }
  const headers = body === null ? {} : { 'content-type': 'application/json', 'content-length': String(body.length) };
  let admission = admit(policy, { method, target, headers, upgrade: false });
  const bodyRead = admission.needsBody;
  if (admission.needsBody) admission = admitBody(policy, admission, body ?? Buffer.alloc(0));
  const out = {
    policy: policy.source,
    policyHash: policy.hash,
    method,
    path: admission.normalized?.path ?? null,
    apiVersion: admission.normalized?.apiVersion ?? null,
    endpoint: admission.endpoint?.id ?? 'unknown',
    bodyInspected: bodyRead,
    ...(admission.bodyFacts !== undefined ? { bodyFacts: admission.bodyFacts } : {}),
    effect: admission.decision.effect,
    rule: admission.decision.ruleId,
    reason: admission.decision.reason,
    ...(admission.code !== null ? { code: admission.code, status: admission.status, message: denialMessage(admission) } : {}),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  return isAllowed(admission) ? 0 : 2;
}

function checkUpstream(path: string, log: Logger): void {
  if (!existsSync(path)) {
    throw new SockgateError('SOCKGATE_ERR_CONFIG_INVALID', `upstream ${path} does not exist`, [
      'start the Docker engine, or point --upstream (or DOCKER_HOST=unix://...) at its socket',
    ]);
  }
  if (!lstatSync(path).isSocket()) {
    throw new SockgateError('SOCKGATE_ERR_CONFIG_INVALID', `upstream ${path} is not a socket`);
  }
  log.debug({ upstream: path }, 'upstream socket found');
}

async function runDaemon(options: DaemonOptions, listenFromDefault: boolean): Promise<void> {
  const logger = pino({
    level: options.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  });
  const policy = loadPolicy(options.policyFile);
  checkUpstream(options.upstream, logger);
  const gid = options.listenGroup === null ? null : resolveGroup(options.listenGroup);

  const app = await buildServer({
    listener: options.listen,
    profile: { name: policy.name, policy },
    upstream: {
      socketPath: options.upstream,
      connectTimeoutMs: options.upstreamConnectTimeoutMs,
      headersTimeoutMs: options.upstreamHeadersTimeoutMs,
    },
    logger,
    clientHeadersTimeoutMs: options.clientHeadersTimeoutMs,
    clientBodyIdleTimeoutMs: options.clientBodyIdleTimeoutMs,
    clientIdleTimeoutMs: options.clientIdleTimeoutMs,
    maxBodyBytes: options.maxBodyBytes,
  });

  const socket = await prepareSocket(options.listen, options.listenMode, gid);
  try {
    await app.listen({ path: socket.bindPath });
    socket.publish();
  } catch (err) {
    socket.cleanup();
    await app.close();
    throw err instanceof SockgateError ? err : new SockgateError('SOCKGATE_ERR_LISTEN_FAILED', (err as Error).message);
  }

  logger.info(
    { listen: options.listen, mode: options.listenMode.toString(8).padStart(4, '0'), upstream: options.upstream, policy: policy.source, policyHash: policy.hash, rules: policy.rules.length, version: VERSION },
    'sockgate listening',
  );
  const hint = `sockgate: listening on ${options.listen} (policy: ${policy.source}); try: DOCKER_HOST=unix://${options.listen} docker ps`;
  process.stderr.write(hint + (listenFromDefault ? ' (set --listen to choose the path)' : '') + '\n');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'sockgate stopping');
    const force = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    force.unref();
    app
      .close()
      .catch((err: unknown) => logger.error({ err }, 'error while closing'))
      .finally(() => {
        socket.cleanup();
        logger.info('sockgate stopped');
        process.exitCode = 0;
      });
    // Long-lived streams (events, logs -f, attach) never end by themselves: end them now.
    setImmediate(() => app.server.closeAllConnections());
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    const command = parseCommand(argv, process.env, { uid: process.getuid?.() ?? 0, tmpdir: tmpdir() });
    switch (command.kind) {
      case 'help':
        process.stdout.write(helpText(VERSION) + '\n');
        return;
      case 'version':
        process.stdout.write(`${VERSION}\n`);
        return;
      case 'check':
        process.exitCode = runCheck(command.files);
        return;
      case 'explain':
        process.exitCode = runExplain(command.policyFile, command.bodyFile, command.method, command.target);
        return;
      case 'run':
        await runDaemon(command.options, command.listenFromDefault);
        return;
    }
  } catch (err) {
    process.stderr.write(`sockgate: ${err instanceof SockgateError ? err.format() : (err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
