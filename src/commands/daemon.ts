/**
 * The daemon (`sockgate` with no subcommand): load the config or policy, serve every listener,
 * the metrics and health listener if asked for, stop on SIGTERM/SIGINT, reload on SIGHUP.
 */

import { existsSync, lstatSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { AdminAddress } from '../admin/address.js';
import { startAdminServer, type AdminServer } from '../admin/server.js';
import { openAuditLog, type AuditLog } from '../audit/audit-log.js';
import { createPrettyDestination } from '../audit/pretty.js';
import { REDACT_PATHS } from '../audit/record.js';
import type { AuditConfig } from '../config/audit-config.js';
import type { DaemonOptions } from '../config/options.js';
import { DEFAULT_AUDIT_KEEP, DEFAULT_AUDIT_MAX_BYTES } from '../defaults.js';
import { SockgateError, sockgateError } from '../errors.js';
import { prepareSocket, resolveGroup, type PreparedSocket } from '../listen.js';
import { createSockgateMetrics, type SockgateMetrics } from '../metrics/sockgate-metrics.js';
import { buildServer } from '../server.js';
import { VERSION } from '../version.js';
import type { DaemonIO, SignalHooks } from './io.js';
import { loadConfig, loadPolicy, type ListenerPlan } from './plans.js';
import { superviseReloads } from './reload.js';

/** Grace period for in-flight requests on SIGTERM/SIGINT before streams are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

/** What the daemon serves, from the config file or the flags. */
interface DaemonSetup {
  readonly upstream: string;
  readonly plans: ListenerPlan[];
  readonly metricsListen: AdminAddress | null;
  readonly auditConfig: AuditConfig | null;
}

/** What is running, closed on shutdown or when starting fails part way. */
interface Running {
  readonly started: { app: FastifyInstance; socket: PreparedSocket }[];
  admin: AdminServer | null;
}

/** Everything starting a listener needs besides its plan. */
interface ListenerContext {
  readonly options: DaemonOptions;
  readonly setup: DaemonSetup;
  readonly logger: Logger;
  /** write the audit file's records held in this event-loop turn (audit/coalesce.ts); absent on stdout */
  readonly flushAudit: (() => void) | undefined;
  readonly auditLog: AuditLog | null;
  readonly metrics: SockgateMetrics;
  readonly running: Running;
  readonly closeAll: () => Promise<void>;
  readonly io: DaemonIO;
  /** the listen path came from the default, not from a flag (the hint says how to choose it) */
  readonly listenFromDefault: boolean;
}

/**
 * The root logger: JSON lines on stdout, or pretty lines (coloured on a terminal unless
 * NO_COLOR). On stdout pino's own writer already writes the lines that come while a write is in
 * flight together (an audit file is coalesced by audit/coalesce.ts instead).
 */
function createDaemonLogger(options: DaemonOptions, io: DaemonIO): Logger {
  const pretty = options.logFormat === 'pretty' ? createPrettyDestination(io.stdout, { color: io.stdout.isTTY === true && !io.env['NO_COLOR'] }) : undefined;
  const loggerOptions = { level: options.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: io.pid } };
  return pretty === undefined ? pino(loggerOptions) : pino(loggerOptions, pretty);
}

/** The listeners to serve: every one of the config file, or the one the flags describe. */
function loadDaemonSetup(options: DaemonOptions): DaemonSetup {
  if (options.configFile !== null) {
    const config = loadConfig(options.configFile);
    return { upstream: config.upstream ?? options.upstream, plans: config.listeners, metricsListen: options.metricsListen ?? config.metricsListen, auditConfig: config.audit };
  }
  const policy = loadPolicy(options.policyFile);
  const plan: ListenerPlan = {
    listen: options.listen,
    mode: options.listenMode,
    uid: null,
    gid: options.listenGroup === null ? null : resolveGroup(options.listenGroup),
    profile: policy.name,
    policy,
  };
  return { upstream: options.upstream, plans: [plan], metricsListen: options.metricsListen, auditConfig: null };
}

function checkUpstream(path: string, log: Logger): void {
  if (!existsSync(path)) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'upstream-missing', path }, [
      'start the Docker engine, or point --upstream (or DOCKER_HOST=unix://...) at its socket',
    ]);
  }
  if (!lstatSync(path).isSocket()) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'upstream-not-socket', path });
  }
  log.debug({ upstream: path }, 'upstream socket found');
}

