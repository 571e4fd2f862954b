/**
 * What a server reports to whoever watches it (the metrics). Optional for buildServer; every
 * call is synchronous and must not throw or block: it runs on the request path.
 */

/** "stream": a forwarded response without Content-Length (events, logs -f, stats, progress); "hijack": an upgrade request's connection. */
export type StreamKind = 'stream' | 'hijack';

/** The fields of the audit decision record an observer reads (the server passes the whole record). */
export interface ObservedDecision {
  readonly listener: string;
  readonly profile: string;
  /** the endpoint id, or "unknown" */
  readonly endpoint: string;
  readonly effect: 'allow' | 'deny';
  readonly rule: string | null;
  /** the sockgate code of a denial, null when allowed */
  readonly code: string | null;
}

/** The fields of the audit completion record an observer reads. */
export interface ObservedCompletion {
  readonly listener: string;
  /** the endpoint id, or "unknown" */
  readonly endpoint: string;
  readonly status: number;
  readonly durationMs: number;
  readonly aborted: boolean;
}

/** The part of a client connection an observer reads: its byte counters, and when it closes. */
export interface ObservedConnection {
  readonly bytesRead: number;
  readonly bytesWritten: number;
  once(event: 'close', listener: () => void): unknown;
}

export interface ServerObserver {
  /** once per request, with the final decision (the same record the audit log gets) */
  onDecision(record: ObservedDecision): void;
  /** once per request when its response (or hijacked stream) ends */
  onCompleted(record: ObservedCompletion): void;
  onStreamOpen(kind: StreamKind): void;
  /** exactly once for each onStreamOpen, with the same kind */
  onStreamClose(kind: StreamKind): void;
  /** the engine could not be reached, timed out, or broke off a response */
  onUpstreamError(): void;
  /**
   * A client connection was accepted. Bytes are counted on the connection, not per request
   * (keep-alive and hijacked connections carry several requests or a raw stream): everything
   * read from and written to the client socket, HTTP heads included.
   */
  onConnection(connection: ObservedConnection): void;
}
