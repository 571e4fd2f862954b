/**
 * Endpoints whose request body sockgate decodes the way the engine does, so rules may constrain
 * body fields there: exactly the endpoints with a body trait (EndpointSpec.body), whose schemas
 * are in schemas/. A rule with body conditions must name only these endpoints.
 */

import { endpointsWith, type EndpointIdSet } from '../request/endpoints.js';
import type { BodyEndpointId } from './schemas/index.js';

export const INSPECTABLE_ENDPOINTS: EndpointIdSet<BodyEndpointId> = endpointsWith('body');
