/**
 * The docker CLI plugins of the e2e run: docker compose v2 and docker buildx. .ci/run exports
 * SOCKGATE_E2E_CLI_PLUGINS, the directory scripts/modern-engine.sh unpacked them into (Debian
 * sid's docker-compose and docker-buildx packages). The docker CLI finds plugins in
 * $DOCKER_CONFIG/cli-plugins, so each user of this helper gets a private, empty DOCKER_CONFIG with
 * `cli-plugins/` symlinks to them (never ~/.docker). Without the variable, or without either
 * binary, the tests that need them FAIL (they are never skipped).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandResult } from './engine.js';

export const PLUGINS = ['docker-compose', 'docker-buildx'] as const;

/** The plugin directory, checked: both binaries present and executable. Throws a clear message otherwise. */
export function cliPluginDir(): string {
  const dir = process.env['SOCKGATE_E2E_CLI_PLUGINS'];
  const how =
    'The e2e tests of docker compose v2 and docker buildx need the CLI plugins: run `bash scripts/modern-engine.sh fetch` ' +
    'and export SOCKGATE_E2E_CLI_PLUGINS=<the "cli-plugins:" directory it prints> (.ci/run does).';
  if (dir === undefined || dir.trim() === '') throw new Error(`SOCKGATE_E2E_CLI_PLUGINS is not set. ${how}`);
  for (const name of PLUGINS) {
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile()) throw new Error('not a file');
      accessSync(path, constants.X_OK);
    } catch (e) {
      throw new Error(`SOCKGATE_E2E_CLI_PLUGINS=${dir} has no executable ${name} (${(e as Error).message}). ${how}`);
    }
  }
  return dir;
}

export interface PluginConfig {
  /** the DOCKER_CONFIG directory */
  readonly dir: string;
  cleanup(): void;
}

/** A private DOCKER_CONFIG whose cli-plugins/ links to the plugins (buildx also keeps its builder state here). */
export function pluginConfig(prefix = 'sg-plugcfg-'): PluginConfig {
  const plugins = cliPluginDir();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'cli-plugins'));
  for (const name of PLUGINS) symlinkSync(join(plugins, name), join(dir, 'cli-plugins', name));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Run the docker CLI (with the plugins of `config`) against a socket. The inherited environment
 * loses every DOCKER_*, COMPOSE_*, BUILDX_* and BUILDKIT_* variable, so nothing but the arguments
 * and the socket decides what the CLI and its plugins do.
 */
export function dockerCli(
  config: PluginConfig,
  socketPath: string,
  args: readonly string[],
  opts: { cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(DOCKER|COMPOSE|BUILDX|BUILDKIT)_/.test(k)) env[k] = v;
  Object.assign(env, { DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: config.dir, DOCKER_CLI_HINTS: 'false', NO_COLOR: '1' });
  return new Promise((resolve) => {
    const child = execFile(
      'docker',
      [...args],
      { env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }) },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; killed?: boolean; signal?: unknown }) | null;
        const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
        const note = e && typeof e.code !== 'number' ? `\n[docker ${args.join(' ')}: ${e.message}${e.killed ? ` (killed: ${String(e.signal)})` : ''}]` : '';
        resolve({ code, stdout, stderr: stderr + note });
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}
