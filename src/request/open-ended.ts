/**
 * Answers that stream until the client leaves: the event stream, followed logs, streamed stats.
 * When a client's side of the connection ends (EOF) the engine ends such an answer (Go's server
 * reads EOF in the background and cancels the request's context, which these handlers watch);
 * every other answer is still written in full to a client that half-closed after its request.
 */
import { isEngineTrue } from './engine-values.js';
import type { EndpointId } from './endpoints.js';
import type { NormalizedRequest } from './normalize.js';

/** The first value of a query parameter, as Go's r.FormValue reads it; "" when absent. */
function formValue(request: NormalizedRequest, key: string): string {
  return request.query.get(key)?.[0] ?? '';
}

/** The endpoints whose answer may stream until the client leaves, and whether a request's does. */
const OPEN_ENDED: Readonly<Partial<Record<EndpointId, (request: NormalizedRequest) => boolean>>> = {
  // with "until" the engine ends the stream by itself (api/server/router/system getEvents)
  'system.events': (request) => formValue(request, 'until') === '',
  'containers.logs': (request) => isEngineTrue(formValue(request, 'follow')),
  // httputils.BoolValueOrDefault(r, "stream", true): absent means streamed
  'containers.stats': (request) => !request.query.has('stream') || isEngineTrue(formValue(request, 'stream')),
};

export function isOpenEndedAnswer(endpointId: EndpointId, request: NormalizedRequest): boolean {
  return OPEN_ENDED[endpointId]?.(request) ?? false;
}
