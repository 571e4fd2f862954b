/**
 * Who sent a request, as far as sockgate can know it without trusting the client: the listener
 * (socket) it arrived on, the profile bound to that socket, and the number of the connection on
 * that listener (1, 2, ... in accept order), so every request of one connection can be grouped.
 *
 * Not recorded: the peer's pid/uid/gid. Linux reports them for a Unix socket with
 * getsockopt(SO_PEERCRED), which Node's net.Socket does not expose (Node 20: no getsockopt of
 * any kind), so reading it needs a native addon; the alternative of matching the socket inode through
 * /proc/net/unix and every /proc/<pid>/fd costs a scan of all processes per connection and can
 * name the wrong process once the descriptor is passed on or the pid reused. Access control is
 * the socket's file mode and owner (one socket per client); the listener names it.
 *
 * Nothing the client says about itself is identity: its User-Agent is recorded separately, as
 * `userAgent`, a claim.
 */

import type { Socket } from 'node:net';

export interface ClientIdentity {
  /** the socket the request arrived on */
  readonly listener: string;
  /** the profile (policy) bound to that socket */
  readonly profile: string;
  /** the connection's number on this listener, counted from 1 since start */
  readonly conn: number;
}

/** Longest client-claimed User-Agent kept in a record. */
export const MAX_USER_AGENT_CHARS = 256;

/** Numbers the connections of one listener in accept order. */
export interface ConnectionCounter {
  /** the server's 'connection' listener */
  readonly onConnection: (socket: Socket) => void;
  /** the number of the connection a request arrived on (0 if it was never seen, which does not happen for a listening server) */
  connOf(socket: object): number;
}

export function createConnectionCounter(): ConnectionCounter {
  const numbers = new WeakMap<object, number>();
  let next = 1;
  return {
    onConnection: (socket) => {
      numbers.set(socket, next++);
    },
    connOf: (socket) => numbers.get(socket) ?? 0,
  };
}

/** The client's User-Agent header, a claim: single-valued, cut to a bounded length; null when absent. */
export function claimedUserAgent(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (value === undefined || value === '') return null;
  return value.length > MAX_USER_AGENT_CHARS ? value.slice(0, MAX_USER_AGENT_CHARS) : value;
}
