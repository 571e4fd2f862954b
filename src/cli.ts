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
import { DEFAULT_LISTEN_MODE, helpText, parseCommand, type DaemonOptions, type ParsedCommand } from './config/options.js';
import { SockgateError } from './errors.js';
import { admit, admitBody, admitCreateLookups, denialMessage, isAllowed, type Admission } from './gate.js';
import { formatProblem, type PolicyProblem } from './yaml-validator.js';
import { checkPolicyFile, loadBuiltInPolicy, loadPolicyFile } from './policy/files.js';
import { compilePolicy, type CompiledPolicy } from './policy/compile.js';
import { prepareSocket, resolveGroup, resolveUser, type PreparedSocket } from './listen.js';
import { buildServer } from './server.js';
import { reloadProblems } from './config/reload.js';
import { explainRules } from './policy/explain.js';
import type { BodyView } from './inspect/body-view.js';
import { inspectBody } from './inspect/index.js';
import { NEWEST_API_VERSION } from './request/api-version.js';
import { bindOwner } from './policy/ownership.js';
import { openAuditLog, type AuditLog } from './audit/audit-log.js';
import type { AuditConfig } from './config/audit-config.js';
import { createPrettyDestination } from './audit/pretty.js';
import { DEFAULT_AUDIT_KEEP, DEFAULT_AUDIT_MAX_BYTES } from './defaults.js';
import type { AdminAddress } from './admin/address.js';
import { checkHealth, startAdminServer, type AdminServer } from './admin/server.js';
import { createSockgateMetrics } from './metrics/sockgate-metrics.js';
import { emptySuggestStats, parseLogLines, suggestPolicy } from './suggest/suggest.js';
import { renderPolicy } from './suggest/render.js';

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

/** The profile that decides for `explain`: a listener's of a config file, or a policy file's. */
function explainProfile(command: { policyFile: string | null; configFile: string | null; listener: string | null }): { profile: string; policy: CompiledPolicy } {
  if (command.configFile === null) {
    const policy = loadPolicy(command.policyFile);
    return { profile: policy.name, policy };
  }
  const { listeners } = loadConfig(command.configFile);
  const plan = listeners.find((l) => l.listen === command.listener || l.profile === command.listener);
  if (plan === undefined) {
    throw new SockgateError('SOCKGATE_ERR_CONFIG_INVALID', `config ${command.configFile} has no listener "${command.listener}"`, listeners.map((l) => `listener ${l.listen} (profile ${l.profile})`));
  }
  return { profile: plan.profile, policy: bindOwner(plan.policy, plan.profile) };
}

/** The body as the engine decodes it, when it was read and could be decoded. */
function explainBodyView(admission: Admission, body: Buffer | null): BodyView | undefined {
  if (body === null || admission.endpoint === null) return undefined;
  const inspected = inspectBody(admission.endpoint.id, body, 'ignore');
  return inspected.ok ? inspected.view : undefined;
}

