/**
 * What a reload may change. Policies and profiles' rules are swapped in place; anything that
 * needs sockets to be made again (a listener added, removed or moved, its mode, owner or group),
 * another engine, or another profile name (the owner label of ownership mode) needs a restart,
 * and a reload that asks for one is refused as a whole. Pure.
 */

export interface ListenerShape {
  readonly listen: string;
  readonly mode: number;
  readonly uid: number | null;
  readonly gid: number | null;
  readonly profile: string;
}

/** Why `next` cannot replace `current` by a reload; empty when it can. */
export function reloadProblems(current: readonly ListenerShape[], next: readonly ListenerShape[], upstreamChanged: boolean): string[] {
  const problems: string[] = [];
  if (upstreamChanged) problems.push('the upstream (engine socket) changed; restart sockgate to use another engine');
  const before = new Map(current.map((l) => [l.listen, l]));
  const after = new Map(next.map((l) => [l.listen, l]));
  for (const l of current) if (!after.has(l.listen)) problems.push(`listener ${l.listen} was removed; restart sockgate to remove a listener`);
  for (const l of next) {
    const was = before.get(l.listen);
    if (was === undefined) {
      problems.push(`listener ${l.listen} was added; restart sockgate to add a listener`);
      continue;
    }
    if (was.mode !== l.mode || was.uid !== l.uid || was.gid !== l.gid) problems.push(`listener ${l.listen}: mode, owner or group changed; restart sockgate to apply them`);
    if (was.profile !== l.profile) problems.push(`listener ${l.listen}: profile name changed from "${was.profile}" to "${l.profile}" (the audit identity and owner label); restart sockgate to rename it`);
  }
  return problems;
}
