/**
 * An owning profile's container list, against a fake engine: entries are judged by their own
 * labels (an owner label inherited from the image is no ownership), and fields the policy redacts
 * are redacted in what remains.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindOwner, OWNER_LABEL } from '../../src/policy/ownership.js';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { policyFromYaml, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { request } from '../helpers/raw-http.js';

const OWN_IMAGE = `sha256:${'a'.repeat(64)}`;
const LABELLED_IMAGE = `sha256:${'b'.repeat(64)}`;
const LIST = [
  { Id: '1'.repeat(64), Names: ['/mine'], Image: 'busybox', ImageID: OWN_IMAGE, Command: 'secret-command', Labels: { [OWNER_LABEL]: 'ci' } },
  { Id: '2'.repeat(64), Names: ['/inherited'], Image: 'labelled', ImageID: LABELLED_IMAGE, Command: 'x', Labels: { [OWNER_LABEL]: 'ci' } },
  { Id: '3'.repeat(64), Names: ['/theirs'], Image: 'busybox', ImageID: OWN_IMAGE, Command: 'y', Labels: {} },
];

let daemon: FakeDaemon;
let proxy: RunningProxy;
beforeAll(async () => {
  daemon = await startFakeDaemon();
  daemon.handler = (req, res) => {
    res.setHeader('Content-Type', 'application/json');
    const url = req.url ?? '';
    if (url.startsWith('/images/')) {
      const labels = url.includes('b'.repeat(64)) ? { [OWNER_LABEL]: 'ci' } : {};
      return void res.end(JSON.stringify({ Id: url.split('/')[2], Config: { Labels: labels } }));
    }
    res.end(JSON.stringify(LIST));
  };
  const policy = policyFromYaml(`version: 1
name: ci
ownership: true
redact:
  - endpoints: [containers.list]
    fields: [Command]
rules:
  - { id: allow-list, effect: allow, endpoints: [containers.list] }
`);
  proxy = await startProxy(bindOwner(policy, 'ci'), daemon.socketPath);
});
afterAll(async () => {
  await proxy.close();
  await daemon.close();
});

describe('an owning profile\'s container list', () => {
  it('keeps only its own containers, not one whose owner label came from its image, and redacts what it keeps', async () => {
    const res = await request(proxy.socketPath, 'GET', '/containers/json?all=1');
    expect(res.status).toBe(200);
    const list = res.json() as { Names: string[]; Command: string }[];
    expect(list.map((c) => c.Names[0])).toEqual(['/mine']);
    expect(list[0]!.Command).toBe('[redacted]');
  });
});
