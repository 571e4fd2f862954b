/** Renders docs/endpoints.md from the endpoint table (npm run docs; a test keeps it in sync). */
import { ENDPOINTS } from './endpoints.js';

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
    '| id | method | path template | connection | what it does |',
    '|---|---|---|---|---|',
  ];
  for (const e of ENDPOINTS) {
    lines.push(`| \`${e.id}\` | ${e.method} | \`${e.template}\` | ${e.connection ?? ''} | ${e.summary.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n') + '\n';
}
