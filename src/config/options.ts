/**
 * Command-line flags and their environment equivalents → DaemonOptions. Pure: argv and env are
 * passed in. Flags win over environment variables, which win over defaults.
 */

import { parseArgs } from 'node:util';
import { sockgateError } from '../errors.js';
import { parseAdminAddress, type AdminAddress } from '../admin/address.js';
import {
  DEFAULT_AUDIT_KEEP,
  DEFAULT_AUDIT_MAX_BYTES,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_CLIENT_BODY_IDLE_TIMEOUT_MS,
  DEFAULT_CLIENT_IDLE_TIMEOUT_MS,
  DEFAULT_CLIENT_HEADERS_TIMEOUT_MS,
  DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS,
  DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS,
} from '../defaults.js';

export const DEFAULT_UPSTREAM = '/var/run/docker.sock';
export const DEFAULT_LISTEN_MODE = 0o660;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface DaemonOptions {
  readonly listen: string;
  readonly listenMode: number;
  readonly listenGroup: string | null;
  readonly upstream: string;
  readonly policyFile: string | null;
  /** a config file with several listeners; exclusive with listen/policy flags */
  readonly configFile: string | null;
  readonly logLevel: LogLevel;
  readonly upstreamConnectTimeoutMs: number;
  readonly upstreamHeadersTimeoutMs: number;
  readonly clientHeadersTimeoutMs: number;
  readonly clientBodyIdleTimeoutMs: number;
  readonly clientIdleTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly logFormat: LogFormat;
  /** audit records go to this file (rotated) instead of stdout; null: not given (the config file may name one) */
  readonly auditFile: string | null;
  /** null: not given (config file, else DEFAULT_AUDIT_MAX_BYTES) */
  readonly auditMaxBytes: number | null;
  /** null: not given (config file, else DEFAULT_AUDIT_KEEP) */
  readonly auditKeep: number | null;
  /** where to serve /metrics and /healthz; null: not served (the config file may name it) */
  readonly metricsListen: AdminAddress | null;
}

interface FlagSpec {
  readonly flag: string;
  readonly env: string;
  readonly value: string;
  readonly def: string;
  readonly help: string;
}

