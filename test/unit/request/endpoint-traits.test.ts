import { describe, expect, it } from 'vitest';
import { INSPECTABLE_ENDPOINTS } from '../../../src/inspect/inspectable.js';
import { bodySchemaOf, BODY_SCHEMAS } from '../../../src/inspect/schemas/index.js';
import { LABELLING_ENDPOINTS, OWNED_CREATE_ENDPOINTS } from '../../../src/policy/ownership.js';
import { REDACTABLE_ENDPOINTS } from '../../../src/policy/redact.js';
import {
  AWAITS_WORK_ENDPOINTS,
  endpointSpec,
  ENDPOINTS,
  endpointsWith,
  isEndpointId,
  STREAM_ENDPOINTS,
  type EndpointId,
} from '../../../src/request/endpoints.js';
import { TARGETED_ENDPOINTS } from '../../../src/request/targets.js';

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();

/**
 * Each set as it was written by hand before the endpoint table carried traits (src/server.ts,
 * policy/ownership.ts, policy/redact.ts, gate.ts, request/targets.ts, inspect/schemas): the
 * derived sets must hold exactly these ids.
 */
describe('the id sets derived from the endpoint traits', () => {
  it('streams: the answers that stay open', () => {
    expect(sorted(STREAM_ENDPOINTS)).toEqual(sorted(['system.events', 'containers.logs', 'containers.stats', 'containers.wait', 'containers.attach', 'exec.start']));
  });

  it('awaits work: the answers the upstream headers timeout does not apply to', () => {
    expect(sorted(AWAITS_WORK_ENDPOINTS)).toEqual(
      sorted([
        'containers.stop',
        'containers.restart',
        'containers.delete',
        'images.commit',
        'containers.prune',
        'images.delete',
        'images.prune',
        'volumes.prune',
        'networks.prune',
        'build.prune',
        'system.dataUsage',
      ]),
    );
  });

  it('targets: the endpoints that act on one container, through its name or an exec instance', () => {
    expect(sorted(TARGETED_ENDPOINTS)).toEqual(
      sorted([
        'checkpoints.list',
        'checkpoints.create',
        'containers.archiveInfo',
        'containers.export',
        'containers.changes',
        'containers.inspect',
        'containers.top',
        'containers.logs',
        'containers.stats',
        'containers.attachWebsocket',
        'exec.inspect',
        'containers.archive',
        'containers.kill',
        'containers.pause',
        'containers.unpause',
        'containers.restart',
        'containers.start',
        'containers.stop',
        'containers.wait',
        'containers.resize',
        'containers.attach',
        'containers.copy',
        'exec.create',
        'exec.start',
        'exec.resize',
        'containers.rename',
        'containers.update',
        'containers.putArchive',
        'containers.delete',
      ]),
    );
    expect(sorted(endpointsWith('target', 'exec'))).toEqual(sorted(['exec.start', 'exec.resize', 'exec.inspect']));
  });

  it('a container target is exactly a template under /containers/{name*} (how the set was derived before)', () => {
    for (const e of ENDPOINTS) {
      const underContainer = e.template === '/containers/{name*}' || e.template.startsWith('/containers/{name*}/');
      expect(e.target === 'container', e.id).toBe(underContainer);
    }
  });

  it('path objects: the volumes and networks a path names', () => {
    expect(sorted(endpointsWith('pathObject', 'volume'))).toEqual(sorted(['volumes.inspect', 'volumes.delete', 'volumes.update']));
    expect(sorted(endpointsWith('pathObject', 'network'))).toEqual(sorted(['networks.inspect', 'networks.delete', 'networks.connect', 'networks.disconnect']));
    expect(sorted(endpointsWith('pathObject'))).toEqual(sorted([...endpointsWith('pathObject', 'volume'), ...endpointsWith('pathObject', 'network')]));
  });

  it('labels: where each body carries labels', () => {
    const service = ['/Labels', '/TaskTemplate/ContainerSpec/Labels', '/TaskTemplate/ContainerSpec/Mounts/*/VolumeOptions/Labels'];
    const places = Object.fromEntries([...LABELLING_ENDPOINTS].map((id) => [id, endpointSpec(id).labelPlaces]));
    expect(places).toEqual({
      'containers.create': ['/Labels', '/HostConfig/Mounts/*/VolumeOptions/Labels'],
      'volumes.create': ['/Labels'],
      'networks.create': ['/Labels'],
      'services.create': service,
      'services.update': service,
    });
  });

  it('owned creates: the objects that get the owner label', () => {
    expect(sorted(OWNED_CREATE_ENDPOINTS)).toEqual(sorted(['containers.create', 'volumes.create', 'networks.create']));
  });

  it('bodies: the endpoints whose bodies are decoded, each with its schema', () => {
    const ids = ['containers.create', 'exec.create', 'containers.update', 'volumes.create', 'networks.create', 'networks.connect', 'networks.disconnect', 'services.create', 'services.update', 'plugins.pull', 'plugins.upgrade'];
    expect(sorted(INSPECTABLE_ENDPOINTS)).toEqual(sorted(ids));
    expect(sorted(Object.keys(BODY_SCHEMAS))).toEqual(sorted(ids));
    for (const e of ENDPOINTS) expect(bodySchemaOf(e.id), e.id).toBe(INSPECTABLE_ENDPOINTS.has(e.id) ? BODY_SCHEMAS[e.id] : undefined);
  });

  it('redactable: the answers a policy may redact', () => {
    expect(sorted(REDACTABLE_ENDPOINTS)).toEqual(
      sorted([
        'containers.inspect',
        'containers.list',
        'exec.inspect',
        'services.inspect',
        'services.list',
        'tasks.inspect',
        'tasks.list',
        'configs.inspect',
        'configs.list',
        'secrets.inspect',
        'secrets.list',
      ]),
    );
  });
});

describe('endpoint ids', () => {
  it('tells the ids of the table from other strings, as they arrive from policy files and requests', () => {
    expect(isEndpointId('containers.create')).toBe(true);
    expect(isEndpointId('containers.craete')).toBe(false);
    expect(isEndpointId('unknown')).toBe(false);
    expect(STREAM_ENDPOINTS.has('not.an.endpoint')).toBe(false);
  });

  it('refuses a misspelt id at compile time', () => {
    // @ts-expect-error: not an id of the table
    const typo: EndpointId = 'containers.craete';
    expect(isEndpointId(typo)).toBe(false);
  });
});
