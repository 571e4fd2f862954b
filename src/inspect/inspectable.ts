/**
 * Endpoints whose request body sockgate decodes the way the engine does, so rules may constrain
 * body fields there: exactly the endpoints of the body schema table. A rule with body conditions
 * must name only these endpoints.
 */

import { BODY_SCHEMAS } from './schemas/index.js';

export const INSPECTABLE_ENDPOINTS: ReadonlySet<string> = new Set(Object.keys(BODY_SCHEMAS));
