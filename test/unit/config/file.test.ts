import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/file.js';

const VALID = `version: 1
upstream: /var/run/docker.sock
listeners:
  - socket: /run/sockgate/traefik.sock
    mode: "0660"
    owner: 1000
    group: docker
    profile:
      name: traefik
      policy: policies/traefik.yaml
  - socket: /run/sockgate/ci.sock
    profile:
      name: ci
      default: deny
      rules:
        - id: allow-ping
          effect: allow
          endpoints: [system.ping]
`;

const problemsOf = (text: string): string[] => {
  const r = loadConfigText(text, 'c.yaml');
  return r.ok ? [] : r.problems.map((p) => `${p.line}:${p.col} ${p.message}`);
};

describe('loadConfigText', () => {
  it('reads listeners with a policy file or inline rules, permissions and the upstream', () => {
    const r = loadConfigText(VALID, 'c.yaml');
    expect(r.ok ? null : r.problems).toBeNull();
    if (!r.ok) return;
    expect(r.config.upstream).toBe('/var/run/docker.sock');
    expect(r.config.listeners[0]).toEqual({
      socket: '/run/sockgate/traefik.sock',
      mode: 0o660,
      owner: '1000',
      group: 'docker',
      profile: { name: 'traefik', policyFile: 'policies/traefik.yaml', inline: null },
    });
    const ci = r.config.listeners[1]!;
    expect(ci.mode).toBeNull();
    expect(ci.profile.policyFile).toBeNull();
    expect(ci.profile.inline?.rules.map((rule) => rule.id)).toEqual(['allow-ping']);
    expect(ci.profile.inline?.name).toBe('ci');
  });

  it('reports every problem with its line and column, inline rules included', () => {
    const problems = problemsOf(`version: 1
listeners:
  - socket: relative.sock
    mode: "0777"
    profile:
      name: a
      policy: a.yaml
      rules: []
  - socket: /run/a.sock
    profile:
      name: b
      rules:
        - { id: r, effect: maybe, endpoints: [system.ping] }
  - socket: /run/a.sock
    profile:
      polcy: x.yaml
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^3:13 "relative.sock" must be an absolute path/),
        expect.stringMatching(/^4:11 "0777" sets execute bits/),
        expect.stringMatching(/^6:7 a profile takes either "policy" \(a file\) or inline rules, not both/),
        expect.stringMatching(/^13:28 effect must be "allow" or "deny", not "maybe"/),
        expect.stringMatching(/^16:7 unknown key "polcy"/),
      ]),
    );
  });

  it('refuses two listeners on one socket, and two profiles with one name', () => {
    const twice = (a: string, b: string): string => `version: 1
listeners:
  - socket: ${a}
    profile: { name: one, rules: [] }
  - socket: ${b}
    profile: { name: one, rules: [] }
`;
    expect(problemsOf(twice('/run/a.sock', '/run/a.sock')).join('\n')).toContain('socket /run/a.sock is already used by /listeners/0');
    expect(problemsOf(twice('/run/a.sock', '/run/b.sock')).join('\n')).toContain('profile name "one" is already used by /listeners/0');
  });

  it('needs a version, at least one listener, and a profile for each', () => {
    expect(problemsOf('listeners: []\n').join('\n')).toMatch(/missing "version: 1"[\s\S]*non-empty list of listeners/);
    expect(problemsOf('version: 1\nlisteners:\n  - socket: /run/a.sock\n').join('\n')).toContain('a listener needs a "profile"');
  });

  it('reads an optional metrics listen address, loopback or a socket of its own', () => {
    const r = loadConfigText(`${VALID}metrics:\n  listen: "[::1]:9323"\n`, 'c.yaml');
    expect(r.ok ? r.config.metrics : r.problems).toEqual({ listen: { kind: 'tcp', host: '::1', port: 9323 } });
    const none = loadConfigText(VALID, 'c.yaml');
    expect(none.ok ? none.config.metrics : none.problems).toBeNull();
    expect(problemsOf(`${VALID}metrics:\n  listen: 0.0.0.0:9323\n`)).toEqual(['20:11 "0.0.0.0:9323": host 0.0.0.0 is not loopback; metrics and health are served only on 127.0.0.1:PORT, [::1]:PORT, localhost:PORT or an absolute Unix socket path']);
    expect(problemsOf(`${VALID}metrics:\n  listen: /run/sockgate/ci.sock\n`).join('\n')).toContain("/run/sockgate/ci.sock is a listener's socket");
    expect(problemsOf(`${VALID}metrics:\n  port: 9323\n`).join('\n')).toMatch(/unknown key "port"[\s\S]*metrics needs "listen"/);
  });
});
