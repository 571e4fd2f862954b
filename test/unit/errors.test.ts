import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientMessage, ERRORS, errorMessage, SockgateError, sockgateError, upstreamFailure, type ErrorCode, type ErrorData, type TemplatedCode } from '../../src/errors.js';

const README = readFileSync(join(import.meta.dirname, '../..', 'README.md'), 'utf8');

/**
 * Every code, written out with its status and whether the registry words its messages (codes
 * thrown as SockgateError, and the upstream faults). Adding, removing or renumbering a code
 * means changing this list, on purpose.
 */
const CODES: readonly (readonly [ErrorCode, number, boolean])[] = [
  ['SOCKGATE_DENY_POLICY', 403, false],
  ['SOCKGATE_DENY_REQUEST_TARGET', 400, false],
  ['SOCKGATE_DENY_API_VERSION', 400, false],
  ['SOCKGATE_DENY_QUERY', 400, false],
  ['SOCKGATE_DENY_HEADERS', 400, false],
  ['SOCKGATE_DENY_BODY', 400, false],
  ['SOCKGATE_DENY_BODY_TOO_LARGE', 413, false],
  ['SOCKGATE_DENY_TARGET', 403, false],
  ['SOCKGATE_DENY_OUT_OF_SCOPE', 404, false],
  ['SOCKGATE_DENY_NOT_OWNED', 403, false],
  ['SOCKGATE_DENY_RESERVED_LABEL', 403, false],
  ['SOCKGATE_DENY_REQUEST_MALFORMED', 400, false],
  ['SOCKGATE_ERR_UPSTREAM_UNAVAILABLE', 502, true],
  ['SOCKGATE_ERR_UPSTREAM_TIMEOUT', 504, true],
  ['SOCKGATE_ERR_INTERNAL', 500, false],
  ['SOCKGATE_ERR_POLICY_INVALID', 0, true],
  ['SOCKGATE_ERR_POLICY_READ', 0, true],
  ['SOCKGATE_ERR_CONFIG_INVALID', 0, true],
  ['SOCKGATE_ERR_LISTEN_IN_USE', 0, true],
  ['SOCKGATE_ERR_LISTEN_NOT_SOCKET', 0, true],
  ['SOCKGATE_ERR_LISTEN_FAILED', 0, true],
  ['SOCKGATE_ERR_AUDIT_WRITE', 0, true],
];

const cause = new Error('EACCES: permission denied');
const usage = 'usage: sockgate suggest [--profile NAME] AUDIT_LOG... ("-" reads standard input)';

