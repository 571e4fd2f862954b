/**
 * `sockgate explain [--policy F | --config F --listener L] [--body F] METHOD TARGET`: how a profile
 * decides one request, and why every rule did or did not match, without sending anything.
 */

import { readFileSync } from 'node:fs';
import type { ParsedCommand } from '../config/options.js';
import { sockgateError } from '../errors.js';
import { admit, admitBody, admitCreateLookups, denialMessage, isAllowed, type Admission } from '../gate.js';
import { inspectBody } from '../inspect/index.js';
import type { BodyView } from '../inspect/body-view.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { explainRules } from '../policy/explain.js';
import { bindOwner } from '../policy/ownership.js';
import { NEWEST_API_VERSION } from '../request/api-version.js';
import type { CommandIO } from './io.js';
import { loadConfig, loadPolicy } from './plans.js';

type ExplainCommand = Extract<ParsedCommand, { kind: 'explain' }>;

/** The profile that decides for `explain`: a listener's of a config file, or a policy file's. */
function explainProfile(command: { policyFile: string | null; configFile: string | null; listener: string | null }): { profile: string; policy: CompiledPolicy } {
  if (command.configFile === null) {
    const policy = loadPolicy(command.policyFile);
    return { profile: policy.name, policy };
  }
  const { listeners } = loadConfig(command.configFile);
  const plan = listeners.find((l) => l.listen === command.listener || l.profile === command.listener);
  if (plan === undefined) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'no-listener', config: command.configFile, listener: String(command.listener) }, listeners.map((l) => `listener ${l.listen} (profile ${l.profile})`));
  }
  return { profile: plan.profile, policy: bindOwner(plan.policy, plan.profile) };
}

/** The --body file, or null when none is named. */
function readExplainBody(bodyFile: string | null): Buffer | null {
  if (bodyFile === null) return null;
  try {
    return readFileSync(bodyFile);
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'unreadable', what: '--body', path: bodyFile, cause: err });
  }
}

/** The body as the engine decodes it, when it was read and could be decoded. */
function explainBodyView(admission: Admission, body: Buffer | null): BodyView | undefined {
  if (body === null || admission.endpoint === null) return undefined;
  const inspected = inspectBody(admission.endpoint.id, body, 'ignore');
  return inspected.ok ? inspected.view : undefined;
}

/** The decision the daemon would make, every stage it takes, with nothing asked of an engine. */
function decideOffline(policy: CompiledPolicy, method: string, target: string, body: Buffer | null): { admission: Admission; bodyRead: boolean } {
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
  return { admission, bodyRead };
}

/** The printed explanation; its keys (and their order) are what scripts read. */
function describeDecision(profile: string, policy: CompiledPolicy, method: string, admission: Admission, bodyRead: boolean, body: Buffer | null): Record<string, unknown> {
  const volumes = admission.volumeLookups;
  const image = admission.imageLookup;
  const facts = admission.normalized === null ? null : { method: admission.normalized.method, path: admission.normalized.path, endpoint: admission.endpoint?.id ?? null, query: admission.normalized.query };
  return {
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
}

/** Prints the explanation as JSON to stdout; exit code 0 when the request would be allowed, 2 when denied. */
export function runExplain(command: ExplainCommand, io: CommandIO): number {
  const { bodyFile, method, target } = command;
  const { profile, policy } = explainProfile(command);
  const body = readExplainBody(bodyFile);
  const { admission, bodyRead } = decideOffline(policy, method, target, body);
  io.stdout.write(JSON.stringify(describeDecision(profile, policy, method, admission, bodyRead, body), null, 2) + '\n');
  return isAllowed(admission) ? 0 : 2;
}
