/**
 * Bypass attempts that public Docker socket proxies have fallen to, by class. Each entry is the
 * raw bytes a client sends. The policy they run against allows only listing containers (and
 * ping, which every Docker client needs): none of these may reach any other engine endpoint.
 * Each class has its own file in test/regressions/ that runs its entries against the real
 * engine and checks what reached it (helpers/engine-log.ts) and its state; the core project runs
 * every entry against a recording fake daemon too (test/integration/regressions-fake-daemon.test.ts).
 */
import { rawExchange } from '../helpers/raw-http.js';

/** Every container a corpus entry tries to create is named with this prefix. */
export const MARK = 'sg-regress-';

export const ONLY_LIST_POLICY = `version: 1
name: only-list
rules:
  # Every Docker client pings first to negotiate the API version.
  - id: allow-ping
    effect: allow
    methods: [GET, HEAD]
    endpoints: [system.ping, system.pingHead]
  # The one real permission: list containers.
  - id: allow-list
    effect: allow
    methods: [GET]
    endpoints: [containers.list]
`;

/** A request of a payload that the policy allows, as it must reach the engine: exactly what sockgate checked. */
export interface ForwardedCall {
  readonly method: string;
  readonly uri: string;
  readonly body: string;
}

export interface Attempt {
  readonly name: string;
  readonly payload: string;
  /** the allowed requests the payload carries, in order, as they must reach the engine; absent: nothing of it may */
  readonly forwards?: readonly ForwardedCall[];
}

/** The only engine endpoints the only-list policy lets through. */
export function isAllowedCall(method: string, uri: string): boolean {
  const path = uri.split('?')[0]!.replace(/^\/v[0-9.]+(?=\/)/, '');
  return (method === 'GET' && path === '/containers/json') || ((method === 'GET' || method === 'HEAD') && path === '/_ping');
}

/**
 * Send one attempt's bytes to sockgate and collect its answer. A request sockgate forwarded passed
 * the recorder before any answer came back; a short pause after the exchange covers one still on
 * its way when the client gave up waiting.
 */
export async function sendAttempt(socketPath: string, payload: string): Promise<string> {
  const raw = await rawExchange(socketPath, payload, 3000, 400);
  await new Promise((r) => setTimeout(r, 50));
  return raw;
}

/** The allowed list request, as the smuggling entries that carry one must forward it. */
const LIST_CALL: ForwardedCall = { method: 'GET', uri: '/containers/json', body: '' };

let n = 0;
const uniq = (): string => `${MARK}${process.pid}-${++n}`;

