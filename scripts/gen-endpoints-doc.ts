import { writeFileSync } from 'node:fs';
import { renderEndpointTable } from '../src/request/endpoint-doc.js';

writeFileSync(new URL('../docs/endpoints.md', import.meta.url), renderEndpointTable());
