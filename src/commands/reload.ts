/**
 * SIGHUP: read the config (or the policy file) again and switch every listener to it at once,
 * or, if anything is wrong, change nothing: the running policies stay, every problem is logged,
 * and /healthz and /metrics show the failure until a reload succeeds.
 */

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { DaemonOptions } from '../config/options.js';
import { reloadProblems } from '../config/reload.js';
import { SockgateError, sockgateError } from '../errors.js';
import type { SockgateMetrics } from '../metrics/sockgate-metrics.js';
import type { SignalHooks } from './io.js';
import { loadConfig, loadPolicy, type ListenerPlan } from './plans.js';

/** What a reload reads, whom it tells, and the listeners it switches. */
export interface ReloadContext {
  readonly options: Pick<DaemonOptions, 'configFile' | 'policyFile' | 'upstream'>;
  /** the engine socket in use (a reload may not change it) */
  readonly upstream: string;
  /** the running servers, in the order of the plans they were started from */
  readonly apps: readonly FastifyInstance[];
  readonly metrics: SockgateMetrics;
  readonly logger: Logger;
  /** true once the daemon is stopping: later SIGHUPs are ignored */
  readonly isStopping: () => boolean;
}

/** The listeners a reload asks for, or throws why it cannot be applied. */
function nextPlans(ctx: ReloadContext, plans: readonly ListenerPlan[]): ListenerPlan[] {
  const { options } = ctx;
  if (options.configFile !== null) {
    const config = loadConfig(options.configFile);
    const problems = reloadProblems(plans, config.listeners, (config.upstream ?? options.upstream) !== ctx.upstream);
    if (problems.length > 0) throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'reload-refused', config: options.configFile }, problems);
    return config.listeners;
  }
  // The profile keeps the name it started with (its audit identity and owner label).
  return [{ ...plans[0]!, policy: loadPolicy(options.policyFile) }];
}

/** Switch every running listener to `next`; returns the plans now in force, in the running order. */
async function applyPlans(ctx: ReloadContext, plans: readonly ListenerPlan[], next: readonly ListenerPlan[]): Promise<ListenerPlan[]> {
  const byListen = new Map(next.map((p) => [p.listen, p]));
  const outcomes = await Promise.all(
    ctx.apps.map(async (app, i) => {
      const plan = byListen.get(plans[i]!.listen)!;
      const outcome = await app.reloadProfile({ name: plan.profile, policy: plan.policy });
      return { listen: plan.listen, profile: plan.profile, policy: plan.policy.source, policyHash: plan.policy.hash, ...outcome };
    }),
  );
  const current = plans.map((p) => byListen.get(p.listen)!);
  ctx.metrics.reloadSucceeded(current.map((p) => ({ listener: p.listen, profile: p.profile, hash: p.policy.hash })));
  ctx.logger.info({ listeners: outcomes }, 'policies reloaded');
  return current;
}

/** Reload on every SIGHUP until the daemon stops, one reload at a time, in the order the signals came. */
export function superviseReloads(ctx: ReloadContext, initial: readonly ListenerPlan[], signals: SignalHooks): void {
  let plans = initial;
  const reload = async (): Promise<void> => {
    let next: ListenerPlan[];
    try {
      next = nextPlans(ctx, plans);
    } catch (err) {
      const problems = err instanceof SockgateError ? [err.message, ...err.details] : [String(err)];
      const code = err instanceof SockgateError ? err.code : 'SOCKGATE_ERR_CONFIG_INVALID';
      ctx.logger.error({ code, problems }, 'reload failed; the running policies stay in force');
      ctx.metrics.reloadFailed(problems);
      return;
    }
    plans = await applyPlans(ctx, plans, next);
  };
  let reloading: Promise<void> = Promise.resolve();
  signals.on('SIGHUP', () => {
    if (ctx.isStopping()) return;
    reloading = reloading.then(reload, reload);
  });
}