function runExplain(command: Extract<ParsedCommand, { kind: 'explain' }>): number {
  const { bodyFile, method, target } = command;
  const { profile, policy } = explainProfile(command);
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
  // explain decides as the daemon does in front of an engine whose API version sockgate knows.
  if (admission.needsBody) admission = admitBody(policy, admission, body ?? Buffer.alloc(0), NEWEST_API_VERSION);
  // A create's image and named volumes are looked up in the engine when serving; explain decides
  // as if each were new (an image without labels, volumes the engine creates).
  const volumes = admission.volumeLookups;
  const image = admission.imageLookup;
  if (volumes !== undefined || image !== undefined) {
    admission = admitCreateLookups(policy, admission, { volumes: (volumes ?? []).map((name) => ({ name, ok: true, exists: false })), image: { ok: true, exists: true, labels: {} } });
  }
  const facts = admission.normalized === null ? null : { method: admission.normalized.method, path: admission.normalized.path, endpoint: admission.endpoint?.id ?? null, query: admission.normalized.query };
  const out = {
    profile,
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
    ...(volumes !== undefined || image !== undefined
      ? {
          ...(image !== undefined ? { imageToLookUp: image } : {}),
          ...(volumes !== undefined ? { volumesToLookUp: volumes } : {}),
          lookupNote: 'the image (its io.sockgate.* labels) and the named volumes (driver, options) decide too; sockgate looks them up in the engine when serving, and explain decides as if the image had no labels and the volumes did not exist yet',
        }
      : {}),
    effect: admission.decision.effect,
    rule: admission.decision.ruleId,
    reason: admission.decision.reason,
    ...(admission.decision.bodyPointer !== undefined ? { bodyPointer: admission.decision.bodyPointer } : {}),
    ...(admission.decision.bodyPointers !== undefined ? { bodyPointers: admission.decision.bodyPointers } : {}),
    ...(admission.wouldBe !== undefined ? { mode: policy.mode, wouldBe: admission.wouldBe } : {}),
    ...(admission.code !== null ? { code: admission.code, status: admission.status, message: denialMessage(admission) } : {}),
    ...(admission.refs !== undefined ? { objectsToCheck: admission.refs, objectsNote: 'the profile must be able to see these objects; sockgate looks them up in the engine when serving' } : {}),
    // Every rule, in file order, and why it did or did not match (with the body as decoded, if read).
    rules: facts === null ? [] : explainRules(policy, facts, explainBodyView(admission, bodyRead ? (body ?? Buffer.alloc(0)) : null)),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  return isAllowed(admission) ? 0 : 2;
}

/** `sockgate suggest`: audit logs → a policy allowing what they show (stdout); what was skipped → stderr. */
function runSuggest(files: readonly string[], profile: string | null): number {
  const stats = emptySuggestStats();
  const records: unknown[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (err) {
      throw new SockgateError('SOCKGATE_ERR_CONFIG_INVALID', `cannot read audit log ${file}: ${(err as Error).message}`);
    }
    records.push(...parseLogLines(text, stats));
  }
  const result = suggestPolicy(records, profile === null ? {} : { profile }, stats);
  const s = result.stats;
  process.stderr.write(
    `sockgate suggest: ${s.decisions} decision records: ${s.learned} learned (${s.wouldBeDenied} denied by the learning policy), ${s.notLearned} not learned; ` +
      `skipped ${s.completions} completion records, ${s.other} other records, ${s.nonJson} non-JSON lines${s.otherProfiles > 0 ? `, ${s.otherProfiles} records of other profiles` : ''}\n`,
  );
  if (!result.ok) throw new SockgateError('SOCKGATE_ERR_CONFIG_INVALID', result.message);
  process.stdout.write(renderPolicy(result.policy));
  return 0;
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
function loadConfig(file: string): { upstream: string | null; listeners: ListenerPlan[]; metricsListen: AdminAddress | null; audit: AuditConfig | null } {
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
  return { upstream: result.config.upstream, listeners, metricsListen: result.config.metrics?.listen ?? null, audit: result.config.audit };
}

async function runDaemon(options: DaemonOptions, listenFromDefault: boolean): Promise<void> {
  const pretty = options.logFormat === 'pretty' ? createPrettyDestination(process.stdout, { color: process.stdout.isTTY === true && !process.env['NO_COLOR'] }) : undefined;
  const loggerOptions = { level: options.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } };
  const logger = pretty === undefined ? pino(loggerOptions) : pino(loggerOptions, pretty);
  let upstream = options.upstream;
  let plans: ListenerPlan[];
  let metricsListen = options.metricsListen;
  let auditConfig: AuditConfig | null = null;
  if (options.configFile !== null) {
    const config = loadConfig(options.configFile);
    upstream = config.upstream ?? upstream;
    plans = config.listeners;
    metricsListen = options.metricsListen ?? config.metricsListen;
    auditConfig = config.audit;
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
  // Audit records to a rotated file of their own (flags win over the config file); else stdout.
  const auditPath = options.auditFile ?? auditConfig?.file ?? null;
  const auditLog: AuditLog | null =
    auditPath === null
      ? null
      : openAuditLog(
          { path: auditPath, maxBytes: options.auditMaxBytes ?? auditConfig?.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES, keep: options.auditKeep ?? auditConfig?.keep ?? DEFAULT_AUDIT_KEEP },
          logger,
          { pid: process.pid },
        );
  if (auditLog !== null) logger.info({ auditFile: auditPath }, 'audit records go to the audit file');
  const metricsPath = metricsListen?.kind === 'unix' ? metricsListen.path : null;
  if (metricsPath !== null && plans.some((p) => p.listen === metricsPath)) {
    throw new SockgateError('SOCKGATE_ERR_CONFIG_INVALID', `--metrics-listen ${metricsPath} is also a proxied socket`, ['give metrics and health a socket (or loopback port) of their own']);
  }
  const metrics = createSockgateMetrics({
    version: VERSION,
    now: () => Date.now(),
    processFigures: () => ({ residentBytes: process.memoryUsage.rss(), uptimeSeconds: process.uptime() }),
    ...(auditLog !== null ? { auditRecordsLost: () => auditLog.file.lost } : {}),
  });
  let admin: AdminServer | null = null;

  const started: { app: FastifyInstance; socket: PreparedSocket }[] = [];
  const closeAll = async (): Promise<void> => {
    await admin?.close().catch((err: unknown) => logger.error({ err }, 'error while closing the metrics listener'));
    await Promise.all(
      started.map(async ({ app, socket }) => {
        await app.close().catch((err: unknown) => logger.error({ err }, 'error while closing'));
        socket.cleanup();
      }),
    );
  };
  // A stop asked for while the listeners start (the socket of the first may already be in use)
  // is carried out once they have: until the handlers below are installed, the signal's default
  // action would kill the process and leave its sockets behind.
  let early: string | null = null;
  const onEarly = (signal: string) => (): void => void (early ??= signal);
  const earlyTerm = onEarly('SIGTERM');
  const earlyInt = onEarly('SIGINT');
  process.once('SIGTERM', earlyTerm);
  process.once('SIGINT', earlyInt);
  for (const plan of plans) {
    const app = await buildServer({
      listener: plan.listen,
      profile: { name: plan.profile, policy: plan.policy },
      upstream: { socketPath: upstream, connectTimeoutMs: options.upstreamConnectTimeoutMs, headersTimeoutMs: options.upstreamHeadersTimeoutMs },
      logger,
      ...(auditLog !== null ? { auditLogger: auditLog.logger } : {}),
      clientHeadersTimeoutMs: options.clientHeadersTimeoutMs,
      clientBodyIdleTimeoutMs: options.clientBodyIdleTimeoutMs,
      clientIdleTimeoutMs: options.clientIdleTimeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      // Counting costs per request: only when someone can read the counts.
      ...(metricsListen !== null ? { observer: metrics.observer(plan.listen) } : {}),
    });
    // Before serving: the engine's API version decides how body keys it may not know are read.
    await app.probeEngine();
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

  metrics.setProfiles(plans.map((p) => ({ listener: p.listen, profile: p.profile, hash: p.policy.hash })));
  if (metricsListen !== null) {
    try {
      admin = await startAdminServer({ address: metricsListen, metrics, upstreamSocket: upstream });
    } catch (err) {
      await closeAll();
      throw err;
    }
    logger.info({ metricsListen: admin.where }, 'metrics and health listening');
    process.stderr.write(`sockgate: metrics on ${admin.where} (GET /metrics, GET /healthz)\n`);
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
      auditLog?.close();
      logger.info('sockgate stopped');
      process.exitCode = 0;
    });
    // Long-lived streams (events, logs -f, attach) never end by themselves: end them now. Other
    // in-flight requests may finish within the grace period.
    setImmediate(() => {
      for (const { app } of started) app.closeStreams();
    });
    // A keep-alive connection whose last request finished during the drain is idle: close it then
    // (clients keep them open for as long as they like).
    setInterval(() => {
      for (const { app } of started) app.server.closeIdleConnections();
    }, 100).unref();
  };
  process.off('SIGTERM', earlyTerm);
  process.off('SIGINT', earlyInt);
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (early !== null) stop(early);

  /**
   * SIGHUP: read the config (or the policy file) again and switch every listener to it at once,
   * or, if anything is wrong, change nothing: the running policies stay, every problem is
   * logged, and /healthz and /metrics show the failure until a reload succeeds.
   */
  const reload = async (): Promise<void> => {
    let next: ListenerPlan[];
    try {
      if (options.configFile !== null) {
        const config = loadConfig(options.configFile);
        next = config.listeners;
        const problems = reloadProblems(plans, next, (config.upstream ?? options.upstream) !== upstream);
        if (problems.length > 0) throw new SockgateError('SOCKGATE_ERR_CONFIG_INVALID', `config ${options.configFile} cannot be applied by a reload`, problems);
      } else {
        // The profile keeps the name it started with (its audit identity and owner label).
        next = [{ ...plans[0]!, policy: loadPolicy(options.policyFile) }];
      }
    } catch (err) {
      const problems = err instanceof SockgateError ? [err.message, ...err.details] : [String(err)];
      const code = err instanceof SockgateError ? err.code : 'SOCKGATE_ERR_CONFIG_INVALID';
      logger.error({ code, problems }, 'reload failed; the running policies stay in force');
      metrics.reloadFailed(problems);
      return;
    }
    const byListen = new Map(next.map((p) => [p.listen, p]));
    const outcomes = await Promise.all(
      started.map(async ({ app }, i) => {
        const plan = byListen.get(plans[i]!.listen)!;
        const outcome = await app.reloadProfile({ name: plan.profile, policy: plan.policy });
        return { listen: plan.listen, profile: plan.profile, policy: plan.policy.source, policyHash: plan.policy.hash, ...outcome };
      }),
    );
    plans = plans.map((p) => byListen.get(p.listen)!);
    metrics.reloadSucceeded(plans.map((p) => ({ listener: p.listen, profile: p.profile, hash: p.policy.hash })));
    logger.info({ listeners: outcomes }, 'policies reloaded');
  };
  let reloading: Promise<void> = Promise.resolve();
  process.on('SIGHUP', () => {
    if (stopping) return;
    // One reload at a time, in the order the signals came.
    reloading = reloading.then(reload, reload);
  });
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
      case 'suggest':
        process.exitCode = runSuggest(command.files, command.profile);
        return;
      case 'health': {
        const result = await checkHealth(command.address);
        (result.answered ? process.stdout : process.stderr).write(result.output);
        process.exitCode = result.exitCode;
        return;
      }
      case 'explain':
        process.exitCode = runExplain(command);
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
