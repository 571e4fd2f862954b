/**
 * `--log-format pretty`: pino's JSON lines turned into one short line each for a human at a
 * terminal. A pino destination (write(string) per record). Audit decisions read
 *
 *   09:12:03 DENY  traefik  POST /containers/create  containers.create  rule=deny-privileged /HostConfig/Privileged  "denied by rule ..."  req=4f1c0b9e
 *
 * and other records `09:12:03 WARN  upstream error  reqId=... err=...`. Every value is shown
 * with control characters escaped: paths and reasons may hold what a client sent, and a terminal
 * must not receive its escape sequences. Colours only when asked (the CLI asks when stdout is a
 * TTY and NO_COLOR is unset). The audit file is always JSON.
 */

export interface PrettyOptions {
  readonly color: boolean;
  /** show times in UTC instead of local time */
  readonly utc?: boolean;
}

export interface LineSink {
  write(s: string): unknown;
}

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', cyan: '\x1b[36m', dim: '\x1b[2m', reset: '\x1b[0m' } as const;
type Colour = keyof typeof ANSI;

/** Fields shown in the line's head, or not at all. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'kind']);

/** C0 and C1 control characters (ESC and CSI among them), and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** A value safe to print on a terminal: control characters as \u escapes. */
export function printable(s: string): string {
  return s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function clock(time: unknown, utc: boolean): string {
  const d = new Date(typeof time === 'number' ? time : Date.now());
  const parts = utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  return parts.map((n) => String(n).padStart(2, '0')).join(':');
}

function show(v: unknown): string {
  return printable(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));
}

function quoted(s: string): string {
  return printable(JSON.stringify(s));
}

/** One record as one line (without the newline); null when it is not a JSON object. */
export function formatRecord(line: string, options: PrettyOptions): string | null {
  let rec: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    rec = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const paint = (c: Colour, s: string): string => (options.color ? `${ANSI[c]}${s}${ANSI.reset}` : s);
  const time = paint('dim', clock(rec['time'], options.utc ?? false));
  const reqTag = typeof rec['reqId'] === 'string' ? `req=${show(rec['reqId']).slice(0, 8)}` : '';
  const join = (parts: string[]): string => parts.filter((p) => p !== '').join('  ');

  if (rec['kind'] === 'audit' && typeof rec['effect'] === 'string' && typeof rec['method'] === 'string') {
    const deny = rec['effect'] === 'deny';
    const label = paint(deny ? 'red' : 'green', (deny ? 'DENY' : 'ALLOW').padEnd(5));
    const who = show(rec['profile'] ?? rec['listener'] ?? '');
    const rule = `rule=${rec['rule'] === null || rec['rule'] === undefined ? '(default)' : show(rec['rule'])}`;
    const evidence = typeof rec['bodyPointer'] === 'string' && rec['bodyPointer'] !== '' ? ` ${show(rec['bodyPointer'])}` : '';
    const code = deny && typeof rec['code'] === 'string' && rec['code'] !== 'SOCKGATE_DENY_POLICY' ? show(rec['code']) : '';
    return join([
      `${time} ${label}`,
      who,
      `${show(rec['method'])} ${show(rec['path'] ?? '')}`,
      show(rec['endpoint'] ?? 'unknown'),
      rule + evidence,
      code,
      typeof rec['reason'] === 'string' ? quoted(rec['reason']) : '',
      reqTag,
    ]);
  }
  if (rec['kind'] === 'audit' && typeof rec['status'] === 'number') {
    const status = rec['status'];
    const engine = typeof rec['engineStatus'] === 'number' ? `engine=${rec['engineStatus']}` : 'engine=-';
    const client = rec['client'] as { profile?: unknown } | undefined;
    return join([
      `${time} ${paint('cyan', 'DONE ')}`,
      show(client?.profile ?? rec['listener'] ?? ''),
      show(rec['endpoint'] ?? ''),
      paint(status >= 500 ? 'red' : status >= 400 ? 'yellow' : 'green', String(status)),
      engine,
      typeof rec['durationMs'] === 'number' ? `${rec['durationMs']}ms` : '',
      rec['aborted'] === true ? paint('yellow', 'aborted') : '',
      reqTag,
    ]);
  }
  const level = typeof rec['level'] === 'number' ? (LEVELS[rec['level']] ?? String(rec['level'])) : 'LOG';
  const levelColour: Colour = level === 'ERROR' || level === 'FATAL' ? 'red' : level === 'WARN' ? 'yellow' : level === 'INFO' ? 'cyan' : 'dim';
  const fields = Object.entries(rec)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${printable(k)}=${show(v)}`)
    .join(' ');
  return join([`${time} ${paint(levelColour, level.padEnd(5))}`, typeof rec['msg'] === 'string' ? show(rec['msg']) : '', fields]);
}

/** A pino destination writing each record as a pretty line to `out`; anything unreadable is passed through escaped. */
export function createPrettyDestination(out: LineSink, options: PrettyOptions): { write(chunk: string): boolean } {
  return {
    write(chunk) {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        out.write((formatRecord(line, options) ?? printable(line)) + '\n');
      }
      return true;
    },
  };
}