/** The flag table: used for parsing, --help and the README (kept in sync by a test). */
export const FLAGS: readonly FlagSpec[] = [
  { flag: 'listen', env: 'SOCKGATE_LISTEN', value: 'PATH', def: '/run/sockgate/docker.sock as root, else $XDG_RUNTIME_DIR/sockgate.sock or /tmp/sockgate-$UID/docker.sock', help: 'Unix socket to create and serve. A stale socket left by a dead process is replaced; a live one, or any other file, is an error.' },
  { flag: 'listen-mode', env: 'SOCKGATE_LISTEN_MODE', value: 'OCTAL', def: '0660', help: 'Permissions of the listening socket.' },
  { flag: 'listen-group', env: 'SOCKGATE_LISTEN_GROUP', value: 'NAME|GID', def: '(unchanged)', help: 'Group that owns the listening socket.' },
  { flag: 'upstream', env: 'SOCKGATE_UPSTREAM', value: 'PATH', def: 'path of DOCKER_HOST if it is unix://..., else /var/run/docker.sock', help: 'The Docker engine socket to forward allowed requests to.' },
  { flag: 'config', env: 'SOCKGATE_CONFIG', value: 'FILE', def: '(none)', help: 'Config file (YAML) with several listeners, each with its own socket and profile; replaces --listen, --listen-mode, --listen-group and --policy.' },
  { flag: 'policy', env: 'SOCKGATE_POLICY', value: 'FILE', def: '(built-in read-only policy)', help: 'Policy file (YAML) to enforce.' },
  { flag: 'log-level', env: 'SOCKGATE_LOG_LEVEL', value: 'LEVEL', def: 'info', help: `Log level: ${LOG_LEVELS.join(', ')}. Denials are logged at warn.` },
  { flag: 'log-format', env: 'SOCKGATE_LOG_FORMAT', value: 'FORMAT', def: 'json', help: 'json: one JSON object per line (pino); pretty: one short line per record for a human, coloured when stdout is a terminal (and NO_COLOR is unset). The audit file is always JSON.' },
  { flag: 'audit-file', env: 'SOCKGATE_AUDIT_FILE', value: 'PATH', def: '(none: audit records go to stdout; or audit.file in the config file)', help: 'Write audit records to this file (JSON lines, created with mode 0600) instead of stdout, where operational logs stay. Every request is recorded whatever --log-level says. Wins over the config file.' },
  { flag: 'audit-max-bytes', env: 'SOCKGATE_AUDIT_MAX_BYTES', value: 'BYTES', def: String(DEFAULT_AUDIT_MAX_BYTES), help: 'Rotate the audit file before it would grow past this size (records are never split).' },
  { flag: 'audit-keep', env: 'SOCKGATE_AUDIT_KEEP', value: 'N', def: String(DEFAULT_AUDIT_KEEP), help: 'Rotated audit files kept: PATH.1 (newest) to PATH.N; 0 keeps none.' },
  { flag: 'upstream-connect-timeout', env: 'SOCKGATE_UPSTREAM_CONNECT_TIMEOUT', value: 'MS', def: String(DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS), help: 'Time allowed to connect to the engine socket.' },
  { flag: 'upstream-headers-timeout', env: 'SOCKGATE_UPSTREAM_HEADERS_TIMEOUT', value: 'MS', def: String(DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS), help: 'Time allowed for the engine to start answering (0: no limit); not applied to endpoints that answer when their work is done (stop, restart, remove, commit, prune, df). Response bodies (events, logs) never time out.' },
  { flag: 'max-body-bytes', env: 'SOCKGATE_MAX_BODY_BYTES', value: 'BYTES', def: String(DEFAULT_MAX_BODY_BYTES), help: 'Largest request body read to inspect it (only bodies that a rule inspects are read); larger ones are refused with 413.' },
  { flag: 'client-body-timeout', env: 'SOCKGATE_CLIENT_BODY_TIMEOUT', value: 'MS', def: String(DEFAULT_CLIENT_BODY_IDLE_TIMEOUT_MS), help: 'Time a client may pause while sending a request body before its connection is closed (0: no limit).' },
  { flag: 'client-idle-timeout', env: 'SOCKGATE_CLIENT_IDLE_TIMEOUT', value: 'MS', def: String(DEFAULT_CLIENT_IDLE_TIMEOUT_MS), help: 'Time an idle keep-alive client connection is kept open (0: until the client closes it, as the engine does).' },
  { flag: 'client-headers-timeout', env: 'SOCKGATE_CLIENT_HEADERS_TIMEOUT', value: 'MS', def: String(DEFAULT_CLIENT_HEADERS_TIMEOUT_MS), help: 'Time a client has to send its request headers.' },
  { flag: 'metrics-listen', env: 'SOCKGATE_METRICS_LISTEN', value: 'ADDR', def: '(off; or metrics.listen in the config file)', help: 'Serve GET /metrics (Prometheus) and GET /healthz on 127.0.0.1:PORT, [::1]:PORT, localhost:PORT or an absolute Unix socket path (mode 0660); loopback only. Wins over the config file. `sockgate health` reads it too.' },
];

export interface Platform {
  readonly uid: number;
  readonly tmpdir: string;
}

export function defaultListenPath(env: Readonly<Record<string, string | undefined>>, platform: Platform): string {
  if (platform.uid === 0) return '/run/sockgate/docker.sock';
  const runtime = env['XDG_RUNTIME_DIR'];
  if (runtime) return `${runtime}/sockgate.sock`;
  return `${platform.tmpdir}/sockgate-${platform.uid}/docker.sock`;
}

