/**
 * Event latency: one /events stream open directly on the engine and one through sockgate, at
 * the same time. Each action (tagging an image, sent directly to the engine; the tag is removed
 * after each sample) produces one event on both streams; the latency of a stream is the time from sending the
 * action to that stream delivering the event, so each action gives one paired sample and the
 * difference sockgate − direct is what sockgate adds.
 */

import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import { BASE_IMAGE, percentile, sleep } from './lib.js';

export interface EventsResult {
  readonly directP50Ms: number;
  readonly directP99Ms: number;
  readonly sockgateP50Ms: number;
  readonly sockgateP99Ms: number;
  /** median and p99 of the per-event difference sockgate − direct */
  readonly addedP50Ms: number;
  readonly addedP99Ms: number;
  readonly samples: number;
}

const REPO_NAME = 'sockgate-bench-ev';

/** An open event stream: resolves `waitFor(name, action)` when an event naming `name` and `action` arrives. */
async function openStream(socket: string): Promise<{ arrivals: Map<string, number>; close: () => Promise<void> }> {
  const client = new Client('http://localhost', { socketPath: socket, bodyTimeout: 0 });
  const filters = encodeURIComponent(JSON.stringify({ type: ['image'] }));
  const res = await client.request({ method: 'GET', path: `/events?filters=${filters}` });
  if (res.statusCode !== 200) throw new Error(`GET /events answered ${res.statusCode}: ${await res.body.text()}`);
  const arrivals = new Map<string, number>();
  let pending = '';
  res.body.setEncoding('utf8');
  res.body.on('data', (chunk: string) => {
    const now = performance.now();
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        const e = JSON.parse(line) as { Action?: string; Actor?: { Attributes?: { name?: string } } };
        const name = e.Actor?.Attributes?.name ?? '';
        if (name.startsWith(REPO_NAME)) arrivals.set(`${e.Action}:${name}`, now);
      } catch {
        /* not an event line */
      }
    }
  });
  res.body.on('error', () => undefined);
  return {
    arrivals,
    close: async () => {
      res.body.destroy();
      await client.destroy();
    },
  };
}

export async function eventLatency(engine: string, sockgate: string, samples: number): Promise<EventsResult> {
  const direct = await openStream(engine);
  const through = await openStream(sockgate);
  const action = new Client('http://localhost', { socketPath: engine });
  const d: number[] = [];
  const s: number[] = [];
  const added: number[] = [];
  try {
    await sleep(200);
    for (let i = 0; i < samples; i++) {
      const tag = `run${process.pid}-${i}`;
      const name = `${REPO_NAME}:${tag}`;
      const key = `tag:${name}`;
      const t0 = performance.now();
      const res = await action.request({ method: 'POST', path: `/images/${BASE_IMAGE}/tag?repo=${REPO_NAME}&tag=${tag}` });
      await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${key} answered ${res.statusCode}`);
      for (let w = 0; w < 400 && !(direct.arrivals.has(key) && through.arrivals.has(key)); w++) await sleep(5);
      const a = direct.arrivals.get(key);
      const b = through.arrivals.get(key);
      if (a === undefined || b === undefined) throw new Error(`event ${key} did not arrive on both streams`);
      d.push(a - t0);
      s.push(b - t0);
      added.push(b - a);
      // Remove the tag again (its "untag" event names the image id, not the tag: not measured).
      await (await action.request({ method: 'DELETE', path: `/images/${encodeURIComponent(name)}?noprune=1` })).body.text();
    }
  } finally {
    await action.close();
    await direct.close();
    await through.close();
  }
  return {
    directP50Ms: percentile(d, 50),
    directP99Ms: percentile(d, 99),
    sockgateP50Ms: percentile(s, 50),
    sockgateP99Ms: percentile(s, 99),
    addedP50Ms: percentile(added, 50),
    addedP99Ms: percentile(added, 99),
    samples: added.length,
  };
}
