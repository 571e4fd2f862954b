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
    const env = { SOCKGATE_LISTEN: '/tmp/a.sock', SOCKGATE_LISTEN_MODE: '0600', SOCKGATE_LISTEN_GROUP: 'docker', SOCKGATE_UPSTREAM: '/tmp/up.sock', SOCKGATE_POLICY: 'p.yaml', SOCKGATE_LOG_LEVEL: 'debug', SOCKGATE_UPSTREAM_HEADERS_TIMEOUT: '0', SOCKGATE_UPSTREAM_CONNECT_TIMEOUT: '100', SOCKGATE_CLIENT_HEADERS_TIMEOUT: '500', SOCKGATE_CLIENT_BODY_TIMEOUT: '0', SOCKGATE_MAX_BODY_BYTES: '2048' };
    expect(run([], env).options).toEqual({ listen: '/tmp/a.sock', listenMode: 0o600, listenGroup: 'docker', upstream: '/tmp/up.sock', policyFile: 'p.yaml', configFile: null, logLevel: 'debug', upstreamHeadersTimeoutMs: 0, upstreamConnectTimeoutMs: 100, clientHeadersTimeoutMs: 500, clientBodyIdleTimeoutMs: 0, clientIdleTimeoutMs: 0, maxBodyBytes: 2048 });
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
    expect(parseCommand(['explain', '--policy', 'p.yaml', 'GET', '/info'], {}, root)).toEqual({ kind: 'explain', policyFile: 'p.yaml', bodyFile: null, method: 'GET', target: '/info' });
    expect(() => parseCommand(['check'], {}, root)).toThrow(/usage/);
  });
});
