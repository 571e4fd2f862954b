/**
 * What a Dockerfile makes the engine fetch, read the way the classic builder's parser reads it
 * (moby/buildkit frontend/dockerfile/parser, used by moby builder/dockerfile): the `escape`
 * parser directive, comments, line continuations; instructions case-insensitive. For a proxy
 * what matters is every image the build pulls (FROM, COPY --from=<image>) and every ADD source
 * the engine downloads itself (a URL). A variable in any of those would be expanded by the
 * builder from ARGs and build arguments: sockgate does not expand them, and refuses. Pure.
 */

export interface DockerfileFetches {
  /** image references the build may pull, with their 1-based line */
  readonly images: readonly { readonly ref: string; readonly line: number }[];
  /** ADD sources the engine would download */
  readonly urls: readonly { readonly url: string; readonly line: number }[];
  /** the images stages are built FROM (no stage names, no scratch): the builder runs their ONBUILD triggers */
  readonly bases: readonly { readonly ref: string; readonly line: number }[];
}

export type DockerfileReading = ({ readonly ok: true } & DockerfileFetches) | { readonly ok: false; readonly reason: string; readonly line: number };

interface Instruction {
  readonly keyword: string;
  readonly rest: string;
  readonly line: number;
}

/** Logical instructions: directives read, comments dropped, continuations joined. */
function instructions(text: string): Instruction[] {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  // parser directives: `# key=value` lines before anything else
  for (; i < lines.length; i++) {
    const m = /^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[i]!);
    if (m === null) break;
    if (m[1]!.toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2]!;
  }
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (pending === '' && /^\s*$/.test(line)) continue;
    // comment lines are dropped, also inside a continuation
    if (/^\s*#/.test(line)) continue;
    if (pending === '') start = i + 1;
    const trimmed = line.replace(/\s+$/, '');
    if (trimmed.endsWith(escape)) {
      pending += trimmed.slice(0, -1);
      continue;
    }
    pending += line;
    const m = /^\s*(\S+)\s*(.*)$/.exec(pending);
    if (m !== null) out.push({ keyword: m[1]!.toUpperCase(), rest: m[2]!, line: start });
    pending = '';
  }
  if (pending !== '') {
    const m = /^\s*(\S+)\s*(.*)$/.exec(pending);
    if (m !== null) out.push({ keyword: m[1]!.toUpperCase(), rest: m[2]!, line: start });
  }
  return out;
}

/** `--name=value` flags, then the arguments (a JSON array, or words). */
function splitArgs(rest: string): { flags: Map<string, string>; args: string[] } | null {
  const flags = new Map<string, string>();
  let s = rest.trim();
  for (;;) {
    const m = /^--([a-zA-Z-]+)(?:=(\S*))?\s*/.exec(s);
    if (m === null) break;
    flags.set(m[1]!.toLowerCase(), m[2] ?? '');
    s = s.slice(m[0].length);
  }
  if (s.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(s);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return { flags, args: parsed };
    } catch {
      /* not JSON: read as words, as the parser does */
    }
  }
  return { flags, args: s.split(/\s+/).filter((w) => w !== '') };
}

const IS_URL = /^(https?|git|ssh|ftp):\/\/|^git@/i;

export function readDockerfile(text: string): DockerfileReading {
  const images: { ref: string; line: number }[] = [];
  const urls: { url: string; line: number }[] = [];
  const bases: { ref: string; line: number }[] = [];
  const stages = new Set<string>();
  let stageCount = 0;
  for (const ins of instructions(text)) {
    const parsed = splitArgs(ins.rest);
    if (parsed === null) return { ok: false, reason: `cannot read ${ins.keyword}`, line: ins.line };
    const { flags, args } = parsed;
    switch (ins.keyword) {
      case 'FROM': {
        const ref = args[0] ?? '';
        if (ref === '') return { ok: false, reason: 'FROM names no image', line: ins.line };
        if (ref.includes('$')) return { ok: false, reason: `FROM ${ref}: sockgate does not expand variables in image references`, line: ins.line };
        if (ref.toLowerCase() !== 'scratch' && !stages.has(ref.toLowerCase())) {
          images.push({ ref, line: ins.line });
          bases.push({ ref, line: ins.line });
        }
        if (args.length >= 3 && args[1]!.toUpperCase() === 'AS') stages.add(args[2]!.toLowerCase());
        stageCount++;
        break;
      }
      case 'COPY': {
        const from = flags.get('from');
        if (from !== undefined) {
          if (from.includes('$')) return { ok: false, reason: `COPY --from=${from}: sockgate does not expand variables in image references`, line: ins.line };
          const isStage = stages.has(from.toLowerCase()) || (/^[0-9]+$/.test(from) && Number(from) < stageCount);
          if (!isStage) images.push({ ref: from, line: ins.line });
        }
        break;
      }
      case 'ADD': {
        const sources = args.slice(0, -1);
        for (const src of sources) {
          if (src.includes('$')) return { ok: false, reason: `ADD ${src}: sockgate does not expand variables in ADD sources`, line: ins.line };
          if (IS_URL.test(src)) urls.push({ url: src, line: ins.line });
        }
        break;
      }
      case 'ONBUILD':
        // runs in the builds of images FROM this one, not in this one: read there, from the
        // base image's config (inspect/build-context.ts onBuildProblem)
        break;
      default:
        break;
    }
  }
  return { ok: true, images, urls, bases };
}