/** Audit records to a rotated file of their own (flags win over the config file); null: stdout. */
function openDaemonAuditLog(options: DaemonOptions, auditConfig: AuditConfig | null, logger: Logger, io: DaemonIO): AuditLog | null {
  const auditPath = options.auditFile ?? auditConfig?.file ?? null;
  if (auditPath === null) return null;
  const maxBytes = options.auditMaxBytes ?? auditConfig?.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
  const auditLog = openAuditLog({ path: auditPath, maxBytes, keep: options.auditKeep ?? auditConfig?.keep ?? DEFAULT_AUDIT_KEEP }, logger, { pid: io.pid });
  logger.info({ auditFile: auditPath }, 'audit records go to the audit file');
  return auditLog;
}

/** The metrics (counted only when a metrics listener can show them); refuses a metrics socket that is also proxied. */
function createDaemonMetrics(setup: DaemonSetup, auditLog: AuditLog | null, io: DaemonIO): SockgateMetrics {
  const metricsPath = setup.metricsListen?.kind === 'unix' ? setup.metricsListen.path : null;
  if (metricsPath !== null && setup.plans.some((p) => p.listen === metricsPath)) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'metrics-proxied', path: metricsPath }, ['give metrics and health a socket (or loopback port) of their own']);
  }
  return createSockgateMetrics({
    version: VERSION,
    now: () => Date.now(),
    processFigures: () => io.processFigures(),
    ...(auditLog !== null ? { auditRecordsLost: () => auditLog.file.lost } : {}),
  });
}

/** Close the metrics listener, then every proxy listener, removing their sockets; errors are logged. */
async function closeRunning(running: Running, logger: Logger): Promise<void> {
  await running.admin?.close().catch((err: unknown) => logger.error({ err }, 'error while closing the metrics listener'));
  await Promise.all(
    running.started.map(async ({ app, socket }) => {
      await app.close().catch((err: unknown) => logger.error({ err }, 'error while closing'));
      socket.cleanup();
    }),
  );
}

/**
 * A stop asked for while the listeners start (the socket of the first may already be in use) is
 * carried out once they have: until the stop handlers are installed, the signal's default action
 * would kill the process and leave its sockets behind. `release` stops holding and names the
 * signal that came, if one did.
 */
function holdEarlyStops(signals: SignalHooks): { release(): string | null } {
  let early: string | null = null;
  const onEarly = (signal: string) => (): void => void (early ??= signal);
  const earlyTerm = onEarly('SIGTERM');
  const earlyInt = onEarly('SIGINT');
  signals.once('SIGTERM', earlyTerm);
  signals.once('SIGINT', earlyInt);
  return {
    release() {
      signals.off('SIGTERM', earlyTerm);
      signals.off('SIGINT', earlyInt);
      return early;
    },
  };
}

/** Build, probe the engine, bind and publish one listener's socket; on failure close everything started so far. */
async function startListener(plan: ListenerPlan, ctx: ListenerContext): Promise<void> {
  const { options, setup, logger, auditLog, metrics } = ctx;
  const app = await buildServer({
    listener: plan.listen,
    profile: { name: plan.profile, policy: plan.policy },
    upstream: { socketPath: setup.upstream, connectTimeoutMs: options.upstreamConnectTimeoutMs, headersTimeoutMs: options.upstreamHeadersTimeoutMs },
    logger,
    ...(auditLog !== null ? { auditLogger: auditLog.logger } : {}),
    ...(ctx.flushAudit !== undefined ? { flushAudit: ctx.flushAudit } : {}),
    clientHeadersTimeoutMs: options.clientHeadersTimeoutMs,
    clientBodyIdleTimeoutMs: options.clientBodyIdleTimeoutMs,
    clientIdleTimeoutMs: options.clientIdleTimeoutMs,
    maxBodyBytes: options.maxBodyBytes,
    // Counting costs per request: only when someone can read the counts.
    ...(setup.metricsListen !== null ? { observer: metrics.observer(plan.listen) } : {}),
  });
  // Before serving: the engine's API version decides how body keys it may not know are read.
  await app.probeEngine();
  let socket: PreparedSocket;
  try {
    socket = await prepareSocket(plan.listen, plan.mode, plan.gid, plan.uid);
  } catch (err) {
    await app.close();
    await ctx.closeAll();
    throw err;
  }
  try {
    await app.listen({ path: socket.bindPath });
    socket.publish();
  } catch (err) {
    socket.cleanup();
    await app.close();
    await ctx.closeAll();
    throw err instanceof SockgateError ? err : sockgateError('SOCKGATE_ERR_LISTEN_FAILED', { step: 'bind', cause: err });
  }
  ctx.running.started.push({ app, socket });
  logger.info(
    { listen: plan.listen, mode: plan.mode.toString(8).padStart(4, '0'), upstream: setup.upstream, profile: plan.profile, policy: plan.policy.source, policyHash: plan.policy.hash, rules: plan.policy.rules.length, version: VERSION },
    'sockgate listening',
  );
  const hint = `sockgate: listening on ${plan.listen} (policy: ${plan.policy.source}); try: DOCKER_HOST=unix://${plan.listen} docker ps`;
  ctx.io.stderr.write(hint + (ctx.listenFromDefault && options.configFile === null ? ' (set --listen to choose the path)' : '') + '\n');
}

