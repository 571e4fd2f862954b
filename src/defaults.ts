/** Default limits and timeouts, in one place. */
export const DEFAULT_CLIENT_HEADERS_TIMEOUT_MS = 30_000;
export const DEFAULT_CLIENT_BODY_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS = 300_000;
/**
 * Idle keep-alive connections are kept until the client closes them, as the engine does (Go's
 * net/http has no idle timeout by default): a server that closes an idle connection races the
 * client's next request on it, which then fails with a reset (docker-py, after a pause).
 */
export const DEFAULT_CLIENT_IDLE_TIMEOUT_MS = 0;
/** Go's net/http accepts 1 MiB of headers; registry credentials in X-Registry-Auth can be large. */
export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
/** Largest request body sockgate reads to inspect it; container create bodies are a few KiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The audit file is rotated before it would grow past this size ... */
export const DEFAULT_AUDIT_MAX_BYTES = 50 * 1024 * 1024;
/** ... and this many rotated files are kept (PATH.1 ... PATH.5). */
export const DEFAULT_AUDIT_KEEP = 5;
