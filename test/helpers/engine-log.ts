/**
 * What reached the engine, the same way on every engine version: every sockgate an e2e test
 * starts (helpers/engine.ts) forwards through one recording pass-through (upstream-recorder.ts)
 * per test file, so the requests sockgate sent on are recorded as they reached the engine. The
 * test's own direct calls to the engine socket are not in it. (The engine's debug log is no such
 * record: its "Calling METHOD URI" lines are a 20.10 format that current engines do not write.)
 */
import { engineSocket } from './engine-socket.js';
import { startUpstreamRecorder, type UpstreamCall, type UpstreamRecorder } from './upstream-recorder.js';

export type EngineCall = UpstreamCall;

let recorder: Promise<UpstreamRecorder> | undefined;
let calls: readonly UpstreamCall[] | undefined;

/** The recording pass-through in front of the engine (started on first use; e2e files run one at a time). */
export function recordingUpstream(): Promise<UpstreamRecorder> {
  recorder ??= startUpstreamRecorder(engineSocket()).then((r) => {
    calls = r.calls;
    return r;
  });
  return recorder;
}

function recorded(): readonly UpstreamCall[] {
  if (calls === undefined) throw new Error('no sockgate has been started through the recording upstream yet (helpers/engine.ts startSockgate starts it)');
  return calls;
}

/** A position in the record; calls after it are what the test caused through sockgate. */
export function logMark(): number {
  return recorded().length;
}

export function callsSince(mark: number): EngineCall[] {
  return recorded().slice(mark);
}
