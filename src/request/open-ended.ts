/**
 * Answers that stream until the client leaves: the event stream, followed logs, streamed stats.
 * When a client's side of the connection ends (EOF) the engine ends such an answer (Go's server
 * reads EOF in the background and cancels the request's context, which these handlers watch);
 * every other answer is still written in full to a client that half-closed after its request.
 */
import { isEngineTrue } from './engine-values.js';
import type { NormalizedRequest } from './normalize.js';

/** The first value of a query parameter, as Go's r.FormValue reads it; "" when absent. */
function formValue(request: NormalizedRequest, key: string): string {
  return request.query.get(key)?.[0] ?? '';
}

export function isOpenEndedAnswer(endpointId: string, request: NormalizedRequest): boolean {
  switch (endpointId) {
    case 'system.events':
      // with "until" the engine ends the stream by itself (api/server/router/system getEvents)
      return formValue(request, 'until') === '';
    case 'containers.logs':
      return isEngineTrue(formValue(request, 'follow'));
    case 'containers.stats':
      // httputils.BoolValueOrDefault(r, "stream", true): absent means streamed
      return !request.query.has('stream') || isEngineTrue(formValue(request, 'stream'));
    default:
      return false;
  }
}
