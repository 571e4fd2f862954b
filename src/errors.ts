/**
 * The one registry of sockgate's error codes.
 *
 * Every error a user can meet has a stable code, an HTTP status (for errors answered to a client),
 * a meaning and a fix. The README's error table is checked against this list by
 * test/unit/docs-sync.test.ts, so the two cannot drift apart.
 *
 * Codes: SOCKGATE_ERR_<AREA>_<WHAT> for faults (start-up, upstream, internal) and
 * SOCKGATE_DENY_<WHAT> for requests sockgate refuses to forward.
 */

export interface ErrorSpec {
  /** HTTP status answered to the client; 0 for start-up errors that never reach a client. */
  readonly status: number;
  readonly meaning: string;
  readonly fix: string;
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
  },
  SOCKGATE_ERR_UPSTREAM_TIMEOUT: {
    status: 504,
    meaning: 'The engine did not send response headers within --upstream-headers-timeout.',
    fix: 'Check the engine; raise --upstream-headers-timeout if the call is legitimately slow (e.g. stop with a long grace period).',
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
  },
  SOCKGATE_ERR_POLICY_READ: {
    status: 0,
    meaning: 'A policy file could not be read.',
    fix: 'Check the path given to --policy and its permissions.',
  },
  SOCKGATE_ERR_CONFIG_INVALID: {
    status: 0,
    meaning: 'A command-line flag or environment variable has an invalid value.',
    fix: 'See `sockgate --help` for the accepted values.',
  },
  SOCKGATE_ERR_LISTEN_IN_USE: {
    status: 0,
    meaning: 'The --listen path is a socket that another live process is serving.',
    fix: 'Stop the other process or choose another --listen path.',
  },
  SOCKGATE_ERR_LISTEN_NOT_SOCKET: {
    status: 0,
    meaning: 'The --listen path exists and is not a socket; sockgate never deletes other files.',
    fix: 'Remove the file yourself or choose another --listen path.',
  },
  SOCKGATE_ERR_LISTEN_FAILED: {
    status: 0,
    meaning: 'The listening socket could not be created or its mode or group could not be applied.',
    fix: 'Check that the directory exists and is writable, and that --listen-group names an existing group.',
  },
  SOCKGATE_ERR_AUDIT_WRITE: {
    status: 0,
    meaning: 'The audit file cannot be opened (at start: sockgate exits) or an audit record could not be written to it (while serving: logged on stdout with the count of lost records, at most once a second; requests are still allowed and denied by the policy).',
    fix: 'Check that the directory of --audit-file exists and is writable by sockgate, and that the disk has space; sockgate reopens the file at the next record.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a stable code; `details` lists every problem when there are several. */
export class SockgateError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, details: readonly string[] = []) {
    super(message);
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
 * The body the engine itself uses for errors (`{"message": ...}` and a newline, as Go's
 * json.Encoder writes it), so every Docker client prints `message`. It must go out with exactly
 * `Content-Type: application/json`: the Go client (docker/client checkResponseErr) only decodes
 * the JSON when the header equals that string, and prints the raw body otherwise.
 */
export const ENGINE_ERROR_CONTENT_TYPE = 'application/json';

export function engineErrorBody(message: string): Buffer {
  return Buffer.from(JSON.stringify({ message }) + '\n');
}
