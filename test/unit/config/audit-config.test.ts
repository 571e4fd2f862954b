import { describe, expect, it } from 'vitest';
import { validateAuditConfig } from '../../../src/config/audit-config.js';
import { loadConfigText } from '../../../src/config/file.js';
import { parseCommand } from '../../../src/config/options.js';
import { SockgateError } from '../../../src/errors.js';
import { parseYaml } from '../../../src/yaml-validator.js';

const LISTENERS = `version: 1
listeners:
  - socket: /run/sockgate/ci.sock
    profile:
      name: ci
      default: deny
      rules:
        - id: allow-ping
          effect: allow
          endpoints: [system.ping]
`;

const problemsOf = (text: string): string[] => {
  const r = loadConfigText(text, 'c.yaml');
  return r.ok ? [] : r.problems.map((p) => `${p.line}:${p.col} ${p.pointer} ${p.message}`);
};

describe('config file: audit section', () => {
  it('reads the audit file, its size limit and the rotated files to keep', () => {
    const r = loadConfigText(`${LISTENERS}audit:\n  file: /var/log/sockgate/audit.jsonl\n  maxBytes: 1048576\n  keep: 3\n`, 'c.yaml');
    expect(r.ok && r.config.audit).toEqual({ file: '/var/log/sockgate/audit.jsonl', maxBytes: 1048576, keep: 3 });
  });

  it('leaves size and keep to the flags or defaults when not given, and has no audit without the section', () => {
    const r = loadConfigText(`${LISTENERS}audit:\n  file: /a.log\n`, 'c.yaml');
    expect(r.ok && r.config.audit).toEqual({ file: '/a.log', maxBytes: null, keep: null });
    const none = loadConfigText(LISTENERS, 'c.yaml');
    expect(none.ok && none.config.audit).toBeNull();
  });

  it('refuses a relative file, a missing file, bad numbers and unknown keys, each with its line and pointer', () => {
    expect(problemsOf(`${LISTENERS}audit:\n  file: audit.log\n`)).toEqual(['12:9 /audit/file "audit.log" must be an absolute path']);
    expect(problemsOf(`${LISTENERS}audit:\n  keep: 2\n`)).toEqual(['12:3 /audit audit needs "file" (an absolute path for the audit records)']);
    expect(problemsOf(`${LISTENERS}audit:\n  file: /a.log\n  maxBytes: 0\n  keep: -1\n`)).toEqual([
      '13:13 /audit/maxBytes expected a whole number of at least 1',
      '14:9 /audit/keep expected a whole number of at least 0',
    ]);
    expect(problemsOf(`${LISTENERS}audit:\n  file: /a.log\n  rotate: daily\n`)).toEqual(['13:3 /audit/rotate unknown key "rotate"; allowed here: file, maxBytes, keep']);
  });
});

describe('audit and log-format flags', () => {
  const run = (argv: string[], env: Record<string, string> = {}) => {
    const c = parseCommand(argv, env, { uid: 0, tmpdir: '/tmp' });
    if (c.kind !== 'run') throw new Error(c.kind);
    return c.options;
  };

  it('defaults to JSON logs and no audit file, leaving size and keep to the config file or the defaults', () => {
    expect(run([])).toMatchObject({ logFormat: 'json', auditFile: null, auditMaxBytes: null, auditKeep: null });
  });

  it('reads the flags and their environment variables, the flag winning', () => {
    expect(run(['--audit-file', '/var/log/a.log', '--audit-max-bytes', '1000', '--audit-keep', '0', '--log-format', 'pretty'])).toMatchObject({
      auditFile: '/var/log/a.log',
      auditMaxBytes: 1000,
      auditKeep: 0,
      logFormat: 'pretty',
    });
    expect(run([], { SOCKGATE_AUDIT_FILE: '/e.log', SOCKGATE_LOG_FORMAT: 'pretty', SOCKGATE_AUDIT_KEEP: '2' })).toMatchObject({ auditFile: '/e.log', logFormat: 'pretty', auditKeep: 2 });
    expect(run(['--audit-file', '/f.log'], { SOCKGATE_AUDIT_FILE: '/e.log' }).auditFile).toBe('/f.log');
  });

  it('refuses a relative audit file, a zero size, a bad keep count and an unknown format', () => {
    let err: unknown;
    try {
      run(['--audit-file', 'a.log', '--audit-max-bytes', '0', '--audit-keep', 'x', '--log-format', 'yaml']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SockgateError);
    expect((err as SockgateError).details).toEqual([
      '--log-format: "yaml" is not one of json, pretty',
      '--audit-file: "a.log" must be an absolute path',
      '--audit-max-bytes: "0" is not a whole number of at least 1',
      '--audit-keep: "x" is not a whole number',
    ]);
  });
});

/** Validate `text` as the audit section at /audit; the result and the problems as "pointer message". */
function validate(text: string) {
  const { doc, v } = parseYaml(text, 'c.yaml');
  const config = validateAuditConfig(v, doc.contents, '/audit');
  return { config, problems: v.problems.map((p) => `${p.pointer} ${p.message}`) };
}

// validateAuditConfig on its own: what it returns for each shape of the section, and what it reports.
describe('the audit section, validated on its own', () => {
  it.each([
    ['a file alone, size and keep left to flags or defaults', 'file: /a.log\n', { file: '/a.log', maxBytes: null, keep: null }],
    ['the smallest size limit and keeping no rotated files', 'file: /a.log\nmaxBytes: 1\nkeep: 0\n', { file: '/a.log', maxBytes: 1, keep: 0 }],
    ['large whole numbers', 'file: /var/log/a.jsonl\nmaxBytes: 52428800\nkeep: 100\n', { file: '/var/log/a.jsonl', maxBytes: 52428800, keep: 100 }],
  ])('reads %s', (_what, text, expected) => {
    expect(validate(text)).toEqual({ config: expected, problems: [] });
  });

  it.each([
    ['a section that is not a mapping', 'just-a-string\n', ['/audit expected a mapping']],
    ['a section without a file', 'keep: 2\n', ['/audit audit needs "file" (an absolute path for the audit records)']],
    ['a relative file', 'file: a.log\n', ['/audit/file "a.log" must be an absolute path']],
    ['a size limit of 0', 'file: /a.log\nmaxBytes: 0\n', ['/audit/maxBytes expected a whole number of at least 1']],
    ['a fractional size limit', 'file: /a.log\nmaxBytes: 1.5\n', ['/audit/maxBytes expected a whole number of at least 1']],
    ['a quoted number', 'file: /a.log\nkeep: "3"\n', ['/audit/keep expected a whole number of at least 0']],
    ['a negative keep', 'file: /a.log\nkeep: -1\n', ['/audit/keep expected a whole number of at least 0']],
    ['a number past the safe integers', 'file: /a.log\nmaxBytes: 9007199254740993\n', ['/audit/maxBytes expected a whole number of at least 1']],
  ])('gives no config, and says why, for %s', (_what, text, problems) => {
    expect(validate(text)).toEqual({ config: null, problems });
  });

  it('reports every problem of the section at once', () => {
    expect(validate('file: a.log\nmaxBytes: 0\nkeep: x\n').problems).toHaveLength(3);
  });
});
