/**
 * The listeners a daemon serves, read from a config file or a policy file: shared by the daemon,
 * its reloads and `explain` (which decides as one of a config's listeners would).
 */

import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { AdminAddress } from '../admin/address.js';
import type { AuditConfig } from '../config/audit-config.js';
import { loadConfigText } from '../config/file.js';
import { DEFAULT_LISTEN_MODE } from '../config/options.js';
import { sockgateError } from '../errors.js';
import { resolveGroup, resolveUser } from '../listen.js';
import { compilePolicy, type CompiledPolicy } from '../policy/compile.js';
import { formatProblem } from '../yaml-validator.js';
import { loadBuiltInPolicy, loadPolicyFile } from '../policy/files.js';

/** One socket to serve: where, with which permissions, under which profile. */
export interface ListenerPlan {
  readonly listen: string;
  readonly mode: number;
  readonly uid: number | null;
  readonly gid: number | null;
  readonly profile: string;
  readonly policy: CompiledPolicy;
}

/** What a config file asks for. */
export interface LoadedConfig {
  readonly upstream: string | null;
  readonly listeners: ListenerPlan[];
  readonly metricsListen: AdminAddress | null;
  readonly audit: AuditConfig | null;
}

/** A policy file, or the built-in policy when none is named. */
export function loadPolicy(file: string | null): CompiledPolicy {
  return file === null ? loadBuiltInPolicy() : loadPolicyFile(file);
}

/** Read and validate a config file, and load every policy it names (relative to the file). */
export function loadConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'unreadable', what: 'config', path: file, cause: err });
  }
  const result = loadConfigText(text, file);
  if (!result.ok) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'invalid-config', path: file, problems: result.problems.length }, result.problems.map(formatProblem));
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
