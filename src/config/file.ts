/**
 * The config file (`--config sockgate.yaml`): one daemon, several listeners, each with its own
 * socket and profile. The socket a request arrives on is its only identity; every audit record
 * names the listener and the profile. Validated like policies: every problem with file:line:col.
 *
 *   version: 1
 *   upstream: /var/run/docker.sock        # optional; else --upstream, DOCKER_HOST, the default
 *   listeners:
 *     - socket: /run/sockgate/traefik.sock
 *       mode: "0660"                      # optional, octal string
 *       owner: 1000                       # optional uid or user name
 *       group: docker                     # optional gid or group name
 *       profile:
 *         name: traefik
 *         policy: policies/traefik.yaml   # a policy file, relative to this file...
 *     - socket: /run/sockgate/ci.sock
 *       profile:                          # ...or inline rules (a policy without "version")
 *         name: ci
 *         default: deny
 *         rules: [ ... ]
 *   metrics:                              # optional: /metrics and /healthz (loopback or a socket)
 *     listen: 127.0.0.1:9323
 *   audit:                                # optional: audit records to a rotated file, not stdout
 *     file: /var/log/sockgate/audit.jsonl
 *     maxBytes: 52428800                  # optional
 *     keep: 5                             # optional
 *
 * Pure: text in, document out; reading files is the caller's business.
 */

import { isScalar, isSeq, type Node } from 'yaml';
import { parseAdminAddress, type AdminAddress } from '../admin/address.js';
import { validateAuditConfig, type AuditConfig } from './audit-config.js';
import type { PolicyDocument } from '../policy/document.js';
import { INLINE_POLICY_KEYS, validatePolicyMap } from '../policy/load.js';
import { entries, parseYaml, type PolicyProblem, type Validator } from '../yaml-validator.js';

export interface ProfileConfig {
  readonly name: string;
  /** a policy file (as written, relative to the config file) ... */
  readonly policyFile: string | null;
  /** ... or inline rules */
  readonly inline: PolicyDocument | null;
}

export interface ListenerConfig {
  readonly socket: string;
  readonly mode: number | null;
  readonly owner: string | null;
  readonly group: string | null;
  readonly profile: ProfileConfig;
}

export interface ConfigDocument {
  readonly upstream: string | null;
  readonly listeners: readonly ListenerConfig[];
  /** `metrics: {listen: ADDR}`: where to serve /metrics and /healthz (--metrics-listen wins) */
  readonly metrics: { readonly listen: AdminAddress } | null;
  /** `audit: {file, maxBytes, keep}`: the audit file (config/audit-config.ts; the --audit-* flags win) */
  readonly audit: AuditConfig | null;
}

export type ConfigResult = { readonly ok: true; readonly config: ConfigDocument } | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

const TOP_KEYS = ['version', 'upstream', 'listeners', 'metrics', 'audit'] as const;
const LISTENER_KEYS = ['socket', 'mode', 'owner', 'group', 'profile'] as const;
const PROFILE_KEYS = ['policy', ...INLINE_POLICY_KEYS] as const;
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A uid/gid or a user/group name (numbers may be written unquoted). */
function idOrName(v: Validator, node: unknown, pointer: string, what: string): string | undefined {
  if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= 0) return String(node.value);
  const s = v.string(node, pointer, `a ${what} name or number`);
  if (s !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(s)) v.problem(node as Node, pointer, `"${s}" is not a ${what} name or number`);
  return s;
}

function validateProfile(v: Validator, node: unknown, pointer: string): ProfileConfig | undefined {
  const map = v.map(node, pointer, PROFILE_KEYS);
  if (!map) return undefined;
  const fields = new Map(entries(map));
  const name = fields.has('name') ? v.string(fields.get('name'), `${pointer}/name`) : undefined;
  if (!fields.has('name')) v.problem(map, pointer, 'a profile needs a "name" (it appears in every audit record)');
  else if (name !== undefined && !PROFILE_NAME.test(name)) v.problem(fields.get('name') as Node, `${pointer}/name`, `profile name "${name}" must be letters, digits, ".", "_" or "-"`);
  if (fields.has('policy')) {
    const inlineKeys = [...fields.keys()].filter((k) => k !== 'policy' && k !== 'name');
    if (inlineKeys.length > 0) v.problem(map, pointer, `a profile takes either "policy" (a file) or inline rules, not both (found ${inlineKeys.join(', ')})`);
    const file = v.string(fields.get('policy'), `${pointer}/policy`, 'a policy file path');
    if (name === undefined || file === undefined) return undefined;
    return { name, policyFile: file, inline: null };
  }
  if (!fields.has('rules')) {
    v.problem(map, pointer, 'a profile needs "policy: FILE" or inline "rules"');
    return undefined;
  }
  const inline = validatePolicyMap(v, map, pointer, true);
  if (name === undefined || inline === undefined) return undefined;
  return { name, policyFile: null, inline: { ...inline, name } };
}

