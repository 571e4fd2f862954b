/** Renders docs/endpoints.md from the endpoint table (npm run docs; a test keeps it in sync). */
import { ENDPOINTS, type Endpoint } from './endpoints.js';

/** An endpoint's traits as short words for the table (the legend above it says what each means). */
function traitWords(e: Endpoint): string[] {
  const words: string[] = [];
  if (e.stream) words.push('stream');
  if (e.awaitsWork) words.push('awaits work');
  if (e.target !== undefined) words.push(`target: ${e.target}`);
  if (e.pathObject !== undefined) words.push(`path object: ${e.pathObject}`);
  if (e.labelPlaces !== undefined) words.push(`labels: ${e.labelPlaces.map((p) => `\`${p}\``).join(' ')}`);
  if (e.ownedCreate) words.push('owned create');
  if (e.body !== undefined) words.push(`body: ${e.body}`);
  if (e.redactable) words.push('redactable');
  return words;
}

export function renderEndpointTable(): string {
  const lines = [
    '# Endpoint ids',
    '',
    'Generated from `src/request/endpoints.ts` by `npm run docs`; do not edit by hand.',
    '',
    'Routes are tried in this order, first match wins, as in the engine\'s router. Templates are',
    'written without the optional `/vX.Y` prefix; `{name}` is one path segment, `{name*}` one or',
    'more segments. `hijack` marks endpoints that switch protocols (attach, exec start, session, grpc).',
    '',
    'Traits say how sockgate treats an endpoint beyond its rules:',
    '',
    '- `stream`: the answer stays open (events, logs, stats, wait, attach, exec start); a policy reload re-checks it.',
    '- `awaits work`: the engine answers only when the work is done, so no upstream headers timeout applies.',
    '- `target: container` / `target: exec`: the request acts on one container, named in the path or through',
    '  the exec instance the path names; target conditions and a profile\'s scope apply to it.',
    '- `path object: volume` / `path object: network`: the path names a volume or network, which an owning',
    '  profile must be able to see.',
    '- `labels: ...`: where the body carries labels (JSON pointers, `*` for every element); sockgate reads such',
    '  bodies to keep its reserved label prefix `io.sockgate.` out.',
    '- `owned create`: in ownership mode, the created object gets the owner label.',
    '- `body: NAME`: sockgate decodes the body as the engine does (schema NAME in `src/inspect/schemas/`), so',
    '  rules may have body conditions and `fields` lists here.',
    '- `redactable`: the answer is an object or a list of them, whose fields a policy may `redact`.',
    '',
    '| id | method | path template | connection | traits | what it does |',
    '|---|---|---|---|---|---|',
  ];
  for (const e of ENDPOINTS) {
    lines.push(`| \`${e.id}\` | ${e.method} | \`${e.template}\` | ${e.connection ?? ''} | ${traitWords(e).join('; ')} | ${e.summary.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n') + '\n';
}
