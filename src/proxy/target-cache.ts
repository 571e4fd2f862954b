/**
 * A short-lived cache of container lookups (the reference a client wrote → the container the
 * engine resolved it to), kept true by the engine's own event stream: any container event
 * (create, rename, destroy, …) empties it, and while the event stream is not connected the
 * cache is bypassed. Only lookups of path targets go through it: those requests are forwarded
 * by the container's full id, so even an entry made stale by a rename is never used to reach
 * a different container than the one checked (the engine answers 404 for a removed id).
 */

import type { Dispatcher } from 'undici';
import type { ResolvedTarget } from '../inspect/engine-answers.js';
import type { TargetRef } from '../request/targets.js';

/** How long an entry lives even without events (labels never change; names and existence do). */
export const TARGET_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 2_000;
const RECONNECT_MS = 1_000;

interface Entry {
  readonly at: number;
  readonly value: ResolvedTarget;
}

export interface TargetCache {
  /** the lookup, from the cache when it is live and fresh, else through `resolve` (and kept if it succeeded) */
  lookup(ref: TargetRef, resolve: () => Promise<ResolvedTarget>): Promise<ResolvedTarget>;
  /** whether the event stream is connected (the cache is used only then) */
  readonly live: boolean;
  close(): void;
}

export function createTargetCache(dispatcher: Dispatcher, onError: (err: Error) => void, now: () => number = Date.now): TargetCache {
  const entries = new Map<string, Entry>();
  let live = false;
  let closed = false;
  let started = false;
  /** bumped by every event: a lookup that overlapped one is not kept */
  let generation = 0;
  let current: { destroy(): void } | null = null;
  let timer: NodeJS.Timeout | null = null;

  const connect = (): void => {
    if (closed) return;
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'] }));
    dispatcher
      .request({ origin: 'http://localhost', path: `/events?filters=${filters}`, method: 'GET', headers: { host: 'docker' }, bodyTimeout: 0, headersTimeout: 10_000 })
      .then((res) => {
        if (res.statusCode !== 200) throw new Error(`the engine answered ${res.statusCode} to GET /events`);
        current = res.body;
        entries.clear();
        live = true;
        res.body.on('data', () => {
          generation++;
          entries.clear();
        });
        const down = (): void => {
          if (!live) return;
          live = false;
          generation++;
          entries.clear();
          current = null;
          if (!closed) timer = setTimeout(connect, RECONNECT_MS).unref();
        };
        res.body.once('end', down);
        res.body.once('error', down);
        res.body.once('close', down);
      })
      .catch((err: unknown) => {
        live = false;
        if (!closed) {
          onError(err as Error);
          timer = setTimeout(connect, RECONNECT_MS).unref();
        }
      });
  };
  return {
    get live() {
      return live;
    },
    async lookup(ref, resolve) {
      if (!started) {
        // The event stream is opened on first use: listeners without target rules never need it.
        started = true;
        connect();
      }
      const key = `${ref.via}\u0000${ref.ref}`;
      const hit = entries.get(key);
      if (live && hit !== undefined && now() - hit.at < TARGET_CACHE_TTL_MS) return hit.value;
      const before = generation;
      const startedLive = live;
      const value = await resolve();
      // Keep only answers obtained while the stream was connected and no event arrived.
      if (value.ok && startedLive && live && generation === before) {
        if (entries.size >= MAX_ENTRIES) entries.clear();
        entries.set(key, { at: now(), value });
      }
      return value;
    },
    close() {
      closed = true;
      live = false;
      entries.clear();
      if (timer !== null) clearTimeout(timer);
      current?.destroy();
    },
  };
}
