/**
 * What a profile may see of the engine's answers: the rewrite of a whole JSON answer (scoped and
 * owned lists, redacted fields, the capped version) and the filter of a scoped event stream.
 * The forwarder asks for the rewrite of an endpoint's answer and applies it; it never decides.
 */

import { Transform } from 'node:stream';
import type { CompiledPolicy, CompiledTarget } from '../policy/compile.js';
import { redactAnswer } from '../policy/redact.js';
import { eventVisible, filterContainerList, filterNetworkList, filterVolumeList, withoutNetworkContainers } from '../policy/scope.js';
import { capVersionAnswer } from '../request/api-version.js';
import { ownedContainerList, type CarriesReserved } from './owned.js';

/** A rewrite of a JSON answer; it may wait for lookups (an owned list) and rejects when it cannot tell. */
export type AnswerRewrite = (answer: unknown) => unknown;

/** How this profile's view changes an endpoint's answer: lists keep what it may see; null: unchanged. */
function answerFilter(policy: CompiledPolicy, endpointId: string, carriesReserved: CarriesReserved): AnswerRewrite | null {
  const { scope } = policy;
  if (endpointId === 'system.version') return capVersionAnswer;
  if (scope !== null && endpointId === 'containers.list' && policy.owner !== null) return (answer) => ownedContainerList(policy, scope, answer, carriesReserved);
  if (scope !== null && endpointId === 'containers.list') return (answer) => filterContainerList(answer, scope);
  if (policy.owner === null) return null;
  switch (endpointId) {
    case 'volumes.list':
      return (answer) => filterVolumeList(answer, policy);
    case 'networks.list':
    case 'networks.listSlash':
      return (answer) => filterNetworkList(answer, policy);
    case 'networks.inspect':
      // A shared network's answer lists every container attached to it, owned or not.
      return withoutNetworkContainers;
    default:
      return null;
  }
}

/**
 * The rewrite of a successful (200) answer of `endpointId` under `policy`: the profile's filter,
 * then its redactions; null when the answer goes to the client as the engine sent it.
 */
export function answerRewrite(policy: CompiledPolicy, endpointId: string, carriesReserved: CarriesReserved): AnswerRewrite | null {
  const filter = answerFilter(policy, endpointId, carriesReserved);
  const redact = policy.redactions.get(endpointId);
  if (redact === undefined) return filter;
  // (an owning profile's list filter is async: redact what it resolves to, not the promise)
  return async (answer) => redactAnswer(filter === null ? answer : await filter(answer), redact);
}

/** Whether `endpointId`'s answer is rewritten under `policy` (without building the rewrite). */
export function rewritesAnswer(policy: CompiledPolicy, endpointId: string): boolean {
  return policy.redactions.has(endpointId) || answerFilter(policy, endpointId, noLookups) !== null;
}
const noLookups: CarriesReserved = () => Promise.reject(new Error('no lookups'));

/**
 * The event stream of a scoped policy, filtered event by event as it flows: an event is one JSON
 * line; an unreadable line is dropped and reported to `onUnreadable`.
 */
export function scopedEventFilter(scope: CompiledTarget, onUnreadable: () => void): Transform {
  let pending = '';
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      pending += chunk.toString('utf8');
      let nl: number;
      let out = '';
      while ((nl = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim() === '') continue;
        let event: unknown;
        try {
          event = JSON.parse(line);
        } catch {
          onUnreadable();
          continue;
        }
        if (eventVisible(event, scope)) out += line + '\n';
      }
      done(null, out === '' ? undefined : out);
    },
  });
}