export function defaultUpstream(env: Readonly<Record<string, string | undefined>>): string {
  const host = env['DOCKER_HOST'];
  if (host && host.startsWith('unix://') && host.length > 'unix://'.length) return host.slice('unix://'.length);
  return DEFAULT_UPSTREAM;
}

function parseMs(name: string, raw: string, problems: string[]): number {
  if (!/^[0-9]{1,10}$/.test(raw)) {
    problems.push(`--${name}: "${raw}" is not a whole number${name.endsWith('bytes') ? '' : ' of milliseconds'}`);
    return 0;
  }
  return Number(raw);
}

function logFormatOf(raw: string, problems: string[]): LogFormat {
  if ((LOG_FORMATS as readonly string[]).includes(raw)) return raw as LogFormat;
  problems.push(`--log-format: "${raw}" is not one of ${LOG_FORMATS.join(', ')}`);
  return 'json';
}

function auditFileOf(raw: string | undefined, problems: string[]): string | null {
  if (raw === undefined) return null;
  if (!raw.startsWith('/')) problems.push(`--audit-file: "${raw}" must be an absolute path`);
  return raw;
}

/** A whole number flag that may be absent (null), at least `min`. */
function optionalCount(name: string, raw: string | undefined, min: number, problems: string[]): number | null {
  if (raw === undefined) return null;
  if (!/^[0-9]{1,15}$/.test(raw) || Number(raw) < min) {
    problems.push(`--${name}: "${raw}" is not a whole number${min > 0 ? ` of at least ${min}` : ''}`);
    return null;
  }
  return Number(raw);
}

export type ParsedCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly options: DaemonOptions; readonly listenFromDefault: boolean }
  | { readonly kind: 'check'; readonly files: readonly string[] }
  | {
      readonly kind: 'explain';
      readonly policyFile: string | null;
      /** a config file and the listener (socket path or profile name) whose profile decides */
      readonly configFile: string | null;
      readonly listener: string | null;
      readonly bodyFile: string | null;
      readonly method: string;
      readonly target: string;
    }
  | { readonly kind: 'suggest'; readonly files: readonly string[]; readonly profile: string | null }
  | { readonly kind: 'health'; readonly address: AdminAddress };

/** A --metrics-listen value, or the problem with it. */
function metricsAddress(raw: string, problems: string[]): AdminAddress | null {
  const r = parseAdminAddress(raw);
  if (r.ok) return r.address;
  problems.push(`--metrics-listen: ${r.problem}`);
  return null;
}

/** The command argv names (check, health, suggest, explain), or the daemon's flags otherwise. */
export function parseCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, platform: Platform): ParsedCommand {
  const [first, ...rest] = argv;
  if (first === 'check') return parseCheck(rest);
  if (first === 'health') return parseHealth(rest, env);
  if (first === 'suggest') return parseSuggest(rest);
  if (first === 'explain') return parseExplain(rest, env);
  return parseRun(argv, env, platform);
}

/** `sockgate check POLICY_FILE...` */
function parseCheck(rest: readonly string[]): ParsedCommand {
  if (rest.length === 0 || rest.some((a) => a.startsWith('-'))) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage: 'usage: sockgate check POLICY_FILE...' });
  }
  return { kind: 'check', files: rest };
}

/** `sockgate health [--metrics-listen ADDR]`, the address also from SOCKGATE_METRICS_LISTEN. */
function parseHealth(rest: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedCommand {
  const usage = 'usage: sockgate health [--metrics-listen ADDR] (or SOCKGATE_METRICS_LISTEN)';
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: { 'metrics-listen': { type: 'string' } }, allowPositionals: false, strict: true });
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage, cause: err });
  }
  const raw = parsed.values['metrics-listen'] ?? (env['SOCKGATE_METRICS_LISTEN'] || undefined);
  if (raw === undefined) throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage, problem: 'no address to check: pass --metrics-listen ADDR or set SOCKGATE_METRICS_LISTEN' });
  const problems: string[] = [];
  const address = metricsAddress(raw, problems);
  if (address === null) throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'invalid-options' }, problems);
  return { kind: 'health', address };
}

