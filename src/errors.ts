/**
 * The one registry of sockgate's error codes.
 *
 * Every error a user can meet has a stable code, an HTTP status (for errors answered to a client),
 * a meaning and a fix. The README's error table is checked against this list by
 * test/unit/docs-sync.test.ts, so the two cannot drift apart; test/unit/errors.test.ts pins every
 * code, its status and the text of its messages.
 *
 * Codes: SOCKGATE_ERR_<AREA>_<WHAT> for faults (start-up, upstream, internal) and
 * SOCKGATE_DENY_<WHAT> for requests sockgate refuses to forward.
 *
 * The registry owns the wording too: a code thrown as a SockgateError, and each upstream fault,
 * has a message template, and call sites pass only the data it names (`sockgateError(code,
 * data)`), so one code's messages read alike wherever it is raised.
 */

export interface ErrorSpec {
  /** HTTP status answered to the client; 0 for start-up errors that never reach a client. */
  readonly status: number;
  readonly meaning: string;
  readonly fix: string;
  /** The message of an error with this code, from the data its call sites pass. */
  readonly message?: (data: never) => string;
}

/** The text of an underlying error, as the messages have always quoted it. */
function reasonOf(cause: unknown): string {
  return (cause as Error).message;
}

/** "policy FILE is invalid (N problems)": a file that was read but does not validate. */
function invalidFile(what: string, path: string, problems: number): string {
  return `${what} ${path} is invalid (${problems} problem${problems === 1 ? '' : 's'})`;
}

/** A bad command line, config file or related input (SOCKGATE_ERR_CONFIG_INVALID). */
export type ConfigInvalidData =
  /** a command line that does not parse: the problem (or the parser's error), then the usage */
  | { readonly kind: 'usage'; readonly usage: string; readonly problem?: string; readonly cause?: unknown }
  /** flag values that do not validate; the problems go in the details */
  | { readonly kind: 'invalid-options' }
  | { readonly kind: 'unreadable'; readonly what: '--body' | 'audit log' | 'config'; readonly path: string; readonly cause: unknown }
  | { readonly kind: 'invalid-config'; readonly path: string; readonly problems: number }
  | { readonly kind: 'no-listener'; readonly config: string; readonly listener: string }
  | { readonly kind: 'reload-refused'; readonly config: string }
  | { readonly kind: 'upstream-missing'; readonly path: string }
  | { readonly kind: 'upstream-not-socket'; readonly path: string }
  | { readonly kind: 'metrics-not-loopback'; readonly address: string; readonly bound: string }
  | { readonly kind: 'metrics-proxied'; readonly path: string }
  /** a problem another module already put in words (sockgate suggest's) */
  | { readonly kind: 'problem'; readonly problem: string };

function configInvalidMessage(d: ConfigInvalidData): string {
  switch (d.kind) {
    case 'usage': {
      const problem = d.problem ?? (d.cause !== undefined ? reasonOf(d.cause) : undefined);
      return problem === undefined ? d.usage : `${problem}; ${d.usage}`;
    }
    case 'invalid-options':
      return 'invalid options';
    case 'unreadable':
      return `cannot read ${d.what} ${d.path}: ${reasonOf(d.cause)}`;
    case 'invalid-config':
      return invalidFile('config', d.path, d.problems);
    case 'no-listener':
      return `config ${d.config} has no listener "${d.listener}"`;
    case 'reload-refused':
      return `config ${d.config} cannot be applied by a reload`;
    case 'upstream-missing':
      return `upstream ${d.path} does not exist`;
    case 'upstream-not-socket':
      return `upstream ${d.path} is not a socket`;
    case 'metrics-not-loopback':
      return `--metrics-listen ${d.address} bound ${d.bound}, which is not a loopback address`;
    case 'metrics-proxied':
      return `--metrics-listen ${d.path} is also a proxied socket`;
    case 'problem':
      return d.problem;
  }
}

