/**
 * Attribute the CPU a sockgate profile (`npm run bench -- --cpu-prof DIR`) spent to the layers of
 * the request path: each sample goes to the first frame, from the leaf up, that belongs to a
 * layer (a native write counts for whoever called it: node:net, streams and events are skipped
 * on the way up). Idle samples are left out; shares are of the busy time, and with
 * `--per-request N` (requests served during the profile) also in µs per request.
 *
 *   node --import tsx bench/layers.ts DIR/CPU.*.cpuprofile [--per-request N]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly Node[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const LAYERS: readonly [layer: string, test: RegExp][] = [
  ['audit records (pino)', /\/dist\/audit\/|node_modules\/(pino|sonic-boom|thread-stream|safe-stable-stringify|on-exit-leak-free)\//],
  ['gate (normalise, endpoint, evaluate, bodies)', /\/dist\/(gate|request\/|policy\/|inspect\/|json-view)/],
  ['short path (engine link, head reader)', /\/dist\/proxy\/(engine-link|response-head|chunked)/],
  ['relay and header hygiene', /\/dist\/proxy\/(relay|headers)/],
  ['reply-from', /node_modules\/@fastify\/reply-from\//],
  ['undici', /node_modules\/undici\//],
  ['fastify (routing, hooks, reply)', /node_modules\/(fastify|find-my-way|avvio|@fastify\/(?!reply-from))/],
  ['sockgate server glue', /\/dist\/(server|pipeline\/|views\/|observe|metrics\/|proxy\/)/],
  ['response write (node:http outgoing)', /^node:_http_outgoing$/],
  ['HTTP parse and dispatch (node:http server)', /^node:(_http_server|_http_common|_http_incoming)$/],
];
const PASS_THROUGH = /^(node:(net|events|stream|buffer|timers|fs|internal\/(?!modules|main).*)|)$/;

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'per-request': { type: 'string' } } });
const perRequest = values['per-request'] === undefined ? null : Number(values['per-request']);

for (const file of positionals) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const layerOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = layerOf.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id)!;
    const { functionName, url } = n.callFrame;
    let layer: string;
    if (functionName === '(garbage collector)') layer = 'garbage collector';
    else if (functionName === '(idle)') layer = 'idle';
    else if (functionName === '(program)' || functionName === '(root)') layer = 'runtime (program)';
    else {
      const hit = LAYERS.find(([, re]) => re.test(url));
      if (hit !== undefined) layer = hit[0];
      else if (PASS_THROUGH.test(url) && parent.has(id)) layer = classify(parent.get(id)!);
      else if (/node:internal\/modules|node:internal\/main|loader/.test(url)) layer = 'start-up (module loading)';
      else layer = 'other';
    }
    layerOf.set(id, layer);
    return layer;
  };
  const time = new Map<string, number>();
  let busy = 0;
  p.samples.forEach((id, i) => {
    const layer = classify(id);
    const dt = p.timeDeltas[i] ?? 0;
    if (layer === 'idle') return;
    busy += dt;
    time.set(layer, (time.get(layer) ?? 0) + dt);
  });
  console.log(`${file}: ${(busy / 1e6).toFixed(2)} s busy`);
  for (const [layer, t] of [...time].sort((a, b) => b[1] - a[1])) {
    const share = (100 * t) / busy;
    if (share < 0.1) continue;
    const us = perRequest === null ? '' : `  ${(t / perRequest).toFixed(1).padStart(7)} µs/request`;
    console.log(`${share.toFixed(1).padStart(5)}%${us}  ${layer}`);
  }
}
