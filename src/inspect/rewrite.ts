/**
 * Change one top-level member of a JSON object body while leaving every other byte as the
 * client sent it (numbers keep their exact digits, strings their escapes). Used to write the
 * owner label into an owned create. Only called on bodies inspectBody accepted: valid UTF-8, one
 * JSON object, keys spelled exactly and never repeated, so "the member named Labels" is the one
 * the engine reads. The caller inspects the result again: what is forwarded is what is checked.
 */

interface Member {
  readonly key: string;
  readonly valueStart: number;
  readonly valueEnd: number;
}

const WS = new Set([' ', '\t', '\n', '\r']);

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text[i]!)) i++;
  return i;
}

/** End (exclusive) of the string literal starting at `i` (a '"'). */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  throw new Error('unterminated string');
}

/** End (exclusive) of the JSON value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') {
        j = skipString(text, j) - 1;
      } else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new Error('unterminated container');
  }
  let j = i;
  while (j < text.length && !WS.has(text[j]!) && text[j] !== ',' && text[j] !== '}' && text[j] !== ']') j++;
  return j;
}

function topLevelMembers(text: string): { members: Member[]; open: number; close: number } {
  let i = skipWs(text, 0);
  if (text[i] !== '{') throw new Error('the body is not a JSON object');
  const open = i;
  const members: Member[] = [];
  i = skipWs(text, i + 1);
  if (text[i] === '}') return { members, open, close: i };
  for (;;) {
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, keyEnd);
    if (text[i] !== ':') throw new Error('expected ":"');
    const valueStart = skipWs(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, valueStart, valueEnd });
    i = skipWs(text, valueEnd);
    if (text[i] === ',') {
      i = skipWs(text, i + 1);
      continue;
    }
    if (text[i] === '}') return { members, open, close: i };
    throw new Error('expected "," or "}"');
  }
}

/**
 * The body with top-level member `key` set to `value` (JSON-encoded here): replaced in place
 * when present (once: keys are unique), otherwise added as the first member. An empty body is
 * read as `{}` (the engine's zero value for the endpoints that accept one).
 */
export function setTopLevelMember(text: string, key: string, value: unknown): string {
  const encoded = JSON.stringify(value);
  if (text.trim() === '') return `{${JSON.stringify(key)}:${encoded}}`;
  const { members, open } = topLevelMembers(text);
  const found = members.filter((m) => m.key === key);
  if (found.length > 1) throw new Error(`member ${key} appears more than once`);
  const m = found[0];
  if (m !== undefined) return text.slice(0, m.valueStart) + encoded + text.slice(m.valueEnd);
  const separator = members.length > 0 ? ',' : '';
  return `${text.slice(0, open + 1)}${JSON.stringify(key)}:${encoded}${separator}${text.slice(open + 1)}`;
}