/** `sockgate suggest [--profile NAME] AUDIT_LOG...` */
function parseSuggest(rest: readonly string[]): ParsedCommand {
  const usage = 'usage: sockgate suggest [--profile NAME] AUDIT_LOG... ("-" reads standard input)';
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: { profile: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage, cause: err });
  }
  if (parsed.positionals.length === 0) throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage });
  return { kind: 'suggest', files: parsed.positionals, profile: parsed.values.profile ?? null };
}

/** `sockgate explain [--policy FILE | --config FILE --listener SOCKET|PROFILE] [--body FILE] METHOD PATH` */
function parseExplain(rest: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedCommand {
  const usage = 'usage: sockgate explain [--policy FILE | --config FILE --listener SOCKET|PROFILE] [--body FILE] METHOD PATH';
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: { policy: { type: 'string' }, config: { type: 'string' }, listener: { type: 'string' }, body: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage, cause: err });
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage });
  const configFile = values.config ?? null;
  if (configFile !== null && values.policy !== undefined) throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage, problem: '--config and --policy exclude each other' });
  if (configFile !== null && values.listener === undefined) throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage, problem: '--config needs --listener (a socket path or profile name of the config)' });
  if (configFile === null && values.listener !== undefined) throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage, problem: '--listener needs --config' });
  return {
    kind: 'explain',
    policyFile: configFile === null ? (values.policy ?? env['SOCKGATE_POLICY'] ?? null) : null,
    configFile,
    listener: values.listener ?? null,
    bodyFile: values.body ?? null,
    method: positionals[0]!,
    target: positionals[1]!,
  };
}

/** A flag's value: the flag if given, else its environment variable if set and not empty. */
type FlagReader = (flag: string) => string | undefined;

/** The daemon's flags (or --help, --version): every problem with them is reported at once. */
function parseRun(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, platform: Platform): ParsedCommand {
  const optionSpec: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' }, version: { type: 'boolean' } };
  for (const f of FLAGS) optionSpec[f.flag] = { type: 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: optionSpec, allowPositionals: false, strict: true });
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'usage', usage: 'see sockgate --help', cause: err });
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values['help']) return { kind: 'help' };
  if (values['version']) return { kind: 'version' };

  const get: FlagReader = (flag) => {
    const spec = FLAGS.find((f) => f.flag === flag)!;
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = env[spec.env];
    return e === undefined || e === '' ? undefined : e;
  };

  const problems: string[] = [];
  const options = daemonOptions(get, env, platform, problems);
  if (options.configFile !== null) {
    const clashing = ['listen', 'listen-mode', 'listen-group', 'policy'].filter((f) => get(f) !== undefined);
    if (clashing.length > 0) problems.push(`--config: the config file names the listeners and their policies; drop ${clashing.map((f) => `--${f}`).join(', ')} (or their environment variables)`);
  }
  if (options.maxBodyBytes === 0 && problems.length === 0) problems.push('--max-body-bytes: 0 would refuse every inspected body');
  if (options.clientHeadersTimeoutMs === 0 && problems.length === 0) {
    problems.push('--client-headers-timeout: 0 would let slow clients hold connections forever');
  }
  if (problems.length > 0) throw sockgateError('SOCKGATE_ERR_CONFIG_INVALID', { kind: 'invalid-options' }, problems);
  return { kind: 'run', options, listenFromDefault: get('listen') === undefined };
}

