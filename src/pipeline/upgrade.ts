/**
 * Upgrade requests (attach, exec start, the HTTP/2 and session upgrades the engine hijacks):
 * admitted by the same gate on the 'upgrade' event, then either refused on the raw socket or
 * spliced to a fresh engine connection (proxy/upgrade.ts).
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { denialMessage, isAllowed } from '../gate.js';
import { spliceUpgrade, writeRawError } from '../proxy/upgrade.js';
import { forwardTarget, resolveAndDecide } from './decide.js';
import { admitRequest, awaitsLookup, completeRequest, recordDecision, reportUpstreamError, type Gateway, type RequestContext } from './gateway.js';
import { trackStream } from './streams.js';

/** The server's 'upgrade' listener. */
export function onUpgrade(g: Gateway, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  g.hijacked.add(socket);
  socket.once('close', () => g.hijacked.delete(socket));
  if (g.observer) {
    const observer = g.observer;
    observer.onStreamOpen('hijack');
    socket.once('close', () => observer.onStreamClose('hijack'));
  }
  const ctx = admitRequest(g, req, true);
  socket.on('error', () => socket.destroy());
  if (awaitsLookup(ctx.admission)) {
    // The client's bytes stay buffered in the socket (no 'data' listener yet) meanwhile.
    void resolveAndDecide(g, ctx.policy, ctx.admission).then((admission) => {
      ctx.admission = admission;
      recordDecision(g, ctx, req, true);
      if (socket.destroyed) completeRequest(g, ctx, 0, true);
      else splice(g, ctx, req, socket, head);
    });
    return;
  }
  splice(g, ctx, req, socket, head);
}

/** A decided upgrade: refused on the raw socket, or spliced to the engine and tracked as a stream. */
function splice(g: Gateway, ctx: RequestContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const { admission } = ctx;
  if (!isAllowed(admission) || admission.normalized === null) {
    writeRawError(socket, admission.status || 500, denialMessage(admission));
    completeRequest(g, ctx, admission.status, false);
    return;
  }
  trackStream(g, { ctx, req, upgrade: true, close: () => socket.destroy() }, socket);
  spliceUpgrade(req, socket, head, forwardTarget(admission), g.upstream, (outcome) => {
    if (outcome.error !== undefined) reportUpstreamError(g, ctx.reqId, outcome.error);
    else ctx.engineStatus = outcome.status;
    completeRequest(g, ctx, outcome.status, false);
  });
}