function validateListener(v: Validator, node: unknown, pointer: string): ListenerConfig | undefined {
  const before = v.problems.length;
  const map = v.map(node, pointer, LISTENER_KEYS);
  if (!map) return undefined;
  const fields = new Map(entries(map));
  let socket: string | undefined;
  if (!fields.has('socket')) v.problem(map, pointer, 'a listener needs a "socket" (the Unix socket path to create)');
  else socket = v.absolutePath(fields.get('socket'), `${pointer}/socket`, 'an absolute socket path');
  let mode: number | null = null;
  if (fields.has('mode')) {
    const node = fields.get('mode');
    const raw = v.string(node, `${pointer}/mode`, 'an octal mode in quotes, like "0660"');
    if (raw !== undefined) {
      if (!/^0?[0-7]{3}$/.test(raw)) v.problem(node as Node, `${pointer}/mode`, `"${raw}" is not an octal mode like "0660"`);
      else if ((parseInt(raw, 8) & 0o111) !== 0) v.problem(node as Node, `${pointer}/mode`, `"${raw}" sets execute bits; sockets need read and write (e.g. "0660")`);
      else mode = parseInt(raw, 8);
    }
  }
  const owner = fields.has('owner') ? (idOrName(v, fields.get('owner'), `${pointer}/owner`, 'user') ?? null) : null;
  const group = fields.has('group') ? (idOrName(v, fields.get('group'), `${pointer}/group`, 'group') ?? null) : null;
  let profile: ProfileConfig | undefined;
  if (!fields.has('profile')) v.problem(map, pointer, 'a listener needs a "profile" (a name and a policy file or inline rules)');
  else profile = validateProfile(v, fields.get('profile'), `${pointer}/profile`);
  if (v.problems.length !== before || socket === undefined || profile === undefined) return undefined;
  return { socket, mode, owner, group, profile };
}

export function loadConfigText(text: string, file: string): ConfigResult {
  const { doc, v } = parseYaml(text, file);
  if (v.problems.length > 0) return { ok: false, problems: v.problems };
  const root = v.map(doc.contents, '', TOP_KEYS);
  if (!root) return { ok: false, problems: v.problems };
  const fields = new Map(entries(root));
  if (!fields.has('version')) v.problem(root, '', 'missing "version: 1"');
  else {
    const ver = fields.get('version');
    if (!(isScalar(ver) && ver.value === 1)) v.problem(ver as Node, '/version', 'only "version: 1" is supported');
  }
  let upstream: string | null = null;
  if (fields.has('upstream')) {
    upstream = v.absolutePath(fields.get('upstream'), '/upstream', "an absolute path to the engine's socket", "an absolute path to the engine's Unix socket") ?? null;
  }
  const listeners: ListenerConfig[] = [];
  const seq = fields.get('listeners');
  if (!fields.has('listeners')) v.problem(root, '', 'missing "listeners" (a list of sockets, each with a profile)');
  else if (!isSeq(seq) || seq.items.length === 0) v.problem(seq as Node, '/listeners', 'expected a non-empty list of listeners');
  else {
    const sockets = new Map<string, string>();
    const names = new Map<string, string>();
    seq.items.forEach((item, i) => {
      const pointer = `/listeners/${i}`;
      const l = validateListener(v, item, pointer);
      if (!l) return;
      const sameSocket = sockets.get(l.socket);
      if (sameSocket !== undefined) v.problem(item as Node, `${pointer}/socket`, `socket ${l.socket} is already used by ${sameSocket}`);
      sockets.set(l.socket, pointer);
      // One name, one profile: audit records identify a profile by its name.
      const sameName = names.get(l.profile.name);
      if (sameName !== undefined) v.problem(item as Node, `${pointer}/profile/name`, `profile name "${l.profile.name}" is already used by ${sameName}; give each listener's profile its own name`);
      names.set(l.profile.name, pointer);
      listeners.push(l);
    });
  }
  let metrics: ConfigDocument['metrics'] = null;
  if (fields.has('metrics')) {
    const map = v.map(fields.get('metrics'), '/metrics', ['listen']);
    const node = map?.get('listen', true);
    if (map && node === undefined) v.problem(map, '/metrics', 'metrics needs "listen" (127.0.0.1:PORT, [::1]:PORT, localhost:PORT or a socket path)');
    const raw = map && node !== undefined ? v.string(node, '/metrics/listen', 'an address like 127.0.0.1:9323 or a socket path') : undefined;
    if (raw !== undefined) {
      const r = parseAdminAddress(raw);
      const address = r.ok ? r.address : null;
      if (!r.ok) v.problem(node, '/metrics/listen', r.problem);
      else if (address?.kind === 'unix' && listeners.some((l) => l.socket === address.path)) v.problem(node, '/metrics/listen', `${raw} is a listener's socket; serve metrics on a socket of their own`);
      else metrics = { listen: r.address };
    }
  }
  const audit = fields.has('audit') ? validateAuditConfig(v, fields.get('audit'), '/audit') : null;
  if (v.problems.length > 0) return { ok: false, problems: v.problems };
  return { ok: true, config: { upstream, listeners, metrics, audit } };
}
