/**
 * Summarise a V8 .cpuprofile (from `npm run bench -- --cpu-prof DIR`): the functions with the
 * most self time, and the files (packages) the time is spent in.
 *
 * Usage: node --import tsx bench/profile-top.ts FILE.cpuprofile [--top 30]
 * (For a flame graph, open the file in Chrome DevTools › Performance, or https://www.speedscope.app.)
 */

import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: profile-top.ts FILE.cpuprofile [--top N]');
const topIdx = process.argv.indexOf('--top');
const top = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 30;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  total += dt;
});

const short = (url: string): string =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/(dist|src)\//, 'sockgate/$1/');
const frameKey = (n: Node): string => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const pkg = (n: Node): string => {
  const u = short(n.callFrame.url);
  if (u === '') return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
  if (u.startsWith('node:')) return u.split('/')[0]!.replace(/^node:internal.*/, 'node:internal') === 'node:internal' ? 'node (internal)' : u;
  if (u.startsWith('sockgate/')) return u;
  return u.startsWith('@') ? u.split('/').slice(0, 2).join('/') : u.split('/')[0]!;
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const byPkg = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  self.set(frameKey(n), (self.get(frameKey(n)) ?? 0) + us);
  byPkg.set(pkg(n), (byPkg.get(pkg(n)) ?? 0) + us);
  // Inclusive time: count each distinct frame once per stack.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = frameKey(byId.get(cur)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
}

const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>, n: number): void => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(us)}  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
print('self time by function', self, top);
print('self time by file / package', byPkg, top);
print('inclusive time', inclusive, top);
