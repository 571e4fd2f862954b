import { describe, expect, it } from 'vitest';
import { bindOwner } from '../../../src/policy/ownership.js';
import { ownedFacts, ownedView } from '../../../src/views/owned.js';
import { ALLOW_ALL, policyFromYaml } from '../../helpers/proxy.js';

const OWNING = bindOwner(policyFromYaml('version: 1\nownership: true\ndefault: allow\nrules: []\n'), 'ci');
const owned = { id: 'c1', name: 'c1', image: 'img', imageId: 'sha256:abc', labels: { 'io.sockgate.owner': 'ci', app: 'x' } };

describe("an owning profile's view of a container", () => {
  it('keeps an owner label the image did not carry', async () => {
    expect(await ownedFacts(OWNING, owned, () => Promise.resolve(false))).toEqual(owned);
  });

  it('drops reserved labels the image carried into the container', async () => {
    expect((await ownedFacts(OWNING, owned, () => Promise.resolve(true))).labels).toEqual({ app: 'x' });
  });

  it('treats a container without an image id as inheriting, without asking', async () => {
    const asked: string[] = [];
    const facts = await ownedFacts(OWNING, { ...owned, imageId: '' }, (id) => (asked.push(id), Promise.resolve(false)));
    expect(facts.labels).toEqual({ app: 'x' });
    expect(asked).toEqual([]);
  });

  it('asks nothing for a container without reserved labels, or in a profile that does not own', async () => {
    const ask = (): Promise<boolean> => Promise.reject(new Error('asked'));
    expect(await ownedFacts(OWNING, { ...owned, labels: { app: 'x' } }, ask)).toEqual({ ...owned, labels: { app: 'x' } });
    expect(await ownedFacts(ALLOW_ALL, owned, ask)).toEqual(owned);
  });

  it('fails the resolution when the image cannot be asked', async () => {
    const view = await ownedView(OWNING, { ok: true, facts: owned }, () => Promise.reject(new Error('engine gone')));
    expect(view).toEqual({ ok: false, facts: undefined, reason: 'engine gone' });
  });
});