/** What a socket-level step failed to do, before its path in the message. */
const LISTEN_STEPS = {
  inspect: 'cannot inspect',
  probe: 'cannot probe existing socket',
  mkdir: 'cannot create directory',
  tempdir: 'cannot create a temporary directory in',
  publish: 'cannot publish socket at',
  'serve-metrics': 'cannot serve metrics on',
} as const;

/** A listening socket that could not be set up (SOCKGATE_ERR_LISTEN_FAILED). */
export type ListenFailedData =
  | { readonly step: keyof typeof LISTEN_STEPS; readonly path: string; readonly cause: unknown }
  /** a --listen-owner / --listen-group name missing from the passwd or group file */
  | { readonly step: 'lookup-id'; readonly what: 'user' | 'group'; readonly value: string; readonly file: string }
  /** the server could not bind its (prepared) socket */
  | { readonly step: 'bind'; readonly cause: unknown };

function listenFailedMessage(d: ListenFailedData): string {
  if (d.step === 'lookup-id') return `${d.what} "${d.value}" not found in ${d.file}`;
  if (d.step === 'bind') return reasonOf(d.cause);
  return `${LISTEN_STEPS[d.step]} ${d.path}: ${reasonOf(d.cause)}`;
}

/** An engine that could not be reached or whose answer could not be used (SOCKGATE_ERR_UPSTREAM_UNAVAILABLE). */
export type UpstreamUnavailableData =
  | { readonly kind: 'unreachable'; readonly socketPath: string; readonly cause: unknown }
  /** an answer sockgate must rewrite (a filtered list) that was cut off or too large to hold */
  | { readonly kind: 'answer-unreadable'; readonly maxBytes: number }
  | { readonly kind: 'answer-not-json' }
  | { readonly kind: 'answer-unchecked'; readonly cause: unknown };

function upstreamUnavailableMessage(d: UpstreamUnavailableData): string {
  switch (d.kind) {
    case 'unreachable':
      return `cannot reach the Docker engine at ${d.socketPath}: ${reasonOf(d.cause)}`;
    case 'answer-unreadable':
      return `cannot read the engine's answer (cut off, or larger than ${d.maxBytes} bytes)`;
    case 'answer-not-json':
      return "the engine's answer is not JSON";
    case 'answer-unchecked':
      return `cannot check the engine's answer: ${reasonOf(d.cause)}`;
  }
}

/**
 * An engine that sent no response head in time (SOCKGATE_ERR_UPSTREAM_TIMEOUT): on the HTTP path
 * it owed response headers; on an upgrade, its 101 or any other answer.
 */
export interface UpstreamTimeoutData {
  readonly waitingFor: 'headers' | 'upgrade';
  readonly timeoutMs: number;
}

function upstreamTimeoutMessage(d: UpstreamTimeoutData): string {
  const what = d.waitingFor === 'headers' ? 'send response headers' : 'answer';
  return `the engine did not ${what} within ${d.timeoutMs} ms`;
}

