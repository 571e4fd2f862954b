import { describe, expect, it } from 'vitest';
import { admit, denialMessage } from '../../src/gate.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';
import { ALLOW_ALL, policyFromYaml } from '../helpers/proxy.js';

const input = (method: string, target: string, headers: Record<string, string> = {}, upgrade = false) => ({ method, target, headers, upgrade });

describe('admit', () => {
  it('denies with a 500-class sockgate fault when deciding throws (fail closed)', () => {
    const broken = { ...ALLOW_ALL, get denyRules(): never { throw new Error('boom'); } } as CompiledPolicy;
    const a = admit(broken, input('GET', '/info'));
    expect(a).toMatchObject({ code: 'SOCKGATE_ERR_INTERNAL', status: 500, decision: { effect: 'deny', ruleId: null } });
    expect(denialMessage(a)).toContain('sockgate fault while deciding: boom');
  });

  it('checks the request target before the policy, even under allow-all', () => {
    expect(admit(ALLOW_ALL, input('GET', '/containers/../info')).code).toBe('SOCKGATE_DENY_REQUEST_TARGET');
  });

  it('refuses Upgrade on endpoints that do not hijack, even under allow-all', () => {
    const a = admit(ALLOW_ALL, input('POST', '/containers/create', {}, true));
    expect(a.code).toBe('SOCKGATE_DENY_HEADERS');
    expect(admit(ALLOW_ALL, input('POST', '/v1.41/exec/abc/start', {}, true)).code).toBeNull();
    expect(admit(ALLOW_ALL, input('POST', '/containers/abc/attach', {}, true)).code).toBeNull();
    expect(admit(ALLOW_ALL, input('GET', '/containers/abc/attach/ws', {}, true)).code).toBeNull();
    expect(admit(ALLOW_ALL, input('POST', '/session', {}, true)).code).toBeNull();
    expect(admit(ALLOW_ALL, input('POST', '/grpc', {}, true)).code).toBeNull();
  });

  it('admits a chunked upgrade request (proxy/upgrade.ts reads the chunks) and refuses any other transfer coding', () => {
    expect(admit(ALLOW_ALL, input('POST', '/exec/abc/start', { 'transfer-encoding': 'chunked' }, true)).code).toBeNull();
    expect(admit(ALLOW_ALL, input('POST', '/exec/abc/start', { 'transfer-encoding': 'gzip, chunked' }, true)).code).toBe('SOCKGATE_DENY_HEADERS');
  });

  it.each([
    ['application/x-www-form-urlencoded', true],
    ['Application/X-WWW-Form-Urlencoded; charset=utf-8', true],
    ['  application/x-www-form-urlencoded  ;', true],
    ['applİcation/x-www-form-urlencoded', true], // Go lower-cases U+0130 to "i"
    ['application/json', false],
    ['application/x-tar', false],
    ['multipart/form-data; boundary=x', true],
    ['Multipart/Form-Data;boundary=x', true],
  ])('Content-Type %j with a body is refused: %s', (ct, refused) => {
    const a = admit(ALLOW_ALL, input('POST', '/containers/a/start', { 'content-type': ct, 'content-length': '3' }));
    expect(a.code === 'SOCKGATE_DENY_HEADERS').toBe(refused);
  });

  it('lets a bodyless form-encoded POST through (curl -X POST -d "" sends one)', () => {
    expect(admit(ALLOW_ALL, input('POST', '/containers/a/start', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' })).code).toBeNull();
  });

  it('names the endpoint even when the request is refused for its headers', () => {
    const a = admit(ALLOW_ALL, input('GET', '/info', { 'content-length': '5' }));
    expect(a.endpoint?.id).toBe('system.info');
    expect(a.code).toBe('SOCKGATE_DENY_HEADERS');
  });

  it('decides unknown paths by path rules and reports endpoint unknown', () => {
    const p = policyFromYaml('version: 1\nrules:\n  - id: any\n    effect: allow\n    paths: ["/plugins-x/**"]\n');
    const a = admit(p, input('GET', '/plugins-x/abc'));
    expect(a.endpoint).toBeNull();
    expect(a.decision.effect).toBe('allow');
  });
});
