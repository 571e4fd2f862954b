import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bindOwner } from '../../../src/policy/ownership.js';
import { answerRewrite, rewritesAnswer, scopedEventFilter } from '../../../src/views/answers.js';
import { ALLOW_ALL, policyFromYaml, SCOPED_TO_WEB } from '../../helpers/proxy.js';

const SCOPED = SCOPED_TO_WEB;
const OWNING = bindOwner(policyFromYaml('version: 1\nownership: true\ndefault: allow\nrules: []\n'), 'ci');
const REDACTING = policyFromYaml('version: 1\ndefault: allow\nredact:\n  - { endpoints: [containers.inspect, containers.list], fields: [Config.Env, Command] }\nrules: []\n');
const SCOPED_REDACTING = policyFromYaml(`version: 1
default: allow
scope:
  containers:
    labels:
      tier: { equals: web }
redact:
  - { endpoints: [containers.list], fields: [Command] }
rules: []
`);
const noImage = (): Promise<boolean> => Promise.reject(new Error('no image lookups expected'));
const web = { Id: 'a', Names: ['/a'], Image: 'i', Labels: { tier: 'web' }, Command: 'secret' };
const db = { Id: 'b', Names: ['/b'], Image: 'i', Labels: { tier: 'db' }, Command: 'secret' };

describe('which answers a profile rewrites', () => {
  it.each([
    ['an unscoped, unowned profile', ALLOW_ALL, 'containers.list', false],
    ['every profile (the version answer is capped)', ALLOW_ALL, 'system.version', true],
    ['a scoped profile: container lists', SCOPED, 'containers.list', true],
    ['a scoped profile: not inspect', SCOPED, 'containers.inspect', false],
    ['an owning profile: volume lists', OWNING, 'volumes.list', true],
    ['an owning profile: network lists, both spellings', OWNING, 'networks.listSlash', true],
    ['an owning profile: network inspect (its container list)', OWNING, 'networks.inspect', true],
    ['an owning profile: not image lists', OWNING, 'images.list', false],
    ['a redacting profile: the endpoints it names', REDACTING, 'containers.inspect', true],
    ['a redacting profile: not others', REDACTING, 'images.inspect', false],
  ])('%s → %s', (_what, policy, endpoint, rewritten) => {
    expect(rewritesAnswer(policy, endpoint)).toBe(rewritten);
    expect(answerRewrite(policy, endpoint, noImage) !== null).toBe(rewritten);
  });

  it('keeps what the scope may see of a container list', async () => {
    const rewrite = answerRewrite(SCOPED, 'containers.list', noImage);
    expect(await rewrite!([web, db])).toEqual([web]);
  });

  it('redacts what the filter resolves to, after filtering', async () => {
    const rewrite = answerRewrite(SCOPED_REDACTING, 'containers.list', noImage);
    expect(await rewrite!([web, db])).toEqual([{ ...web, Command: '[redacted]' }]);
  });

  it('redacts an inspect answer of a profile that names it', async () => {
    const rewrite = answerRewrite(REDACTING, 'containers.inspect', noImage);
    expect(await rewrite!({ Id: 'a', Config: { Env: ['A=1'] } })).toEqual({ Id: 'a', Config: { Env: ['A=[redacted]'] } });
  });
});

describe('the event filter of a scoped profile', () => {
  const run = async (chunks: string[]): Promise<{ out: string; unreadable: number }> => {
    let unreadable = 0;
    const filter = scopedEventFilter(SCOPED.scope!, () => unreadable++);
    Readable.from(chunks.map((c) => Buffer.from(c))).pipe(filter);
    let out = '';
    for await (const chunk of filter) out += String(chunk);
    return { out, unreadable };
  };
  const event = (tier: string): string => JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: tier, Attributes: { tier, name: tier } } });

  it('passes the events of containers in scope, line by line, across chunk boundaries', async () => {
    const lines = `${event('web')}\n${event('db')}\n${event('web')}\n`;
    const { out } = await run([lines.slice(0, 17), lines.slice(17, 100), lines.slice(100)]);
    expect(out).toBe(`${event('web')}\n${event('web')}\n`);
  });

  it('drops events of other types, blank lines and unreadable lines, and reports the unreadable ones', async () => {
    const { out, unreadable } = await run([`\n${JSON.stringify({ Type: 'image', Action: 'pull', Actor: { ID: 'x', Attributes: {} } })}\n{not json\n${event('web')}\n`]);
    expect(out).toBe(`${event('web')}\n`);
    expect(unreadable).toBe(1);
  });
});