export const ERRORS = {
  // ── requests refused ────────────────────────────────────────────────────────────────────────
  SOCKGATE_DENY_POLICY: {
    status: 403,
    meaning: 'The policy denied the request: a deny rule matched, or no rule matched and the policy default is deny.',
    fix: 'If the client needs this call, add an allow rule for it (see `sockgate explain`) or remove the deny rule that matched.',
  },
  SOCKGATE_DENY_REQUEST_TARGET: {
    status: 400,
    meaning: 'The request target is not a plain origin-form path that the engine and sockgate read the same way (absolute-form, asterisk-form, fragment, raw control or non-ASCII bytes, bad percent-encoding, encoded "/" "\\" or NUL, dot or empty segments, over-long path).',
    fix: 'Send the path as the Docker API documents it: "/v1.41/containers/json", each segment percent-encoded once, no "." or ".." segments, no "//".',
  },
  SOCKGATE_DENY_API_VERSION: {
    status: 400,
    meaning:
      'The path starts with a version prefix that is not canonical ("/v<digits>" or "/v<digits>.<digits>", no leading zeros), is older than API 1.24, whose legacy behaviours bypass checks, or is newer than API 1.51, the newest whose routes and bodies sockgate knows.',
    fix: 'Use a version prefix from 1.24 to 1.51 (such as "/v1.51"), or none at all. Clients that negotiate (docker CLI, docker-py, compose) pick one by themselves: sockgate advertises at most 1.51.',
  },
  SOCKGATE_DENY_QUERY: {
    status: 400,
    meaning: 'The query string cannot be read unambiguously (bad percent-encoding, invalid UTF-8, ";" separators, which the engine rejects or reads differently).',
    fix: 'Encode the query as "a=1&b=2" with each key and value percent-encoded once.',
  },
  SOCKGATE_DENY_HEADERS: {
    status: 400,
    meaning: 'The request headers are ambiguous or unsafe to forward (a form-encoded or multipart body, which the engine would merge into the query; a GET or HEAD with a body; an Upgrade on an endpoint that does not hijack).',
    fix: 'Send JSON bodies as application/json and only ask for an upgrade on attach, exec start, session and grpc.',
  },
  SOCKGATE_DENY_BODY: {
    status: 400,
    meaning:
      'A request body that a rule inspects cannot be read unambiguously the way the engine reads it (invalid JSON or UTF-8, a key not spelled like the engine\'s field, a repeated key, a key no known engine version has in front of a newer engine, data after the JSON value, a value of the wrong type, an empty body the engine would refuse), an image or named volume it names cannot be looked up, or a build context whose Dockerfile a rule checks cannot be read (not a tar archive, compressed other than with gzip). The message names the JSON pointer of the problem.',
    fix: 'Send the body as the Docker API documents it: one JSON object, field names spelled exactly as in the API reference, each once; send a build context as a tar archive, uncompressed or gzip-compressed.',
  },
  SOCKGATE_DENY_BODY_TOO_LARGE: {
    status: 413,
    meaning: 'A request body that a rule inspects is larger than --max-body-bytes.',
    fix: 'Raise --max-body-bytes if such bodies are legitimate.',
  },
  SOCKGATE_DENY_TARGET: {
    status: 403,
    meaning: 'A rule decides on the container the request acts on, and that container could not be resolved (it does not exist, or the engine did not answer).',
    fix: 'Name an existing container (by name or id); check that the engine is reachable.',
  },
  SOCKGATE_DENY_OUT_OF_SCOPE: {
    status: 404,
    meaning: "The request's path names a container outside the policy's scope (or, in ownership mode, a container, volume or network the profile does not own); it is answered as the engine answers for one that does not exist.",
    fix: "Act only on containers the profile's scope covers, or widen the scope in the policy.",
  },
  SOCKGATE_DENY_NOT_OWNED: {
    status: 403,
    meaning:
      "The request names, or would act on, an object the profile cannot see: a container outside its scope, or (ownership mode) a container, volume or network it does not own — in a create body (VolumesFrom, container: modes, links, named volumes, networks), a network connect, a commit, or a prune or disk-usage request that sweeps every object.",
    fix: 'Use only objects the profile created (ownership mode) or its scope covers; create named volumes and networks through the same profile first; remove objects one by one instead of pruning.',
  },
  SOCKGATE_DENY_RESERVED_LABEL: {
    status: 403,
    meaning:
      'The request sets a label under io.sockgate. (in a create body, a service spec, a mount\'s volume labels, build labels or commit/import changes), or creates a container from an image that carries one (every container from it would inherit it); only sockgate sets those labels.',
    fix: 'Remove the io.sockgate.* label, or use an image without one. In ownership mode sockgate writes io.sockgate.owner itself.',
  },
  SOCKGATE_DENY_REQUEST_MALFORMED: {
    status: 400,
    meaning: 'The HTTP request could not be parsed (bad framing, conflicting Content-Length, Content-Length with Transfer-Encoding, oversized headers).',
    fix: 'Fix the client; sockgate closes the connection after this error.',
  },
  // ── upstream ────────────────────────────────────────────────────────────────────────────────
  SOCKGATE_ERR_UPSTREAM_UNAVAILABLE: {
    status: 502,
    meaning: 'The request was allowed, but the Docker engine socket could not be reached or closed the connection.',
    fix: 'Check that the engine is running and that --upstream names its socket and sockgate may open it.',
    message: upstreamUnavailableMessage,
  },
  SOCKGATE_ERR_UPSTREAM_TIMEOUT: {
    status: 504,
    meaning: 'The engine did not send response headers within --upstream-headers-timeout.',
    fix: 'Check the engine; raise --upstream-headers-timeout if the call is legitimately slow (e.g. stop with a long grace period).',
    message: upstreamTimeoutMessage,
  },
  SOCKGATE_ERR_INTERNAL: {
    status: 500,
    meaning: 'sockgate failed while handling the request; the request was not forwarded.',
    fix: 'This is a sockgate bug: report it with the audit record (request id) that goes with it.',
  },
  // ── start-up and configuration ─────────────────────────────────────────────────────────────
  SOCKGATE_ERR_POLICY_INVALID: {
    status: 0,
    meaning: 'A policy file does not follow the policy schema (unknown key, wrong type, bad glob, duplicate rule id, ...).',
    fix: 'Fix each problem listed with its file:line:col; `sockgate check FILE` validates without starting.',
    message: (d: { readonly path: string; readonly problems: number }) => invalidFile('policy', d.path, d.problems),
  },
  SOCKGATE_ERR_POLICY_READ: {
    status: 0,
    meaning: 'A policy file could not be read.',
    fix: 'Check the path given to --policy and its permissions.',
    message: (d: { readonly path: string; readonly cause: unknown }) => `cannot read policy ${d.path}: ${reasonOf(d.cause)}`,
  },
  SOCKGATE_ERR_CONFIG_INVALID: {
    status: 0,
    meaning: 'A command-line flag or environment variable has an invalid value.',
    fix: 'See `sockgate --help` for the accepted values.',
    message: configInvalidMessage,
  },
  SOCKGATE_ERR_LISTEN_IN_USE: {
    status: 0,
    meaning: 'The --listen path is a socket that another live process is serving.',
    fix: 'Stop the other process or choose another --listen path.',
    message: (d: { readonly path: string }) => `${d.path} is served by another live process`,
  },
  SOCKGATE_ERR_LISTEN_NOT_SOCKET: {
    status: 0,
    meaning: 'The --listen path exists and is not a socket; sockgate never deletes other files.',
    fix: 'Remove the file yourself or choose another --listen path.',
    message: (d: { readonly path: string }) => `${d.path} exists and is not a socket; refusing to replace it`,
  },
  SOCKGATE_ERR_LISTEN_FAILED: {
    status: 0,
    meaning: 'The listening socket could not be created or its mode or group could not be applied.',
    fix: 'Check that the directory exists and is writable, and that --listen-group names an existing group.',
    message: listenFailedMessage,
  },
  SOCKGATE_ERR_AUDIT_WRITE: {
    status: 0,
    meaning: 'The audit file cannot be opened (at start: sockgate exits) or an audit record could not be written to it (while serving: logged on stdout with the count of lost records, at most once a second; requests are still allowed and denied by the policy).',
    fix: 'Check that the directory of --audit-file exists and is writable by sockgate, and that the disk has space; sockgate reopens the file at the next record.',
    message: (d: { readonly path: string; readonly cause: unknown }) => `cannot open audit file ${d.path}: ${reasonOf(d.cause)}`,
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** The template of a code, or never when the registry does not word its messages. */
type Template<C extends ErrorCode> = (typeof ERRORS)[C] extends { readonly message: (data: infer D) => string } ? (data: D) => string : never;

/** The codes whose messages the registry words: those thrown as SockgateError, and the upstream faults. */
export type TemplatedCode = { [C in ErrorCode]: Template<C> extends never ? never : C }[ErrorCode];

/** The data a code's message template takes. */
export type ErrorData<C extends TemplatedCode> = Parameters<Template<C>>[0];

/** The message of an error with this code, worded by its template from `data`. */
export function errorMessage<C extends TemplatedCode>(code: C, data: ErrorData<C>): string {
  return (ERRORS[code].message as (data: ErrorData<C>) => string)(data);
}

/** An error with a stable code; `details` lists every problem when there are several. */
export class SockgateError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];

  /** `cause` is the error this one wraps (kept for logs and debuggers; format() does not print it). */
  constructor(code: ErrorCode, message: string, details: readonly string[] = [], options: { readonly cause?: unknown } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'SockgateError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  /** The full text for a terminal: message, every detail, and how to fix it. */
  format(): string {
    const lines = [`${this.code}: ${this.message}`];
    for (const d of this.details) lines.push(`  ${d}`);
    lines.push(`  fix: ${ERRORS[this.code].fix}`);
    return lines.join('\n');
  }
}

/**
 * A SockgateError worded by its code's template. The `cause` the data names (the error being
 * wrapped, whose text the message quotes) becomes the new error's `cause`.
 */
export function sockgateError<C extends TemplatedCode>(code: C, data: ErrorData<C>, details: readonly string[] = []): SockgateError {
  const options = typeof data === 'object' && data !== null && 'cause' in data ? { cause: data.cause } : {};
  return new SockgateError(code, errorMessage(code, data), details, options);
}

/**
 * The text a client reads for an error sockgate answers itself: prefixed so users know the engine
 * did not say it, and ending with the code to look up in the README's error table.
 */
export function clientMessage(code: ErrorCode, message: string): string {
  return `sockgate: ${message} [${code}]`;
}

/** The engine a request went to, as its failures name it. */
export interface EngineEndpoint {
  readonly socketPath: string;
  /** time allowed for the engine to send response headers (ms) */
  readonly headersTimeoutMs: number;
}

/** An engine failure as the client is answered: code, its status, and the message (without the prefix of clientMessage). */
export interface UpstreamFailure {
  readonly code: 'SOCKGATE_ERR_UPSTREAM_TIMEOUT' | 'SOCKGATE_ERR_UPSTREAM_UNAVAILABLE';
  readonly status: number;
  readonly message: string;
}

/**
 * The one mapping of a failed engine request: no response head within the headers timeout is
 * SOCKGATE_ERR_UPSTREAM_TIMEOUT (504), anything else (cannot connect, connection closed) is
 * SOCKGATE_ERR_UPSTREAM_UNAVAILABLE (502). `waitingFor` says what the engine owed (response
 * headers on the HTTP path, its answer to an upgrade).
 */
export function upstreamFailure(err: unknown, timedOut: boolean, engine: EngineEndpoint, waitingFor: UpstreamTimeoutData['waitingFor'] = 'headers'): UpstreamFailure {
  if (timedOut) {
    const code = 'SOCKGATE_ERR_UPSTREAM_TIMEOUT';
    return { code, status: ERRORS[code].status, message: errorMessage(code, { waitingFor, timeoutMs: engine.headersTimeoutMs }) };
  }
  const code = 'SOCKGATE_ERR_UPSTREAM_UNAVAILABLE';
  return { code, status: ERRORS[code].status, message: errorMessage(code, { kind: 'unreachable', socketPath: engine.socketPath, cause: err }) };
}

/**
 * The body the engine itself uses for errors (`{"message": ...}` and a newline, as Go's
 * json.Encoder writes it), so every Docker client prints `message`. It must go out with exactly
 * `Content-Type: application/json`: the Go client (docker/client checkResponseErr) only decodes
 * the JSON when the header equals that string, and prints the raw body otherwise.
 */
export const ENGINE_ERROR_CONTENT_TYPE = 'application/json';

export function engineErrorBody(message: string): Buffer {
  return Buffer.from(JSON.stringify({ message }) + '\n');
}
