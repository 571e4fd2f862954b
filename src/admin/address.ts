/**
 * The admin (metrics and health) listener's address: a loopback TCP port or a Unix socket path.
 * Pure. Only loopback hosts are accepted: metrics name profiles, rules and policy hashes, and
 * /healthz reaches the engine, so they are never served on a network interface by accident.
 *
 *   127.0.0.1:9100   [::1]:9100   localhost:9100   /run/sockgate/admin.sock
 */

export type AdminAddress =
  | { readonly kind: 'tcp'; readonly host: '127.0.0.1' | '::1' | 'localhost'; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

export type AddressResult = { readonly ok: true; readonly address: AdminAddress } | { readonly ok: false; readonly problem: string };

const FORMS = '127.0.0.1:PORT, [::1]:PORT, localhost:PORT or an absolute Unix socket path';

export function parseAdminAddress(raw: string): AddressResult {
  if (raw.startsWith('/')) {
    if (raw.endsWith('/') || raw.includes('\0')) return { ok: false, problem: `"${raw}" is not a socket path` };
    // sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
    if (Buffer.byteLength(raw) > 107) return { ok: false, problem: `"${raw}" is longer than a Unix socket path may be (107 bytes)` };
    return { ok: true, address: { kind: 'unix', path: raw } };
  }
  const m = /^(\[::1\]|127\.0\.0\.1|localhost):([0-9]{1,5})$/.exec(raw);
  if (m === null) {
    const host = /^(\[[^\]]*\]|[^:]*):[0-9]+$/.exec(raw)?.[1];
    if (host !== undefined) return { ok: false, problem: `"${raw}": host ${host} is not loopback; metrics and health are served only on ${FORMS}` };
    return { ok: false, problem: `"${raw}" is not ${FORMS}` };
  }
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return { ok: false, problem: `"${raw}": port ${m[2]} is not between 1 and 65535` };
  const host = m[1] === '[::1]' ? '::1' : (m[1] as '127.0.0.1' | 'localhost');
  return { ok: true, address: { kind: 'tcp', host, port } };
}

/** The address as written on the command line (IPv6 in brackets). */
export function formatAdminAddress(a: AdminAddress): string {
  if (a.kind === 'unix') return a.path;
  return `${a.host === '::1' ? '[::1]' : a.host}:${a.port}`;
}