const H = 'Host: docker\r\n';
const create = (target: string, extra = ''): string => {
  const body = '{"Image":"sockgate-test:busybox","Cmd":["true"]}';
  return `POST ${target} HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n${extra}Connection: close\r\n\r\n${body}`;
};
const get = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\n${H}${extra}Connection: close\r\n\r\n`;

export const CORPUS: Record<string, () => Attempt[]> = {
  'encoded-path': () => [
    { name: 'encoded letter in the path', payload: create(`/containers/%63reate?name=${uniq()}`) },
    { name: 'encoded letters everywhere', payload: create(`/v1.41/%63ontainers/cre%61te?name=${uniq()}`) },
    { name: 'encoded dot-dot', payload: create(`/containers/json/%2e%2e/create?name=${uniq()}`) },
    { name: 'upper-case encoded dot-dot', payload: create(`/containers/json/%2E%2E/create?name=${uniq()}`) },
    { name: 'encoded slash', payload: create(`/containers/json%2f..%2fcreate?name=${uniq()}`) },
    { name: 'encoded backslash', payload: create(`/containers/json%5c..%5ccreate?name=${uniq()}`) },
    { name: 'double-encoded dot-dot', payload: create(`/containers/json/%252e%252e/create?name=${uniq()}`) },
    { name: 'encoded NUL', payload: create(`/containers/create%00?name=${uniq()}`) },
    { name: 'encoded question mark', payload: create(`/containers/create%3Fname=${uniq()}`) },
    { name: 'overlong UTF-8 dot', payload: create(`/containers/json/%c0%ae%c0%ae/create?name=${uniq()}`) },
    { name: 'encoded version prefix', payload: create(`/%76%31%2e%34%31/containers/create?name=${uniq()}`) },
  ],
  'version-prefix': () => [
    { name: 'unversioned', payload: create(`/containers/create?name=${uniq()}`) },
    { name: 'current version', payload: create(`/v1.41/containers/create?name=${uniq()}`) },
    { name: 'oldest version', payload: create(`/v1.12/containers/create?name=${uniq()}`) },
    { name: 'major only', payload: create(`/v1/containers/create?name=${uniq()}`) },
    { name: 'three-part version', payload: create(`/v1.41.0/containers/create?name=${uniq()}`) },
    { name: 'doubled dot', payload: create(`/v1..41/containers/create?name=${uniq()}`) },
    { name: 'dot only', payload: create(`/v./containers/create?name=${uniq()}`) },
    { name: 'upper-case V', payload: create(`/V1.41/containers/create?name=${uniq()}`) },
    { name: 'two version prefixes', payload: create(`/v1.41/v1.41/containers/create?name=${uniq()}`) },
    { name: 'version after the path', payload: create(`/containers/v1.41/create?name=${uniq()}`) },
  ],
  'path-confusion': () => [
    { name: 'dot-dot from an allowed path', payload: create(`/containers/json/../create?name=${uniq()}`) },
    { name: 'dot segment', payload: create(`/containers/./create?name=${uniq()}`) },
    { name: 'allowed prefix with a suffix', payload: create(`/containers/jsonx?name=${uniq()}`) },
    { name: 'leading double slash', payload: create(`//containers/create?name=${uniq()}`) },
    { name: 'inner double slash', payload: create(`/containers//create?name=${uniq()}`) },
    { name: 'trailing slash', payload: create(`/containers/create/?name=${uniq()}`) },
    { name: 'path parameter', payload: create(`/containers/create;x=1?name=${uniq()}`) },
    { name: 'fragment', payload: create(`/containers/create#/containers/json`) },
    { name: 'absolute-form', payload: create(`http://docker/containers/create?name=${uniq()}`) },
    { name: 'absolute-form naming an allowed path', payload: create(`http://docker/containers/json/../create?name=${uniq()}`) },
    { name: 'allowed path in the query', payload: create(`/containers/create?name=${uniq()}&x=/containers/json`) },
    { name: 'allowed path in a header', payload: create(`/containers/create?name=${uniq()}`, 'X-Original-URL: /containers/json\r\nX-Rewrite-URL: /containers/json\r\n') },
    { name: 'backslash separators', payload: create(`/containers\\create?name=${uniq()}`) },
  ],
  'method-confusion': () => [
    { name: 'lower-case method', payload: create(`/containers/create?name=${uniq()}`).replace(/^POST/, 'post') },
    { name: 'GET with a method-override header', payload: get(`/containers/create?name=${uniq()}`, 'X-HTTP-Method-Override: POST\r\n') },
    { name: 'PUT on create', payload: create(`/containers/create?name=${uniq()}`).replace(/^POST/, 'PUT') },
    { name: 'HEAD on an archive', payload: `HEAD /containers/x/archive?path=/ HTTP/1.1\r\n${H}Connection: close\r\n\r\n` },
    { name: 'OPTIONS preflight', payload: `OPTIONS /containers/create HTTP/1.1\r\n${H}Connection: close\r\n\r\n` },
    { name: 'DELETE on a list path', payload: `DELETE /containers/json HTTP/1.1\r\n${H}Connection: close\r\n\r\n` },
  ],
  upgrade: () => [
    { name: 'Upgrade on create', payload: create(`/containers/create?name=${uniq()}`, 'Upgrade: tcp\r\n').replace('Connection: close', 'Connection: Upgrade') },
    { name: 'Upgrade on an allowed path', payload: `GET /containers/json HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n` },
    { name: 'Upgrade without Connection on create', payload: create(`/containers/create?name=${uniq()}`, 'Upgrade: tcp\r\n') },
    { name: 'h2c upgrade to grpc', payload: `POST /grpc HTTP/1.1\r\n${H}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nContent-Length: 0\r\n\r\n` },
    { name: 'exec start upgrade', payload: `POST /exec/x/start HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}` },
    { name: 'websocket attach', payload: `GET /containers/x/attach/ws?stream=1 HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n` },
  ],
  smuggling: () => {
    const inner = create(`/containers/create?name=${uniq()}`);
    return [
      { name: 'pipelined after an allowed request', payload: `GET /containers/json HTTP/1.1\r\n${H}\r\n${inner}`, forwards: [LIST_CALL] },
      { name: 'request inside a GET body', payload: `GET /containers/json HTTP/1.1\r\n${H}Content-Length: ${inner.length}\r\n\r\n${inner}` },
      { name: 'CL.TE', payload: `GET /containers/json HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${inner}` },
      { name: 'TE.CL', payload: `GET /containers/json HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n` },
      { name: 'duplicate Transfer-Encoding', payload: `GET /containers/json HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n${inner}` },
      {
        name: 'zero-length allowed request followed by a denied one',
        payload: `GET /containers/json HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n${inner}`,
        forwards: [LIST_CALL],
      },
      { name: 'Content-Length with a sign', payload: `GET /containers/json HTTP/1.1\r\n${H}Content-Length: +${inner.length}\r\n\r\n${inner}` },
      { name: 'bare LF', payload: inner.replace(/\r\n/g, '\n') },
      { name: 'obs-fold header', payload: `GET /containers/json HTTP/1.1\r\n${H}X-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${inner}` },
    ];
  },
};
