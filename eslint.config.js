// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureCoreBoundary = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['fastify', '@fastify/*', 'pino', 'undici'], message: 'policy/, request/ and inspect/ are pure: no fastify, pino or undici.' },
        { group: ['node:http', 'node:net', 'http', 'net'], message: 'policy/, request/ and inspect/ are pure: no sockets.' },
      ],
    },
  ],
};

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
  { files: ['src/policy/**/*.ts', 'src/request/**/*.ts', 'src/inspect/**/*.ts', 'src/metrics/**/*.ts'], rules: pureCoreBoundary },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli.ts'],
    rules: { 'no-restricted-globals': ['error', { name: 'process', message: 'Only src/cli.ts touches process.' }] },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