/** DaemonOptions from the flags (defaults for those not given); each problem goes to `problems`. */
function daemonOptions(get: FlagReader, env: Readonly<Record<string, string | undefined>>, platform: Platform, problems: string[]): DaemonOptions {
  const listenRaw = get('listen');
  const modeRaw = get('listen-mode') ?? '0660';
  let listenMode = DEFAULT_LISTEN_MODE;
  if (!/^0?[0-7]{3}$/.test(modeRaw)) problems.push(`--listen-mode: "${modeRaw}" is not an octal mode like 0660`);
  else listenMode = parseInt(modeRaw, 8);
  if ((listenMode & 0o111) !== 0 && problems.length === 0) {
    // harmless on sockets, but almost certainly a typo for another mode
    problems.push(`--listen-mode: "${modeRaw}" sets execute bits; sockets need read and write (e.g. 0660)`);
  }
  const logLevel = get('log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`--log-level: "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  const listen = listenRaw ?? defaultListenPath(env, platform);
  if (!listen.startsWith('/')) problems.push(`--listen: "${listen}" must be an absolute path`);
  const upstream = get('upstream') ?? defaultUpstream(env);
  if (!upstream.startsWith('/')) problems.push(`--upstream: "${upstream}" must be an absolute path to the engine's Unix socket`);

  const metricsRaw = get('metrics-listen');
  return {
    listen,
    listenMode,
    listenGroup: get('listen-group') ?? null,
    upstream,
    policyFile: get('policy') ?? null,
    configFile: get('config') ?? null,
    logLevel: logLevel as LogLevel,
    upstreamConnectTimeoutMs: parseMs('upstream-connect-timeout', get('upstream-connect-timeout') ?? String(DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS), problems),
    upstreamHeadersTimeoutMs: parseMs('upstream-headers-timeout', get('upstream-headers-timeout') ?? String(DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS), problems),
    clientHeadersTimeoutMs: parseMs('client-headers-timeout', get('client-headers-timeout') ?? String(DEFAULT_CLIENT_HEADERS_TIMEOUT_MS), problems),
    clientBodyIdleTimeoutMs: parseMs('client-body-timeout', get('client-body-timeout') ?? String(DEFAULT_CLIENT_BODY_IDLE_TIMEOUT_MS), problems),
    clientIdleTimeoutMs: parseMs('client-idle-timeout', get('client-idle-timeout') ?? String(DEFAULT_CLIENT_IDLE_TIMEOUT_MS), problems),
    maxBodyBytes: parseMs('max-body-bytes', get('max-body-bytes') ?? String(DEFAULT_MAX_BODY_BYTES), problems),
    logFormat: logFormatOf(get('log-format') ?? 'json', problems),
    auditFile: auditFileOf(get('audit-file'), problems),
    auditMaxBytes: optionalCount('audit-max-bytes', get('audit-max-bytes'), 1, problems),
    auditKeep: optionalCount('audit-keep', get('audit-keep'), 0, problems),
    metricsListen: metricsRaw === undefined ? null : metricsAddress(metricsRaw, problems),
  };
}

export function helpText(version: string): string {
  const lines = [
    `sockgate ${version}: a policy-enforcing proxy for the Docker Engine API socket`,
    '',
    'Usage:',
    '  sockgate [flags]                         run the daemon',
    '  sockgate check POLICY_FILE...            validate policy files (exit 1 on any problem)',
    '  sockgate explain [--policy FILE | --config FILE --listener SOCKET|PROFILE] [--body FILE] METHOD PATH',
    '                                           show the decision for a request, without sending it',
    '  sockgate suggest [--profile NAME] AUDIT_LOG...',
    '                                           print a policy allowing the traffic in audit logs ("-": stdin),',
    '                                           best recorded with `mode: audit` (learn mode)',
    '  sockgate health [--metrics-listen ADDR]  GET /healthz of a running sockgate; exit 0 if healthy, else 1',
    '',
    'Flags (each also read from its environment variable):',
  ];
  for (const f of FLAGS) {
    lines.push(`  --${f.flag} ${f.value}`.padEnd(40) + `  ${f.env}`);
    lines.push(`      ${f.help}`);
    lines.push(`      default: ${f.def}`);
  }
  lines.push('  --help, --version');
  return lines.join('\n');
}
