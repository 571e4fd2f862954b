import { describe, expect, it } from 'vitest';
import { normalizeRequest, type NormalizedRequest } from '../../../src/request/normalize.js';
import { isOpenEndedAnswer } from '../../../src/request/open-ended.js';

const req = (target: string): NormalizedRequest => {
  const r = normalizeRequest('GET', target);
  if (!r.ok) throw new Error(r.rejection.reason);
  return r.request;
};

describe('answers that stream until the client leaves', () => {
  it.each([
    ['system.events', '/events', true],
    ['system.events', '/events?until=1700000000', false],
    ['containers.logs', '/containers/a/logs?stdout=1', false],
    ['containers.logs', '/containers/a/logs?follow=1', true],
    ['containers.logs', '/containers/a/logs?follow=FALSE', false],
    ['containers.logs', '/containers/a/logs?follow=yes', true],
    ['containers.stats', '/containers/a/stats', true],
    ['containers.stats', '/containers/a/stats?stream=0', false],
    ['containers.stats', '/containers/a/stats?stream=', false],
    ['containers.list', '/containers/json', false],
  ] as const)('%s %s → %s', (endpoint, target, expected) => {
    expect(isOpenEndedAnswer(endpoint, req(target))).toBe(expected);
  });
});
