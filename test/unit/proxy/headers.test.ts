import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { forwardRequestHeaders, responseHead, upgradeRequestHeaders } from '../../../src/proxy/headers.js';
import { NEWEST_API_VERSION } from '../../../src/request/api-version.js';

describe('the headers sockgate sends upstream with a plain request', () => {
  it.each<[string, IncomingHttpHeaders, string[]]>([
    ['keeps end-to-end headers as they are', { host: 'docker', 'content-type': 'application/json', 'x-registry-auth': 'abc' }, ['host', 'content-type', 'x-registry-auth']],
    ['drops every hop-by-hop header (RFC 9110 §7.6.1)', { host: 'd', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'proxy-connection': 'x', 'proxy-authorization': 'b', te: 'trailers', trailer: 'x', 'transfer-encoding': 'chunked', upgrade: 'tcp' }, ['host']],
    ['drops Expect, which sockgate answers itself', { host: 'd', expect: '100-continue' }, ['host']],
    ['drops HTTP2-Settings of an h2c upgrade attempt', { host: 'd', 'http2-settings': 'AAMA' }, ['host']],
    ['drops the headers a Connection header lists, whatever their case and spacing', { host: 'd', connection: 'close, X-Secret ,x-other', 'x-secret': '1', 'x-other': '2', 'x-kept': '3' }, ['host', 'x-kept']],
    ['keeps the Content-Length of a body it streams', { host: 'd', 'content-length': '12' }, ['host', 'content-length']],
  ])('%s', (_what, headers, names) => {
    expect(Object.keys(forwardRequestHeaders(headers))).toEqual(names);
  });

  it('keeps repeated values of a header as the list Node parsed', () => {
    expect(forwardRequestHeaders({ 'x-a': ['1', '2'] })['x-a']).toEqual(['1', '2']);
  });

  it.each([
    ['replaces the client\'s Content-Length with the length of the body sockgate read', { 'content-length': '999' }, 12, '12'],
    ['sets a Content-Length when the client sent the body chunked', { 'transfer-encoding': 'chunked' }, 0, '0'],
  ])('%s', (_what, headers: IncomingHttpHeaders, length, expected) => {
    const out = forwardRequestHeaders(headers, length);
    expect(out['content-length']).toBe(expected);
    expect(out['transfer-encoding']).toBeUndefined();
  });
});

describe('the head of an engine answer as the client gets it', () => {
  it.each<[string, string, number, string[], string]>([
    ['a Content-Length answer is framed by its length', 'GET', 200, ['Content-Length', '2'], 'length'],
    ['a chunked answer stays chunked', 'GET', 200, ['Transfer-Encoding', 'chunked'], 'chunked'],
    ['chunked wins over a Content-Length', 'GET', 200, ['Content-Length', '2', 'Transfer-Encoding', 'chunked'], 'chunked'],
    ['an answer with neither is ended by closing', 'POST', 200, ['Content-Type', 'application/vnd.docker.raw-stream'], 'close'],
    ['an answer to HEAD has no body', 'HEAD', 200, ['Content-Length', '2'], 'none'],
    ['a 204 has no body', 'DELETE', 204, [], 'none'],
    ['a 304 has no body', 'POST', 304, ['Content-Length', '0'], 'none'],
    ['an interim answer has no body', 'POST', 101, [], 'none'],
  ])('%s', (_what, method, status, raw, framing) => {
    expect(responseHead(method, status, raw).framing).toBe(framing);
  });

  it('keeps the engine\'s spelling of header names and drops hop-by-hop ones and those Connection lists', () => {
    const raw = ['Api-Version', '1.41', 'Connection', 'keep-alive, X-Hop', 'X-Hop', 'h', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Docker-Experimental', 'false'];
    expect(responseHead('GET', 200, raw).headers).toEqual(['Api-Version', '1.41', 'Docker-Experimental', 'false']);
  });

  it.each([
    ['an older engine\'s Api-Version is passed on', '1.41', '1.41'],
    ['a newer engine\'s Api-Version is capped at the newest sockgate knows', '9.99', NEWEST_API_VERSION],
    ['an Api-Version that is no version is replaced by the newest sockgate knows', 'banana', NEWEST_API_VERSION],
  ])('%s', (_what, engine, client) => {
    expect(responseHead('GET', 200, ['api-version', engine]).headers).toEqual(['api-version', client]);
  });

  it('drops Content-Length only when the body is rewritten', () => {
    expect(responseHead('GET', 200, ['Content-Length', '5'], false).headers).toEqual(['Content-Length', '5']);
    expect(responseHead('GET', 200, ['Content-Length', '5'], true).headers).toEqual([]);
  });
});

describe('the headers of an upgrade request', () => {
  it('keeps end-to-end headers, drops hop-by-hop ones and those Connection lists, and ends with the Connection/Upgrade pair', () => {
    const raw = ['Host', 'docker', 'Connection', 'Upgrade, X-Hop', 'Upgrade', 'tcp', 'X-Hop', '1', 'Content-Type', 'text/plain', 'TE', 'trailers'];
    expect(upgradeRequestHeaders(raw, 'tcp')).toEqual(['Host', 'docker', 'Content-Type', 'text/plain', 'Connection', 'Upgrade', 'Upgrade', 'tcp']);
  });

  it('names the protocol it is given, not the one the client sent', () => {
    expect(upgradeRequestHeaders(['Upgrade', 'websocket'], 'h2c').slice(-2)).toEqual(['Upgrade', 'h2c']);
  });
});
