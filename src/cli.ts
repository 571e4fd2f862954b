/**
 * The sockgate command: argv/env → options; policy; server; listen; signals. The only module that
 * touches `process` (argv, env, exit, signals, stdout/stderr).
 */

import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { tmpdir } from 'node:os';
import { pino, type Logger } from 'pino';
import { REDACT_PATHS } from './audit/record.js';
import type { FastifyInstance } from 'fastify';
import { loadConfigText } from './config/file.js';
import { DEFAULT_LISTEN_MODE, helpText, parseCommand, type DaemonOptions } from './config/options.js';
import { SockgateError } from './errors.js';
import { admit, admitBody, denialMessage, isAllowed } from './gate.js';
import { formatProblem, type PolicyProblem } from './policy/document.js';
import { checkPolicyFile, loadBuiltInPolicy, loadPolicyFile } from './policy/files.js';
import { compilePolicy, type CompiledPolicy } from './policy/compile.js';
import { prepareSocket, resolveGroup, resolveUser, type PreparedSocket } from './listen.js';
import { buildServer } from './server.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Grace period for in-flight requests on SIGTERM/SIGINT before streams are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

function loadPolicy(file: string | null): CompiledPolicy {
  return file === null ? loadBuiltInPolicy() : loadPolicyFile(file);
}

/** Problems of a config file and of every policy file it names. */
function checkConfigFile(file: string, text: string): readonly PolicyProblem[] {
  const result = loadConfigText(text, file);
  if (!result.ok) return result.problems;
  return result.config.listeners.flatMap((l) => (l.profile.policyFile === null ? [] : checkPolicyFile(resolvePath(dirname(file), l.profile.policyFile))));
}

function runCheck(files: readonly string[]): number {
  let bad = 0;
  for (const file of files) {
    try {
      // A config file (it has listeners) is checked with the policies it names.
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        /* checkPolicyFile reports an unreadable file */
      }
      const problems = /^listeners\s*:/m.test(text) ? checkConfigFile(file, text) : checkPolicyFile(file);
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
    // Target conditions need the engine's view of the container; explain sends nothing.
    ...(admission.targetRef !== undefined && admission.code === null
      ? { targetRequired: admission.targetRef, note: 'the decision depends on the container this request acts on; sockgate looks it up in the engine when serving' }
      : {}),
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

/** One socket to serve: where, with which permissions, under which profile. */
interface ListenerPlan {
  readonly listen: string;
  readonly mode: number;
  readonly uid: number | null;
  readonly gid: number | null;
  readonly profile: string;
  readonly policy: CompiledPolicy;
}

/** Read and validate a config file, and load every policy it names (relative to the file). */
function loadConfig(file: string): { upstream: string | null; listeners: ListenerPlan[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SockgateError('SOCKGATE_ERR_CONFIG_INVALID', `cannot read config ${file}: ${(err as Error).message}`);
  }
  const result = loadConfigText(text, file);
  if (!result.ok) {
    throw new SockgateError('SOCKGATE_ERR_CONFIG_INVALID', `config ${file} is invalid (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'})`, result.problems.map(formatProblem));
  }
  const listeners = result.config.listeners.map((l): ListenerPlan => {
    const policy =
      l.profile.policyFile !== null
        ? loadPolicyFile(resolvePath(dirname(file), l.profile.policyFile))
        : compilePolicy(l.profile.inline!, `${file}#${l.profile.name}`, JSON.stringify(l.profile.inline));
    return {
      listen: l.socket,
      mode: l.mode ?? DEFAULT_LISTEN_MODE,
      uid: l.owner === null ? null : resolveUser(l.owner),
      gid: l.group === null ? null : resolveGroup(l.group),
      profile: l.profile.name,
      policy,
    };
  });
  return { upstream: result.config.upstream, listeners };
}

async function runDaemon(options: DaemonOptions, listenFromDefault: boolean): Promise<void> {
  const logger = pino({
    level: options.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  });
  let upstream = options.upstream;
  let plans: ListenerPlan[];
  if (options.configFile !== null) {
    const config = loadConfig(options.configFile);
    upstream = config.upstream ?? upstream;
    plans = config.listeners;
  } else {
    const policy = loadPolicy(options.policyFile);
    plans = [
      {
        listen: options.listen,
        mode: options.listenMode,
        uid: null,
        gid: options.listenGroup === null ? null : resolveGroup(options.listenGroup),
        profile: policy.name,
        policy,
      },
    ];
  }
  checkUpstream(upstream, logger);

  const started: { app: FastifyInstance; socket: PreparedSocket }[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(
      started.map(async ({ app, socket }) => {
        await app.close().catch((err: unknown) => logger.error({ err }, 'error while closing'));
        socket.cleanup();
      }),
    );
  };
  for (const plan of plans) {
    const app = await buildServer({
      listener: plan.listen,
      profile: { name: plan.profile, policy: plan.policy },
      upstream: { socketPath: upstream, connectTimeoutMs: options.upstreamConnectTimeoutMs, headersTimeoutMs: options.upstreamHeadersTimeoutMs },
      logger,
      clientHeadersTimeoutMs: options.clientHeadersTimeoutMs,
      clientBodyIdleTimeoutMs: options.clientBodyIdleTimeoutMs,
      clientIdleTimeoutMs: options.clientIdleTimeoutMs,
      maxBodyBytes: options.maxBodyBytes,
    });
    let socket: PreparedSocket;
    try {
      socket = await prepareSocket(plan.listen, plan.mode, plan.gid, plan.uid);
    } catch (err) {
      await app.close();
      await closeAll();
      throw err;
    }
    try {
      await app.listen({ path: socket.bindPath });
      socket.publish();
    } catch (err) {
      socket.cleanup();
      await app.close();
      await closeAll();
      throw err instanceof SockgateError ? err : new SockgateError('SOCKGATE_ERR_LISTEN_FAILED', (err as Error).message);
    }
    started.push({ app, socket });
    logger.info(
      { listen: plan.listen, mode: plan.mode.toString(8).padStart(4, '0'), upstream, profile: plan.profile, policy: plan.policy.source, policyHash: plan.policy.hash, rules: plan.policy.rules.length, version: VERSION },
      'sockgate listening',
    );
    const hint = `sockgate: listening on ${plan.listen} (policy: ${plan.policy.source}); try: DOCKER_HOST=unix://${plan.listen} docker ps`;
    process.stderr.write(hint + (listenFromDefault && options.configFile === null ? ' (set --listen to choose the path)' : '') + '\n');
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'sockgate stopping');
    const force = setTimeout(() => {
      for (const { app } of started) app.server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    void closeAll().finally(() => {
      logger.info('sockgate stopped');
      process.exitCode = 0;
    });
    // Long-lived streams (events, logs -f, attach) never end by themselves: end them now.
    setImmediate(() => {
      for (const { app } of started) app.server.closeAllConnections();
    });
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
