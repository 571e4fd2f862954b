import { describe, expect, it } from 'vitest';
import { defaultUpstream, parseCommand } from '../../../src/config/options.js';
import { SockgateError } from '../../../src/errors.js';

const root = { uid: 0, tmpdir: '/tmp' };
const user = { uid: 1000, tmpdir: '/tmp' };

function run(argv: string[], env: Record<string, string> = {}, platform = root) {
  const c = parseCommand(argv, env, platform);
  if (c.kind !== 'run') throw new Error(`expected run, got ${c.kind}`);
  return c;
}

describe('parseCommand', () => {
  it('starts with sensible defaults and no arguments at all', () => {
    const c = run([]);
    expect(c.listenFromDefault).toBe(true);
    expect(c.options).toMatchObject({ listen: '/run/sockgate/docker.sock', listenMode: 0o660, listenGroup: null, upstream: '/var/run/docker.sock', policyFile: null, logLevel: 'info' });
  });

  it('picks a per-user default socket when not root', () => {
    expect(run([], { XDG_RUNTIME_DIR: '/run/user/1000' }, user).options.listen).toBe('/run/user/1000/sockgate.sock');
    expect(run([], {}, user).options.listen).toBe('/tmp/sockgate-1000/docker.sock');
  });

  it('takes the upstream from DOCKER_HOST only when it is a unix:// URL', () => {
    expect(defaultUpstream({ DOCKER_HOST: 'unix:///tmp/e2e/docker.sock' })).toBe('/tmp/e2e/docker.sock');
    expect(defaultUpstream({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toBe('/var/run/docker.sock');
    expect(defaultUpstream({})).toBe('/var/run/docker.sock');
  });

  it('reads every flag from its environment variable, and lets a flag win', () => {
    const env = { SOCKGATE_LISTEN: '/tmp/a.sock', SOCKGATE_LISTEN_MODE: '0600', SOCKGATE_LISTEN_GROUP: 'docker', SOCKGATE_UPSTREAM: '/tmp/up.sock', SOCKGATE_POLICY: 'p.yaml', SOCKGATE_LOG_LEVEL: 'debug', SOCKGATE_UPSTREAM_HEADERS_TIMEOUT: '0', SOCKGATE_UPSTREAM_CONNECT_TIMEOUT: '100', SOCKGATE_CLIENT_HEADERS_TIMEOUT: '500', SOCKGATE_CLIENT_BODY_TIMEOUT: '0', SOCKGATE_MAX_BODY_BYTES: '2048', SOCKGATE_METRICS_LISTEN: '127.0.0.1:9323', SOCKGATE_LOG_FORMAT: 'pretty', SOCKGATE_AUDIT_FILE: '/var/log/a.log', SOCKGATE_AUDIT_MAX_BYTES: '4096', SOCKGATE_AUDIT_KEEP: '3' };
    expect(run([], env).options).toEqual({ listen: '/tmp/a.sock', listenMode: 0o600, listenGroup: 'docker', upstream: '/tmp/up.sock', policyFile: 'p.yaml', configFile: null, logLevel: 'debug', upstreamHeadersTimeoutMs: 0, upstreamConnectTimeoutMs: 100, clientHeadersTimeoutMs: 500, clientBodyIdleTimeoutMs: 0, clientIdleTimeoutMs: 0, maxBodyBytes: 2048, metricsListen: { kind: 'tcp', host: '127.0.0.1', port: 9323 }, logFormat: 'pretty', auditFile: '/var/log/a.log', auditMaxBytes: 4096, auditKeep: 3 });
    expect(run(['--listen', '/tmp/b.sock'], env).options.listen).toBe('/tmp/b.sock');
  });

  it('collects every invalid option into one error', () => {
    try {
      run(['--listen-mode', '999', '--log-level', 'loud', '--listen', 'rel.sock', '--upstream-headers-timeout=-1']);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SockgateError);
      const e = err as SockgateError;
      expect(e.code).toBe('SOCKGATE_ERR_CONFIG_INVALID');
      expect(e.details).toHaveLength(4);
    }
  });

  it('refuses unknown flags', () => {
    expect(() => run(['--polcy', 'x'])).toThrow(/Unknown option '--polcy'/);
  });

  it('parses check and explain', () => {
    expect(parseCommand(['check', 'a.yaml', 'b.yaml'], {}, root)).toEqual({ kind: 'check', files: ['a.yaml', 'b.yaml'] });
    expect(parseCommand(['explain', '--policy', 'p.yaml', 'GET', '/info'], {}, root)).toEqual({ kind: 'explain', policyFile: 'p.yaml', configFile: null, listener: null, bodyFile: null, method: 'GET', target: '/info' });
    expect(parseCommand(['explain', '--config', 'c.yaml', '--listener', 'ci', 'GET', '/info'], {}, root)).toMatchObject({ policyFile: null, configFile: 'c.yaml', listener: 'ci' });
    expect(() => parseCommand(['explain', '--config', 'c.yaml', 'GET', '/info'], {}, root)).toThrow(/--config needs --listener/);
    expect(() => parseCommand(['explain', '--config', 'c.yaml', '--policy', 'p.yaml', '--listener', 'x', 'GET', '/info'], {}, root)).toThrow(/exclude each other/);
    expect(() => parseCommand(['check'], {}, root)).toThrow(/usage/);
  });

  it('serves metrics only where --metrics-listen says, and refuses a non-loopback address', () => {
    expect(run([]).options.metricsListen).toBeNull();
    expect(run(['--metrics-listen', '/run/sockgate/admin.sock']).options.metricsListen).toEqual({ kind: 'unix', path: '/run/sockgate/admin.sock' });
    try {
      run(['--metrics-listen', '0.0.0.0:9323']);
      expect.unreachable();
    } catch (err) {
      expect((err as SockgateError).code).toBe('SOCKGATE_ERR_CONFIG_INVALID');
      expect((err as SockgateError).details.join('\n')).toMatch(/--metrics-listen: "0.0.0.0:9323": host 0.0.0.0 is not loopback/);
    }
  });

  it('parses health with the address from --metrics-listen or SOCKGATE_METRICS_LISTEN, and needs one', () => {
    expect(parseCommand(['health', '--metrics-listen', '[::1]:9323'], {}, root)).toEqual({ kind: 'health', address: { kind: 'tcp', host: '::1', port: 9323 } });
    expect(parseCommand(['health'], { SOCKGATE_METRICS_LISTEN: '/run/a.sock' }, root)).toEqual({ kind: 'health', address: { kind: 'unix', path: '/run/a.sock' } });
    expect(() => parseCommand(['health'], {}, root)).toThrow(/pass --metrics-listen ADDR or set SOCKGATE_METRICS_LISTEN/);
    expect(() => parseCommand(['health', '--metrics-listen', '10.0.0.1:80'], {}, root)).toThrow(SockgateError);
  });
});
