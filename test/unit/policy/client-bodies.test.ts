/**
 * The bodies real clients send for ordinary workloads (recorded from the docker CLI 28.2,
 * docker-py 5, dockerode 4, compose 1.29 and 2.40 against engine 28.5: test/fixtures/bodies/)
 * pass the allow-lists of the presets that let clients create.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../../src/policy/files.js';
import { decide } from '../../helpers/gate-record.js';

const ROOT = join(import.meta.dirname, '../../..');
const DIR = join(ROOT, 'test/fixtures/bodies');
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe.each(['untrusted-create.yaml', 'ci-runner.yaml'])('policies/%s', (preset) => {
  const policy = loadPolicyFile(join(ROOT, 'policies', preset));
  it.each(FIXTURES)('allows %s', (file) => {
    const { uri, body } = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { uri: string; body: unknown };
    const a = decide(policy, { method: 'POST', target: uri, body });
    expect(a.decision.effect, a.decision.reason).toBe('allow');
  });
});
