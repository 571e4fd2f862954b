/* global URL, setTimeout */
// The RSS floor of sockgate's dependencies: a process that imports only the modules named (after
// two garbage collections). Plain JavaScript, so no loader adds to the figure:
//
//   for m in "" fastify undici pino yaml @fastify/reply-from micromatch ./dist/cli.js; do
//     node --expose-gc bench/module-rss.js $m; done
const modules = process.argv.slice(2);
for (const m of modules) await import(m.startsWith('./') ? new URL(`../${m.slice(2)}`, import.meta.url).href : m);
globalThis.gc?.();
globalThis.gc?.();
await new Promise((resolve) => setTimeout(resolve, 300));
const mu = process.memoryUsage();
const mb = (x) => (x / 1048576).toFixed(1);
console.log(`${modules.join(', ') || 'bare node'}: rss ${mb(mu.rss)} MB, heap ${mb(mu.heapUsed)} of ${mb(mu.heapTotal)} MB, external ${mb(mu.external)} MB`);