/** Each template's every form, with the exact text its call sites have always produced. */
const SAMPLES: { readonly [C in TemplatedCode]: readonly (readonly [ErrorData<C>, string])[] } = {
  SOCKGATE_ERR_UPSTREAM_UNAVAILABLE: [
    [{ kind: 'unreachable', socketPath: '/var/run/docker.sock', cause: new Error('connect ENOENT /var/run/docker.sock') }, 'cannot reach the Docker engine at /var/run/docker.sock: connect ENOENT /var/run/docker.sock'],
    [{ kind: 'answer-unreadable', maxBytes: 1024 }, "cannot read the engine's answer (cut off, or larger than 1024 bytes)"],
    [{ kind: 'answer-not-json' }, "the engine's answer is not JSON"],
    [{ kind: 'answer-unchecked', cause: new Error('boom') }, "cannot check the engine's answer: boom"],
  ],
  SOCKGATE_ERR_UPSTREAM_TIMEOUT: [
    [{ waitingFor: 'headers', timeoutMs: 300 }, 'the engine did not send response headers within 300 ms'],
    [{ waitingFor: 'upgrade', timeoutMs: 300 }, 'the engine did not answer within 300 ms'],
  ],
  SOCKGATE_ERR_POLICY_INVALID: [
    [{ path: 'p.yaml', problems: 1 }, 'policy p.yaml is invalid (1 problem)'],
    [{ path: 'p.yaml', problems: 3 }, 'policy p.yaml is invalid (3 problems)'],
  ],
  SOCKGATE_ERR_POLICY_READ: [[{ path: 'p.yaml', cause }, 'cannot read policy p.yaml: EACCES: permission denied']],
  SOCKGATE_ERR_CONFIG_INVALID: [
    [{ kind: 'usage', usage: 'usage: sockgate check POLICY_FILE...' }, 'usage: sockgate check POLICY_FILE...'],
    [{ kind: 'usage', usage, problem: '--listener needs --config' }, `--listener needs --config; ${usage}`],
    [{ kind: 'usage', usage: 'see sockgate --help', cause: new Error("Unknown option '--nope'") }, "Unknown option '--nope'; see sockgate --help"],
    [{ kind: 'invalid-options' }, 'invalid options'],
    [{ kind: 'unreadable', what: '--body', path: 'b.json', cause }, 'cannot read --body b.json: EACCES: permission denied'],
    [{ kind: 'unreadable', what: 'audit log', path: 'a.log', cause }, 'cannot read audit log a.log: EACCES: permission denied'],
    [{ kind: 'unreadable', what: 'config', path: 'c.yaml', cause }, 'cannot read config c.yaml: EACCES: permission denied'],
    [{ kind: 'invalid-config', path: 'c.yaml', problems: 2 }, 'config c.yaml is invalid (2 problems)'],
    [{ kind: 'no-listener', config: 'c.yaml', listener: 'web' }, 'config c.yaml has no listener "web"'],
    [{ kind: 'reload-refused', config: 'c.yaml' }, 'config c.yaml cannot be applied by a reload'],
    [{ kind: 'upstream-missing', path: '/run/docker.sock' }, 'upstream /run/docker.sock does not exist'],
    [{ kind: 'upstream-not-socket', path: '/run/docker.sock' }, 'upstream /run/docker.sock is not a socket'],
    [{ kind: 'metrics-not-loopback', address: 'localhost:9100', bound: '10.0.0.1' }, '--metrics-listen localhost:9100 bound 10.0.0.1, which is not a loopback address'],
    [{ kind: 'metrics-proxied', path: '/run/s.sock' }, '--metrics-listen /run/s.sock is also a proxied socket'],
    [{ kind: 'problem', problem: 'no decision records' }, 'no decision records'],
  ],
  SOCKGATE_ERR_LISTEN_IN_USE: [[{ path: '/run/s.sock' }, '/run/s.sock is served by another live process']],
  SOCKGATE_ERR_LISTEN_NOT_SOCKET: [[{ path: '/run/s.sock' }, '/run/s.sock exists and is not a socket; refusing to replace it']],
  SOCKGATE_ERR_LISTEN_FAILED: [
    [{ step: 'inspect', path: '/run/s.sock', cause }, 'cannot inspect /run/s.sock: EACCES: permission denied'],
    [{ step: 'probe', path: '/run/s.sock', cause }, 'cannot probe existing socket /run/s.sock: EACCES: permission denied'],
    [{ step: 'mkdir', path: '/run', cause }, 'cannot create directory /run: EACCES: permission denied'],
    [{ step: 'tempdir', path: '/run', cause }, 'cannot create a temporary directory in /run: EACCES: permission denied'],
    [{ step: 'publish', path: '/run/s.sock', cause }, 'cannot publish socket at /run/s.sock: EACCES: permission denied'],
    [{ step: 'serve-metrics', path: '127.0.0.1:9100', cause }, 'cannot serve metrics on 127.0.0.1:9100: EACCES: permission denied'],
    [{ step: 'lookup-id', what: 'group', value: 'docker', file: '/etc/group' }, 'group "docker" not found in /etc/group'],
    [{ step: 'bind', cause }, 'EACCES: permission denied'],
  ],
  SOCKGATE_ERR_AUDIT_WRITE: [[{ path: '/var/log/a.log', cause }, 'cannot open audit file /var/log/a.log: EACCES: permission denied']],
};

