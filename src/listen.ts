/**
 * Creating the listening Unix socket safely.
 *
 * - An existing socket file is probed: if a process answers, the path is in use (error); if the
 *   connection is refused, it is a stale socket left by a dead process and is replaced.
 * - Any other kind of file at the path is an error: sockgate never deletes what it did not create.
 * - The socket is bound inside a fresh 0700 directory next to the target, given its mode and
 *   group there, and only then renamed into place, so it is never reachable with wider
 *   permissions than configured, not even between bind and chmod.
 */

import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { sockgateError } from './errors.js';

function probe(path: string): Promise<'live' | 'stale'> {
  return new Promise((resolve, reject) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve('live');
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve('stale');
      else reject(err);
    });
  });
}

/** Make sure `path` can be bound: absent, or a stale socket (which is removed). */
export async function clearStaleSocket(path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw sockgateError('SOCKGATE_ERR_LISTEN_FAILED', { step: 'inspect', path, cause: err });
  }
  if (!st.isSocket()) {
    throw sockgateError('SOCKGATE_ERR_LISTEN_NOT_SOCKET', { path });
  }
  let state: 'live' | 'stale';
  try {
    state = await probe(path);
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_LISTEN_FAILED', { step: 'probe', path, cause: err });
  }
  if (state === 'live') {
    throw sockgateError('SOCKGATE_ERR_LISTEN_IN_USE', { path });
  }
  unlinkSync(path);
}

/** Resolve a name or a number through an /etc/passwd- or /etc/group-style file (id in field 3). */
function resolveId(value: string, file: string, what: 'user' | 'group'): number {
  if (/^[0-9]+$/.test(value)) return Number(value);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    /* fall through to the error below */
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name === value && id !== undefined && /^[0-9]+$/.test(id)) return Number(id);
  }
  throw sockgateError('SOCKGATE_ERR_LISTEN_FAILED', { step: 'lookup-id', what, value, file });
}

/** Resolve a group name or numeric gid using /etc/group. */
export function resolveGroup(group: string, groupFile = '/etc/group'): number {
  return resolveId(group, groupFile, 'group');
}

/** Resolve a user name or numeric uid using /etc/passwd. */
export function resolveUser(user: string, passwdFile = '/etc/passwd'): number {
  return resolveId(user, passwdFile, 'user');
}

export interface PreparedSocket {
  /** where to bind (inside a private directory) */
  readonly bindPath: string;
  /** after binding: apply mode and group, then move the socket to its final path */
  publish(): void;
  /** remove the socket (and the private directory if still there) */
  cleanup(): void;
}

export async function prepareSocket(path: string, mode: number, gid: number | null, uid: number | null = null): Promise<PreparedSocket> {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_LISTEN_FAILED', { step: 'mkdir', path: dir, cause: err });
  }
  await clearStaleSocket(path);
  let privateDir: string;
  try {
    privateDir = mkdtempSync(join(dir, `.${basename(path)}.`));
  } catch (err) {
    throw sockgateError('SOCKGATE_ERR_LISTEN_FAILED', { step: 'tempdir', path: dir, cause: err });
  }
  const bindPath = join(privateDir, 's');
  let published = false;
  return {
    bindPath,
    publish() {
      try {
        chmodSync(bindPath, mode);
        if (gid !== null || uid !== null) chownSync(bindPath, uid ?? -1, gid ?? -1);
        renameSync(bindPath, path);
        published = true;
        rmdirSync(privateDir);
      } catch (err) {
        throw sockgateError('SOCKGATE_ERR_LISTEN_FAILED', { step: 'publish', path, cause: err });
      }
    },
    cleanup() {
      for (const p of published ? [path] : [bindPath]) {
        try {
          unlinkSync(p);
        } catch {
          /* already gone */
        }
      }
      try {
        rmdirSync(privateDir);
      } catch {
        /* already gone */
      }
    },
  };
}
