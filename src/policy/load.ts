/**
 * Parse a policy file (YAML) and validate it against the closed schema, collecting every problem
 * with file:line:col and a JSON pointer. Pure: takes text, returns a PolicyDocument or problems.
 * The policy's own keys are checked here; a rule and its conditions in load-rule.ts and the files
 * it names (load-conditions.ts, load-body.ts, load-matcher.ts).
 */

import { isScalar, isSeq, type Node } from 'yaml';
import type { Effect, PolicyDocument, PolicyMode, RuleDocument } from './document.js';
import { validateTarget } from './load-conditions.js';
import { validateRule } from './load-rule.js';
import { REDACTABLE_ENDPOINTS } from './redact.js';
import { entries, parseYaml, type PolicyProblem, type Validator } from '../yaml-validator.js';

export type LoadResult =
  | { readonly ok: true; readonly document: PolicyDocument }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

/** `redact: [{ endpoints: [containers.inspect], fields: [Config.Env] }]` */
function validateRedact(v: Validator, node: unknown, pointer: string): PolicyDocument['redact'] {
  if (!isSeq(node) || node.items.length === 0) {
    v.problem(node as Node, pointer, 'expected a non-empty list of { endpoints, fields }');
    return undefined;
  }
  const out: { endpoints: string[]; fields: string[] }[] = [];
  node.items.forEach((item, i) => {
    const p = `${pointer}/${i}`;
    const map = v.map(item, p, ['endpoints', 'fields']);
    if (!map) return;
    const f = new Map(entries(map));
    if (!f.has('endpoints') || !f.has('fields')) {
      v.problem(map, p, 'a redaction needs "endpoints" and "fields"');
      return;
    }
    const endpoints = v.strings(f.get('endpoints'), `${p}/endpoints`) ?? [];
    for (const e of endpoints) {
      if (!REDACTABLE_ENDPOINTS.has(e.value)) {
        v.problem(e.node, e.pointer, `"${e.value}" is not an endpoint whose answer sockgate can redact (${[...REDACTABLE_ENDPOINTS].join(', ')})`);
      }
    }
    const fieldPaths = v.strings(f.get('fields'), `${p}/fields`) ?? [];
    for (const x of fieldPaths) {
      if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(x.value)) v.problem(x.node, x.pointer, `"${x.value}" is not a dotted field path such as Config.Env`);
    }
    out.push({ endpoints: endpoints.map((e) => e.value), fields: fieldPaths.map((x) => x.value) });
  });
  return out;
}

/** An inline policy (a profile in a config file): the keys of a policy file without `version`. */
export const INLINE_POLICY_KEYS = ['name', 'description', 'mode', 'default', 'scope', 'ownership', 'redact', 'rules'] as const;
const TOP_KEYS = ['version', ...INLINE_POLICY_KEYS] as const;

/**
 * Validate a policy mapping (a policy file's root, or an inline profile in a config file, which
 * has no `version`). Problems go to `v`; the document is returned when this mapping had none.
 */
export function validatePolicyMap(v: Validator, node: unknown, pointer: string, inline: boolean): PolicyDocument | undefined {
  const problemsBefore = v.problems.length;
  const root = v.map(node, pointer, inline ? INLINE_POLICY_KEYS : TOP_KEYS);
  if (!root) return undefined;
  const fields = new Map(entries(root));

  if (!inline) {
    if (!fields.has('version')) v.problem(root, pointer, 'missing "version: 1"');
    else {
      const ver = fields.get('version');
      if (!(isScalar(ver) && ver.value === 1)) v.problem(ver as Node, `${pointer}/version`, 'only "version: 1" is supported');
    }
  }

  let name: string | undefined;
  if (fields.has('name')) name = v.string(fields.get('name'), `${pointer}/name`);
  let description: string | undefined;
  if (fields.has('description')) description = v.string(fields.get('description'), `${pointer}/description`);

  let mode: PolicyMode | undefined;
  if (fields.has('mode')) {
    const m = v.string(fields.get('mode'), `${pointer}/mode`, '"enforce" or "audit"');
    if (m === 'enforce' || m === 'audit') mode = m;
    else if (m !== undefined) v.problem(fields.get('mode') as Node, `${pointer}/mode`, `mode must be "enforce" or "audit" (allow everything, record what would be denied), not "${m}"`);
  }

  let def: Effect = 'deny';
  if (fields.has('default')) {
    const d = v.string(fields.get('default'), `${pointer}/default`, '"allow" or "deny"');
    if (d === 'allow' || d === 'deny') def = d;
    else if (d !== undefined) v.problem(fields.get('default') as Node, `${pointer}/default`, `default must be "allow" or "deny", not "${d}"`);
  }

  let scope: PolicyDocument['scope'];
  if (fields.has('scope')) {
    const snode = v.map(fields.get('scope'), `${pointer}/scope`, ['containers']);
    const sfields = snode ? new Map(entries(snode)) : new Map<string, unknown>();
    if (snode && !sfields.has('containers')) v.problem(snode, `${pointer}/scope`, 'expected "containers" (conditions like a rule\'s target: name, image, labels)');
    else if (snode) {
      const containers = validateTarget(v, sfields.get('containers'), `${pointer}/scope/containers`);
      if (containers) scope = { containers };
    }
  }

  let ownership: boolean | undefined;
  if (fields.has('ownership')) ownership = v.bool(fields.get('ownership'), `${pointer}/ownership`);

  let redact: PolicyDocument['redact'];
  if (fields.has('redact')) redact = validateRedact(v, fields.get('redact'), `${pointer}/redact`);

  const rules: RuleDocument[] = [];
  if (!fields.has('rules')) v.problem(root, pointer, 'missing "rules" (a list; it may be empty)');
  else {
    const seq = fields.get('rules');
    if (!isSeq(seq)) v.problem(seq as Node, `${pointer}/rules`, 'expected a list of rules');
    else {
      const seen = new Map<string, string>();
      seq.items.forEach((item, i) => {
        const r = validateRule(v, item, `${pointer}/rules/${i}`, seen);
        if (r) rules.push(r);
      });
    }
  }

  if (v.problems.length !== problemsBefore) return undefined;
  return {
    version: 1,
    default: def,
    rules,
    ...(name !== undefined ? { name } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(mode !== undefined ? { mode } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(ownership !== undefined ? { ownership } : {}),
    ...(redact !== undefined ? { redact } : {}),
  };
}

/** Parse and validate a policy. `file` is used only to label problems. */
export function loadPolicyText(text: string, file: string): LoadResult {
  const { doc, v } = parseYaml(text, file);
  if (v.problems.length > 0) return { ok: false, problems: v.problems };
  const document = validatePolicyMap(v, doc.contents, '', false);
  if (document === undefined || v.problems.length > 0) return { ok: false, problems: v.problems };
  return { ok: true, document };
}
