/** Small tar archives for tests, made with the system's tar (GNU tar), from name → content. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function tarOf(files: Readonly<Record<string, string | { symlink: string }>>, options: { format?: 'gnu' | 'posix' | 'ustar'; gzip?: boolean } = {}): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'sg-tar-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      if (typeof content === 'string') writeFileSync(join(dir, name), content);
      else symlinkSync(content.symlink, join(dir, name));
    }
    const args = ['-C', dir, `--format=${options.format ?? 'gnu'}`, ...(options.gzip ? ['-z'] : []), '-c', ...Object.keys(files)];
    return execFileSync('tar', args, { maxBuffer: 64 << 20 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
