/**
 * The policy decision alone: admit() (and admitBody() for a container create) from src/gate.ts
 * on a compiled policy of N rules, timed in-process over a mix of requests. No engine needed.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { admit, admitBody } from '../src/gate.js';
import { compilePolicy, type CompiledPolicy } from '../src/policy/compile.js';
import { loadPolicyText } from '../src/policy/load.js';
import { REPO } from './lib.js';

const REQUESTS: readonly { method: string; target: string; headers?: Record<string, string> }[] = [
  { method: 'GET', target: '/_ping' },
  { method: 'HEAD', target: '/_ping' },
  { method: 'GET', target: '/v1.41/version' },
  { method: 'GET', target: '/v1.41/containers/json?all=1' },
  { method: 'GET', target: '/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22com.example.app%3Dweb%22%5D%7D' },
  { method: 'GET', target: '/v1.41/containers/3f2a9c1b7d4e/json' },
  { method: 'GET', target: '/v1.41/containers/web-1/logs?stdout=1&stderr=1&tail=100' },
  { method: 'POST', target: '/v1.41/containers/web-1/start' },
  { method: 'POST', target: '/v1.41/containers/web-1/stop?t=10' },
  { method: 'DELETE', target: '/v1.41/containers/web-1?force=1&v=1' },
  { method: 'GET', target: '/v1.41/images/json' },
  { method: 'GET', target: '/v1.41/images/registry.example.com/team/app:1.2.3/json' },
  { method: 'POST', target: '/v1.41/images/create?fromImage=busybox&tag=latest' },
  { method: 'POST', target: '/v1.41/build?t=app%3Adev&networkmode=default', headers: { 'content-type': 'application/x-tar', 'content-length': '1024' } },
  { method: 'GET', target: '/v1.41/events?since=1700000000&filters=%7B%22type%22%3A%5B%22container%22%5D%7D' },
  { method: 'POST', target: '/v1.41/containers/create?name=web-2', headers: { 'content-type': 'application/json', 'content-length': '600' } },
  { method: 'POST', target: '/v1.41/swarm/init' },
  { method: 'GET', target: '/v1.41/networks' },
];

/** A create body like docker run -d --name web -p 8080:80 -e A=1 -v data:/data --restart always nginx sends. */
const CREATE_BODY = Buffer.from(
  JSON.stringify({
    Hostname: '',
    Env: ['A=1', 'B=two'],
    Cmd: ['nginx', '-g', 'daemon off;'],
    Image: 'nginx:1.27',
    Labels: { 'com.example.app': 'web', 'com.example.team': 'blue' },
    ExposedPorts: { '80/tcp': {} },
    HostConfig: {
      Binds: ['data:/data'],
      PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
      RestartPolicy: { Name: 'always', MaximumRetryCount: 0 },
      NetworkMode: 'default',
      LogConfig: { Type: '', Config: {} },
    },
    NetworkingConfig: { EndpointsConfig: {} },
  }),
);

/** `count` rules that look like a big real policy: endpoint lists, path globs, query and body conditions. */
export function generatedPolicyYaml(count: number): string {
  const groups = ['containers', 'images', 'networks', 'volumes', 'exec', 'system'];
  const lines = ['version: 1', `name: generated-${count}`, 'default: deny', 'rules:'];
  for (let i = 0; i < count; i++) {
    const g = groups[i % groups.length]!;
    switch (i % 5) {
      case 0:
        lines.push(`  - id: allow-${g}-reads-${i}`, '    effect: allow', '    methods: [GET, HEAD]', `    endpoints: ["${g}.*"]`);
        break;
      case 1:
        lines.push(`  - id: deny-path-${i}`, '    effect: deny', `    paths: ["/containers/team${i}-*/**", "/images/private/team${i}/**"]`);
        break;
      case 2:
        lines.push(`  - id: deny-query-${i}`, '    effect: deny', '    endpoints: [containers.list, images.list]', '    query:', `      filters: { glob: "*team${i}*" }`);
        break;
      case 3:
        lines.push(
          `  - id: deny-create-label-${i}`,
          '    effect: deny',
          '    endpoints: [containers.create]',
          '    body:',
          `      - path: Labels.team${i}`,
          '        exists: true',
        );
        break;
      default:
        lines.push(`  - id: allow-lifecycle-${i}`, '    effect: allow', '    methods: [POST, DELETE]', '    endpoints: [containers.start, containers.stop, containers.delete, containers.create]');
    }
  }
  return lines.join('\n') + '\n';
}

export function compileYaml(text: string, source: string): CompiledPolicy {
  const r = loadPolicyText(text, source);
  if (!r.ok) throw new Error(`${source}: ${r.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('; ')}`);
  return compilePolicy(r.document, source, text);
}

export function benchPolicy(): CompiledPolicy {
  const file = join(REPO, 'bench/policy.yaml');
  return compileYaml(readFileSync(file, 'utf8'), file);
}

/** CPU ns per admit() over the request mix, and per admitBody() of a create body; median of `rounds`. */
export function timeDecisions(policy: CompiledPolicy, rounds = 7, iterations = 20_000): { admitNs: number; bodyNs: number } {
  const inputs = REQUESTS.map((r) => ({ method: r.method, target: r.target, headers: r.headers ?? {}, upgrade: false }));
  const create = admit(policy, inputs.find((i) => i.target.includes('/containers/create'))!);
  if (!create.needsBody) throw new Error(`${policy.source}: containers.create does not need its body`);
  // CPU time of this process, not wall time: on a shared machine, time spent descheduled is not
  // the decision's.
  const timeOne = (fn: () => unknown, n: number): number => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const t = process.cpuUsage(t0);
    return ((t.user + t.system) * 1e3) / n;
  };
  let k = 0;
  const oneAdmit = (): unknown => admit(policy, inputs[k++ % inputs.length]!);
  const oneBody = (): unknown => admitBody(policy, create, CREATE_BODY, '1.41');
  timeOne(oneAdmit, iterations); // warm up
  timeOne(oneBody, iterations / 10);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(timeOne(oneAdmit, iterations));
    b.push(timeOne(oneBody, iterations / 10));
  }
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  return { admitNs: a[Math.floor(rounds / 2)]!, bodyNs: b[Math.floor(rounds / 2)]! };
}
