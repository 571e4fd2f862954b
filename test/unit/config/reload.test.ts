import { describe, expect, it } from 'vitest';
import { reloadProblems, type ListenerShape } from '../../../src/config/reload.js';

const l = (listen: string, over: Partial<ListenerShape> = {}): ListenerShape => ({ listen, mode: 0o660, uid: null, gid: null, profile: listen.slice(1), ...over });

describe('reloadProblems', () => {
  it('accepts the same listeners in any order: only policies change', () => {
    expect(reloadProblems([l('/a'), l('/b')], [l('/b'), l('/a')], false)).toEqual([]);
  });

  it('refuses, with a reason each, what needs sockets made again, another engine or a renamed profile', () => {
    const problems = reloadProblems([l('/a'), l('/b'), l('/c')], [l('/a', { mode: 0o600 }), l('/b', { profile: 'other' }), l('/d')], true);
    expect(problems).toEqual([
      'the upstream (engine socket) changed; restart sockgate to use another engine',
      'listener /c was removed; restart sockgate to remove a listener',
      'listener /a: mode, owner or group changed; restart sockgate to apply them',
      'listener /b: profile name changed from "b" to "other" (the audit identity and owner label); restart sockgate to rename it',
      'listener /d was added; restart sockgate to add a listener',
    ]);
  });
});
