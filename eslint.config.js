// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Architecture boundaries (README "Layout"), one no-restricted-imports entry per folder. Imports
// inside src/ are relative, so another part of src/ is named by what follows the leading "../".
// A later entry for the same file replaces an earlier one's options, so each folder's entry
// carries the pure-core patterns too where they apply.

/**
 * Patterns refusing imports of other parts of src/: `folders` (policy/…) and top-level `modules` (gate.ts).
 * @param {string[]} folders
 * @param {string[]} modules
 * @param {string} message
 */
function parts(folders, modules, message) {
  const up = String.raw`^(?:\.\./)+`;
  return [
    ...(folders.length > 0 ? [{ regex: `${up}(?:${folders.join('|')})(?:/|$)`, message }] : []),
    ...(modules.length > 0 ? [{ regex: `${up}(?:${modules.join('|')})\\.js$`, message }] : []),
  ];
}

/** policy/, request/ and inspect/ (and the pure modules they share) reach no framework, logger or socket. */
const pureCore = [
  { group: ['fastify', '@fastify/*', 'pino', 'undici'], message: 'policy/, request/ and inspect/ are pure: no fastify, pino or undici.' },
  { group: ['node:http', 'node:net', 'http', 'net'], message: 'policy/, request/ and inspect/ are pure: no sockets.' },
];

/** Where requests are decided and answered: no folder below them imports them. */
const DECIDING = ['gate', 'gate-audit', 'gate-headers', 'gate-refs', 'server'];
/** What acts on a decision or runs beside it: the pure core imports none of it. */
const ACTING = ['proxy', 'audit', 'config', 'admin', 'metrics', 'suggest'];

const boundaries = [
  {
    // The bottom of the pure core: the request line, endpoints, targets, engine value semantics.
    files: ['src/request/**/*.ts'],
    patterns: [...pureCore, ...parts(['policy', 'inspect', ...ACTING], DECIDING, 'request/ is the bottom layer: it imports neither inspect/, policy/ nor anything that decides or acts.')],
  },
  {
    // Bodies and engine answers decoded into facts; policy/ decides on them, never the reverse.
    files: ['src/inspect/**/*.ts'],
    patterns: [...pureCore, ...parts(['policy', ...ACTING], DECIDING, 'inspect/ decodes, it does not decide: it imports only request/ and the shared pure modules.')],
  },
  {
    files: ['src/policy/**/*.ts'],
    patterns: [...pureCore, ...parts(ACTING, DECIDING, 'policy/ is pure decision data: it imports only request/, inspect/ and the shared pure modules.')],
  },
  {
    files: ['src/metrics/**/*.ts', 'src/json-view.ts', 'src/yaml-validator.ts', 'src/errors.ts'],
    patterns: pureCore,
  },
  {
    // proxy/ receives a decision and never makes one; its lookups answer with inspect/ facts.
    files: ['src/proxy/**/*.ts'],
    patterns: parts(['policy', 'config', 'audit'], DECIDING, 'proxy/ forwards and looks up, it never decides: no policy/, config/, audit/, gate or server.'),
  },
  {
    // audit/ writes records from plain data (gate-audit.ts builds a decision's).
    files: ['src/audit/**/*.ts'],
    patterns: parts(['policy', 'proxy'], DECIDING, 'audit/ records plain data: no gate, server, policy/ or proxy/.'),
  },
  {
    // views/: what a profile may see of answers and events, from decision data and facts only.
    files: ['src/views/**/*.ts'],
    patterns: [
      { group: ['fastify', '@fastify/*', 'pino', 'undici'], message: 'views/ rewrite data: no fastify, pino or undici.' },
      ...parts(['proxy', 'pipeline', ...ACTING.filter((f) => f !== 'proxy'), 'commands'], DECIDING, 'views/ say what a profile may see: they import only policy/, inspect/, request/ and the shared pure modules.'),
    ],
  },
  {
    // pipeline/: the request path's stages; buildServer (server.ts) wires them, never the reverse.
    files: ['src/pipeline/**/*.ts'],
    patterns: parts(['config', 'admin', 'metrics', 'suggest', 'commands'], ['server', 'cli'], 'pipeline/ is the request path: server.ts wires it; it imports no server, commands or config.'),
  },
].map(({ files, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } }));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...boundaries,
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli.ts'],
    rules: { 'no-restricted-globals': ['error', { name: 'process', message: 'Only src/cli.ts touches process.' }] },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
