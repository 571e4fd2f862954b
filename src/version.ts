/** sockgate's version, as package.json states it (printed by --version, logged, exported as a metric). */

import { readFileSync } from 'node:fs';

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
