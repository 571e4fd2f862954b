/**
 * Resolve the container a request acts on, by asking the engine (inspect), so that target
 * conditions are decided on the engine's own view: the reference as the client wrote it (name,
 * or id prefix) is looked up exactly as the engine would look it up. Exec references are
 * resolved to their container first. Any failure is reported, never guessed around.
 */

import type { Dispatcher } from 'undici';
import { containerFromInspect, objectFromAnswer, type ResolvedImage, type ResolvedRef, type ResolvedTarget } from '../inspect/engine-answers.js';
import type { ObjectRef } from '../inspect/references.js';
import type { ResolvedVolume } from '../inspect/named-volumes.js';
import { list, obj, str } from '../json-view.js';
import { consumeBody } from './body.js';
import { encodePathSegment } from '../request/normalize.js';
import type { TargetRef } from '../request/targets.js';

/** Inspect answers are small; anything larger is not what sockgate asked for. */
const MAX_INSPECT_BYTES = 4 * 1024 * 1024;

async function getJson(dispatcher: Dispatcher, path: string, timeoutMs: number): Promise<{ status: number; json: unknown }> {
  const res = await dispatcher.request({ origin: 'http://localhost', path, method: 'GET', headers: { host: 'docker' }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const bytes = await consumeBody(res.body, MAX_INSPECT_BYTES, true);
  if (bytes === null) {
    res.body.destroy();
    throw new Error(`the engine's answer to ${path} was cut off or is larger than ${MAX_INSPECT_BYTES} bytes`);
  }
  let json: unknown = null;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    /* non-JSON error bodies: the status says enough */
  }
  return { status: res.statusCode, json };
}

export async function resolveTarget(dispatcher: Dispatcher, ref: TargetRef, timeoutMs: number): Promise<ResolvedTarget> {
  try {
    let containerRef = ref.ref;
    if (ref.via === 'exec') {
      const exec = await getJson(dispatcher, `/exec/${encodePathSegment(ref.ref)}/json`, timeoutMs);
      if (exec.status === 404) return { ok: false, reason: `no such exec instance: ${ref.ref}` };
      if (exec.status !== 200) return { ok: false, reason: `the engine answered ${exec.status} when sockgate looked up exec instance ${ref.ref}` };
      containerRef = str(obj(exec.json)['ContainerID']);
      if (containerRef === '') return { ok: false, reason: `the engine did not say which container exec instance ${ref.ref} belongs to` };
    }
    const c = await getJson(dispatcher, `/containers/${encodePathSegment(containerRef)}/json`, timeoutMs);
    if (c.status === 404) return { ok: false, reason: `no such container: ${containerRef}` };
    if (c.status !== 200) return { ok: false, reason: `the engine answered ${c.status} when sockgate looked up container ${containerRef}` };
    const facts = containerFromInspect(c.json);
    if (facts === null) return { ok: false, reason: `the engine's answer for container ${containerRef} has no valid id` };
    return { ok: true, facts };
  } catch (err) {
    return { ok: false, reason: `sockgate could not look up the container: ${(err as Error).message}` };
  }
}

const INSPECT_PATH = { container: '/containers', volume: '/volumes', network: '/networks' } as const;

/** Look up one object a request names (container, volume or network), as the engine resolves that name. */
export async function resolveRef(dispatcher: Dispatcher, ref: ObjectRef, timeoutMs: number): Promise<ResolvedRef> {
  try {
    if (ref.ref === '') return { ok: false, ref, reason: `no ${ref.kind} named` };
    const answer = await getJson(dispatcher, `${INSPECT_PATH[ref.kind]}/${encodePathSegment(ref.ref)}${ref.kind === 'container' ? '/json' : ''}`, timeoutMs);
    if (answer.status === 404) return { ok: false, ref, reason: `no such ${ref.kind}: ${ref.ref}` };
    if (answer.status !== 200) return { ok: false, ref, reason: `the engine answered ${answer.status} when sockgate looked up ${ref.kind} ${ref.ref}` };
    if (ref.kind === 'container') {
      const facts = containerFromInspect(answer.json);
      return facts === null ? { ok: false, ref, reason: `the engine's answer for container ${ref.ref} has no valid id` } : { ok: true, ref, facts: { ...facts, kind: 'container' } };
    }
    const facts = objectFromAnswer(ref.kind, answer.json);
    if (facts.name === '' || (ref.kind === 'network' && !/^[0-9a-z]{25,64}$/.test(facts.id))) return { ok: false, ref, reason: `the engine's answer for ${ref.kind} ${ref.ref} has no valid name or id` };
    return { ok: true, ref, facts };
  } catch (err) {
    return { ok: false, ref, reason: `sockgate could not look up the ${ref.kind}: ${(err as Error).message}` };
  }
}

/** What a named volume stands for, as the engine reports it (inspect); a volume that does not exist yet is reported so. */
export async function resolveVolume(dispatcher: Dispatcher, name: string, timeoutMs: number): Promise<ResolvedVolume> {
  try {
    const answer = await getJson(dispatcher, `/volumes/${encodePathSegment(name)}`, timeoutMs);
    if (answer.status === 404) return { name, ok: true, exists: false };
    if (answer.status !== 200) return { name, ok: false, reason: `the engine answered ${answer.status} when sockgate looked it up` };
    const v = obj(answer.json);
    const options: Record<string, string> = {};
    for (const [k, val] of Object.entries(obj(v['Options']))) options[k] = str(val);
    return { name, ok: true, exists: true, driver: str(v['Driver']), options };
  } catch (err) {
    return { name, ok: false, reason: (err as Error).message };
  }
}

/** An image's labels and ONBUILD triggers, as the engine resolves the reference a container create names (inspect). */
export async function resolveImage(dispatcher: Dispatcher, reference: string, timeoutMs: number): Promise<ResolvedImage> {
  try {
    const answer = await getJson(dispatcher, `/images/${encodePathSegment(reference)}/json`, timeoutMs);
    if (answer.status === 404) return { ok: true, exists: false };
    if (answer.status !== 200) return { ok: false, reason: `the engine answered ${answer.status} when sockgate looked it up` };
    const config = obj(obj(answer.json)['Config']);
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj(config['Labels']))) labels[k] = str(v);
    return { ok: true, exists: true, labels, onBuild: list(config['OnBuild']).map(str) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
