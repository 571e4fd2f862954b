/**
 * Bypass class: bodies that a JSON.parse-based check reads one way and Go's encoding/json another
 * (case-insensitive keys with Unicode folding, repeated keys, legacy top-level HostConfig fields,
 * trailing data, content types). Under policies/untrusted-create.yaml, no spelling may create a
 * container whose HostConfig the engine sees as privileged or with a host bind: each attempt is
 * sent raw to sockgate, and the engine is then asked what exists.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineSocket, REPO_ROOT, startSockgate, TEST_IMAGE, type SockgateProcess } from '../helpers/engine.js';
import { request } from '../helpers/raw-http.js';

let engine: string;
let gate: SockgateProcess;
let n = 0;
const name = (): string => `sg-rg-body-${process.pid}-${++n}`;
const img = JSON.stringify(TEST_IMAGE);
const cmd = '"Cmd":["true"]';

/** [what, body, content-type]: every one asks, one way or another, for Privileged or a host bind. */
const SPELLINGS: [string, string, string][] = [
  ['canonical Privileged', `{"Image":${img},${cmd},"HostConfig":{"Privileged":true}}`, 'application/json'],
  ['lower-case keys', `{"image":${img},"cmd":["true"],"hostconfig":{"privileged":true}}`, 'application/json'],
  ['upper-case keys', `{"IMAGE":${img},${cmd},"HOSTCONFIG":{"PRIVILEGED":true}}`, 'application/json'],
  ['long s folding onto s (Binds)', `{"Image":${img},${cmd},"HostConfig":{"Bind\u017f":["/:/host"]}}`, 'application/json'],
  ['Kelvin sign in a key', `{"Image":${img},${cmd},"HostConfig":{"Binds":["/:/host"],"\u212aernelMemory":0}}`, 'application/json'],
  ['repeated key, last one true', `{"Image":${img},${cmd},"HostConfig":{"Privileged":false,"Privileged":true}}`, 'application/json'],
  ['repeated HostConfig objects merge', `{"Image":${img},${cmd},"HostConfig":{"Privileged":true},"HostConfig":{"Memory":0}}`, 'application/json'],
  ['two spellings of one field', `{"Image":${img},${cmd},"HostConfig":{"Privileged":false,"privileged":true}}`, 'application/json'],
  ['legacy top-level Privileged', `{"Image":${img},${cmd},"Privileged":true}`, 'application/json'],
  ['legacy top-level Binds', `{"Image":${img},${cmd},"Binds":["/:/host"]}`, 'application/json'],
  ['escaped key', `{"Image":${img},${cmd},"HostConfig":{"Privil\\u0065ged":true}}`, 'application/json'],
  ['second JSON value after the first', `{"Image":${img},${cmd}} {"HostConfig":{"Privileged":true}}`, 'application/json'],
  ['text/plain content type', `{"Image":${img},${cmd},"HostConfig":{"Privileged":true}}`, 'text/plain'],
  ['no content type', `{"Image":${img},${cmd},"HostConfig":{"Privileged":true}}`, ''],
  ['bind hidden in Mounts with odd case', `{"Image":${img},${cmd},"HostConfig":{"mounts":[{"type":"bind","source":"/","target":"/host"}]}}`, 'application/json'],
  ['bind path with dot segments', `{"Image":${img},${cmd},"HostConfig":{"Binds":["/tmp/../:/host"]}}`, 'application/json'],
  ['BOM before the body', `\ufeff{"Image":${img},${cmd},"HostConfig":{"Privileged":true}}`, 'application/json'],
];

beforeAll(async () => {
  engine = engineSocket();
  gate = await startSockgate(['--policy', join(REPO_ROOT, 'policies/untrusted-create.yaml')]);
});
afterAll(async () => {
  await gate?.stop();
  const left = await docker(engine, ['ps', '-aq', '--filter', 'name=sg-rg-body-']);
  for (const id of left.stdout.split('\n').filter(Boolean)) await docker(engine, ['rm', '-f', id]);
});

describe('body spellings under untrusted-create', () => {
  it.each(SPELLINGS)('%s: refused, and the engine has no such container', async (_what, body, contentType) => {
    const cname = name();
    const headers: Record<string, string> = contentType ? { 'Content-Type': contentType } : {};
    const res = await request(gate.socketPath, 'POST', `/v1.41/containers/create?name=${cname}`, { headers, body });
    expect(res.status, res.body).toBeGreaterThanOrEqual(400);
    expect(res.status, res.body).toBeLessThan(500);
    const seen = await docker(engine, ['inspect', '--format', '{{.HostConfig.Privileged}} {{json .HostConfig.Binds}} {{json .HostConfig.Mounts}}', cname]);
    expect(seen.code, `engine created ${cname}: ${seen.stdout}`).not.toBe(0);
  });

  it('still creates an ordinary container from a canonical body', async () => {
    const cname = name();
    const res = await request(gate.socketPath, 'POST', `/v1.41/containers/create?name=${cname}`, {
      headers: { 'Content-Type': 'application/json' },
      body: `{"Image":${img},${cmd},"HostConfig":{"Privileged":false,"Binds":null,"Memory":0}}`,
    });
    expect(res.status, res.body).toBe(201);
    const seen = await docker(engine, ['inspect', '--format', '{{.HostConfig.Privileged}}', cname]);
    expect(seen.stdout.trim()).toBe('false');
  });
});