describe('error registry', () => {
  it('has exactly the 22 codes listed here, in the order of the README table', () => {
    expect(CODES).toHaveLength(22);
    expect(Object.keys(ERRORS)).toHaveLength(CODES.length);
    expect(Object.keys(ERRORS)).toEqual(CODES.map(([code]) => code));
  });

  it.each(CODES)('%s has status %i, a README row, and a message template when it is worded by the registry (%s)', (code, status, templated) => {
    expect(ERRORS[code].status).toBe(status);
    expect(README).toContain(`| \`${code}\` | ${status === 0 ? '-' : status} | `);
    expect('message' in ERRORS[code]).toBe(templated);
    if (!templated) return;
    const samples = SAMPLES[code as TemplatedCode] as readonly (readonly [never, string])[];
    expect(samples.length).toBeGreaterThan(0);
    for (const [data, text] of samples) expect(errorMessage(code as TemplatedCode, data)).toBe(text);
  });
});

describe('sockgateError', () => {
  it('words the message by its template and keeps the wrapped error as its cause', () => {
    const err = sockgateError('SOCKGATE_ERR_POLICY_READ', { path: 'p.yaml', cause });
    expect(err).toBeInstanceOf(SockgateError);
    expect(err).toMatchObject({ code: 'SOCKGATE_ERR_POLICY_READ', message: 'cannot read policy p.yaml: EACCES: permission denied', details: [] });
    expect(err.cause).toBe(cause);
  });

  it('has no cause when it wraps nothing, and carries the details', () => {
    const err = sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'invalid-options' }, ['--listen-mode: not octal']);
    expect('cause' in err).toBe(false);
    expect(err.details).toEqual(['--listen-mode: not octal']);
  });

  it('prints for a terminal exactly as before: the cause is not part of format()', () => {
    const err = sockgateError('SOCKGATE_ERR_POLICY_INVALID', { path: 'p.yaml', problems: 1 }, ['p.yaml:3:5 /rules/0: unknown key "x"']);
    expect(err.format()).toBe(
      ['SOCKGATE_ERR_POLICY_INVALID: policy p.yaml is invalid (1 problem)', '  p.yaml:3:5 /rules/0: unknown key "x"', `  fix: ${ERRORS.SOCKGATE_ERR_POLICY_INVALID.fix}`].join('\n'),
    );
    expect(sockgateError('SOCKGATE_ERR_AUDIT_WRITE', { path: 'a.log', cause }).format()).toBe(
      `SOCKGATE_ERR_AUDIT_WRITE: cannot open audit file a.log: EACCES: permission denied\n  fix: ${ERRORS.SOCKGATE_ERR_AUDIT_WRITE.fix}`,
    );
  });
});

describe('client messages', () => {
  it('prefix the message with "sockgate:" and end with the code', () => {
    expect(clientMessage('SOCKGATE_DENY_POLICY', 'no rule allows GET /info')).toBe('sockgate: no rule allows GET /info [SOCKGATE_DENY_POLICY]');
  });

  const engine = { socketPath: '/var/run/docker.sock', headersTimeoutMs: 250 };

  it('map an engine that sent no head in time to a 504 naming the timeout, on either path', () => {
    expect(upstreamFailure(new Error('Headers Timeout Error'), true, engine)).toEqual({
      code: 'SOCKGATE_ERR_UPSTREAM_TIMEOUT',
      status: 504,
      message: 'the engine did not send response headers within 250 ms',
    });
    expect(upstreamFailure(new Error('upstream headers timeout'), true, engine, 'upgrade').message).toBe('the engine did not answer within 250 ms');
  });

  it('map any other engine failure to a 502 naming the socket and the error', () => {
    const failure = upstreamFailure(new Error('connect ECONNREFUSED /var/run/docker.sock'), false, engine, 'upgrade');
    expect(failure).toEqual({
      code: 'SOCKGATE_ERR_UPSTREAM_UNAVAILABLE',
      status: 502,
      message: 'cannot reach the Docker engine at /var/run/docker.sock: connect ECONNREFUSED /var/run/docker.sock',
    });
    expect(clientMessage(failure.code, failure.message)).toBe(
      'sockgate: cannot reach the Docker engine at /var/run/docker.sock: connect ECONNREFUSED /var/run/docker.sock [SOCKGATE_ERR_UPSTREAM_UNAVAILABLE]',
    );
  });
});
