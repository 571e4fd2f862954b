/**
 * The one place where micromatch options are pinned, so every glob in every policy means the
 * same thing: `*` never crosses "/", `**` spans segments, dot-files are not special, no negation
 * or extglobs, case-sensitive, unbalanced brackets are an error.
 */
import micromatch from 'micromatch';

export const GLOB_OPTIONS: micromatch.Options = Object.freeze({
  dot: true,
  nonegate: true,
  noextglob: true,
  nocase: false,
  strictBrackets: true,
  posix: true,
  windows: false,
});

/** Compile a glob to an anchored RegExp; throws with micromatch's message on an invalid glob. */
export function compileGlob(glob: string): RegExp {
  if (glob.length === 0) throw new Error('glob is empty');
  if (glob.startsWith('!')) throw new Error('negated globs are not supported: write a deny rule instead');
  const re = micromatch.makeRe(glob, GLOB_OPTIONS);
  if (!(re instanceof RegExp)) throw new Error('glob did not compile');
  return re;
}
