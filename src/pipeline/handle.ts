/**
 * The fastify side of the usual path: stage "read body" (bounded, for a decision that depends on
 * it), stage "decide" (decide.ts), then "forward or answer" (forward.ts). And the body parser
 * that streams a build context through its guard when the policy checks the Dockerfile.
 */

import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { admitBody, bodyTooLarge, denialMessage } from '../gate.js';
import { buildBaseImages, buildContextProblem, dockerfileCandidates, onBuildProblem, type DockerfileRule } from '../inspect/build-context.js';
import { consumeBody } from '../proxy/body.js';
import { BuildContextRefused, createBuildContextGuard } from '../proxy/build-context-guard.js';
import { resolveImage } from '../proxy/resolve-target.js';
import type { TarEntry } from '../inspect/tar-reader.js';
import { resolveAndDecide } from './decide.js';
import { forward, sendError, sendMessage } from './forward.js';
import { awaitsLookup, recordDecision, TARGET_LOOKUP_TIMEOUT_MS, type Gateway, type RequestContext } from './gateway.js';

/** The single fastify route's handler. */
export function handle(g: Gateway, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const ctx = g.contexts.get(request.raw);
  if (ctx === undefined) return sendError(reply, 'SOCKGATE_ERR_INTERNAL', 'request reached the proxy without a decision');
  if (!ctx.admission.needsBody && !awaitsLookup(ctx.admission)) return forward(g, request, reply, ctx);
  void readAndDecide(g, request, reply, ctx);
  return reply;
}

/** Read the body a decision depends on, ask the engine what the decision needs, record it, and forward. */
async function readAndDecide(g: Gateway, request: FastifyRequest, reply: FastifyReply, ctx: RequestContext): Promise<FastifyReply> {
  let body: Buffer | undefined;
  if (ctx.admission.needsBody) {
    // The decision depends on the body: read it (bounded), decode it as the engine would.
    const read = await consumeBody(request.raw, g.maxBodyBytes, true);
    if (read === null) {
      ctx.admission = bodyTooLarge(ctx.admission, g.maxBodyBytes);
      recordDecision(g, ctx, request.raw, false);
      return sendMessage(reply, 413, denialMessage(ctx.admission), true);
    }
    body = read;
    ctx.admission = admitBody(ctx.policy, ctx.admission, read, g.engineApiVersion);
  }
  // The decision depends on the container acted on or the objects named: ask the engine.
  ctx.admission = await resolveAndDecide(g, ctx.policy, ctx.admission);
  recordDecision(g, ctx, request.raw, false);
  // A body sockgate rewrote (the owner label) is the one that was checked: send that one.
  return forward(g, request, reply, ctx, ctx.admission.forwardBody !== undefined ? Buffer.from(ctx.admission.forwardBody) : body);
}

/**
 * Bodies are never parsed here: the raw stream goes to the engine as it arrives. A build whose
 * Dockerfile the policy checks goes through a guard that reads it alongside and releases the end
 * of the upload only when it keeps to the rules (proxy/build-context-guard.ts).
 */
export function parseBody(g: Gateway, req: IncomingMessage, payload: Readable): Readable {
  const ctx = g.contexts.get(req);
  const checks = ctx?.admission.dockerfileChecks;
  if (ctx === undefined || checks === undefined) return payload;
  const param = ctx.admission.normalized?.query.get('dockerfile')?.[0] ?? '';
  const guard = createBuildContextGuard(dockerfileCandidates(param), async (entries) => {
    const problem = buildContextProblem(entries, param, checks);
    if (problem !== null) return problem;
    return onBuildTriggersProblem(g, entries, param, checks);
  });
  guard.once('error', (err) => {
    if (err instanceof BuildContextRefused) ctx.buildRefusal = err;
  });
  payload.once('error', (err) => guard.destroy(err));
  return payload.pipe(guard);
}

/** The base images' ONBUILD triggers run as if they stood after FROM: read them too (a base the engine lacks is refused). */
async function onBuildTriggersProblem(g: Gateway, entries: readonly TarEntry[], param: string, checks: readonly DockerfileRule[]): Promise<string | null> {
  for (const base of buildBaseImages(entries, param)) {
    const image = await resolveImage(g.pool, base.ref, TARGET_LOOKUP_TIMEOUT_MS);
    if (!image.ok) throw new Error(`base image ${base.ref} could not be looked up (${image.reason})`);
    const why = onBuildProblem(base, { exists: image.exists, onBuild: image.exists ? (image.onBuild ?? []) : [] }, checks);
    if (why !== null) return why;
  }
  return null;
}
