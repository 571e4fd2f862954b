/**
 * What the request path does differently for some endpoints, under the names it reads them by:
 * both sets are derived from the endpoint table's traits (src/request/endpoints.ts).
 * - STREAM_ENDPOINTS: answers that stay open (a reload re-checks them); hijacked ones are tracked too.
 * - NO_HEADERS_TIMEOUT: answers the engine sends only when the work is done (docker stop -t 900,
 *   removing or committing a large container, pruning, disk usage): the upstream headers timeout
 *   does not apply to them, as the engine itself sets none.
 */
export { AWAITS_WORK_ENDPOINTS as NO_HEADERS_TIMEOUT, STREAM_ENDPOINTS } from '../request/endpoints.js';