/** The metrics and health listener, when one is asked for; on failure close everything started. */
async function startMetricsListener(ctx: ListenerContext): Promise<void> {
  const { metricsListen, upstream } = ctx.setup;
  if (metricsListen === null) return;
  try {
    ctx.running.admin = await startAdminServer({ address: metricsListen, metrics: ctx.metrics, upstreamSocket: upstream });
  } catch (err) {
    await ctx.closeAll();
    throw err;
  }
  ctx.logger.info({ metricsListen: ctx.running.admin.where }, 'metrics and health listening');
  ctx.io.stderr.write(`sockgate: metrics on ${ctx.running.admin.where} (GET /metrics, GET /healthz)\n`);
}

/**
 * Stop on the first SIGTERM or SIGINT (or on one that came while starting): end long-lived streams
 * at once, let other requests finish within the grace period, close, exit 0. Returns whether a
 * stop has begun.
 */
function installShutdown(ctx: ListenerContext, early: string | null): () => boolean {
  const { running, logger } = ctx;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'sockgate stopping');
    const force = setTimeout(() => {
      for (const { app } of running.started) app.server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    void ctx.closeAll().finally(() => {
      ctx.auditLog?.close();
      logger.info('sockgate stopped');
      ctx.io.setExitCode(0);
    });
    // Long-lived streams (events, logs -f, attach) never end by themselves: end them now. Other
    // in-flight requests may finish within the grace period.
    setImmediate(() => {
      for (const { app } of running.started) app.closeStreams();
    });
    // A keep-alive connection whose last request finished during the drain is idle: close it then
    // (clients keep them open for as long as they like).
    setInterval(() => {
      for (const { app } of running.started) app.server.closeIdleConnections();
    }, 100).unref();
  };
  ctx.io.signals.once('SIGTERM', () => stop('SIGTERM'));
  ctx.io.signals.once('SIGINT', () => stop('SIGINT'));
  if (early !== null) stop(early);
  return () => stopping;
}

/** Run the daemon until a signal stops it; start-up problems are thrown (nothing is left listening). */
export async function runDaemon(options: DaemonOptions, listenFromDefault: boolean, io: DaemonIO): Promise<void> {
  const logger = createDaemonLogger(options, io);
  const setup = loadDaemonSetup(options);
  checkUpstream(setup.upstream, logger);
  const auditLog = openDaemonAuditLog(options, setup.auditConfig, logger, io);
  const metrics = createDaemonMetrics(setup, auditLog, io);
  const running: Running = { started: [], admin: null };
  const flushAudit = auditLog !== null ? (): void => auditLog.flush() : undefined;
  const ctx: ListenerContext = { options, setup, logger, flushAudit, auditLog, metrics, running, closeAll: () => closeRunning(running, logger), io, listenFromDefault };

  const early = holdEarlyStops(io.signals);
  for (const plan of setup.plans) await startListener(plan, ctx);
  metrics.setProfiles(setup.plans.map((p) => ({ listener: p.listen, profile: p.profile, hash: p.policy.hash })));
  await startMetricsListener(ctx);

  const isStopping = installShutdown(ctx, early.release());
  const apps = running.started.map(({ app }) => app);
  superviseReloads({ options, upstream: setup.upstream, apps, metrics, logger, isStopping }, setup.plans, io.signals);
}
