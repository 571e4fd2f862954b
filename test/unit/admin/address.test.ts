import { describe, expect, it } from 'vitest';
import { formatAdminAddress, parseAdminAddress } from '../../../src/admin/address.js';

describe('parseAdminAddress', () => {
  it.each([
    ['127.0.0.1:9323', { kind: 'tcp', host: '127.0.0.1', port: 9323 }],
    ['[::1]:9323', { kind: 'tcp', host: '::1', port: 9323 }],
    ['localhost:1', { kind: 'tcp', host: 'localhost', port: 1 }],
    ['/run/sockgate/admin.sock', { kind: 'unix', path: '/run/sockgate/admin.sock' }],
  ])('accepts %s', (raw, address) => {
    expect(parseAdminAddress(raw)).toEqual({ ok: true, address });
  });

  it.each(['0.0.0.0:9323', '192.168.1.5:9323', '[::]:9323', 'example.com:9323', '127.0.0.2:9323', '[::ffff:127.0.0.1]:80'])(
    'refuses the non-loopback host in %s, saying it is not loopback',
    (raw) => {
      const r = parseAdminAddress(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problem).toMatch(/not loopback/);
    },
  );

  it.each(['9323', ':9323', '127.0.0.1', '127.0.0.1:', 'relative.sock', '/run/dir/', '127.0.0.1:http'])('refuses %s as no address at all', (raw) => {
    expect(parseAdminAddress(raw).ok).toBe(false);
  });

  it.each(['127.0.0.1:0', '127.0.0.1:65536', 'localhost:99999'])('refuses the port in %s', (raw) => {
    const r = parseAdminAddress(raw);
    expect(r.ok ? '' : r.problem).toMatch(/port/);
  });

  it('refuses a socket path longer than sun_path allows', () => {
    expect(parseAdminAddress('/' + 'a'.repeat(107)).ok).toBe(false);
    expect(parseAdminAddress('/' + 'a'.repeat(106)).ok).toBe(true);
  });

  it('formats an address as it is written on the command line', () => {
    expect(formatAdminAddress({ kind: 'tcp', host: '::1', port: 80 })).toBe('[::1]:80');
    expect(formatAdminAddress({ kind: 'tcp', host: '127.0.0.1', port: 80 })).toBe('127.0.0.1:80');
    expect(formatAdminAddress({ kind: 'unix', path: '/a.sock' })).toBe('/a.sock');
  });
});
