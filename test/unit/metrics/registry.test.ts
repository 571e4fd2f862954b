import { describe, expect, it } from 'vitest';
import { escapeLabelValue, formatValue, LATENCY_BUCKETS, Registry } from '../../../src/metrics/registry.js';

describe('Registry', () => {
  it('renders counters with HELP and TYPE lines and one sample per label set', () => {
    const r = new Registry();
    const c = r.counter('x_requests_total', 'Requests.', ['method', 'code']);
    c.inc({ method: 'GET', code: '200' });
    c.inc({ method: 'GET', code: '200' }, 2);
    c.inc({ method: 'POST', code: '403' });
    expect(r.render()).toBe(
      '# HELP x_requests_total Requests.\n# TYPE x_requests_total counter\nx_requests_total{method="GET",code="200"} 3\nx_requests_total{method="POST",code="403"} 1\n',
    );
  });

  it('gives a missing label the empty value, so every series has the same label set', () => {
    const r = new Registry();
    r.counter('x_total', 'X.', ['a', 'b']).inc({ a: '1' });
    expect(r.render()).toContain('x_total{a="1",b=""} 1\n');
  });

  it('writes a metric without labels without braces', () => {
    const r = new Registry();
    r.gauge('x_up', 'Up.').set({}, 1);
    expect(r.render()).toContain('\nx_up 1\n');
  });

  it('moves gauges up and down and replaces all series on reset', () => {
    const r = new Registry();
    const g = r.gauge('x_open', 'Open.', ['kind']);
    g.inc({ kind: 'a' });
    g.inc({ kind: 'a' });
    g.dec({ kind: 'a' });
    expect(g.get({ kind: 'a' })).toBe(1);
    g.reset();
    g.set({ kind: 'b' }, 5);
    expect(r.render()).not.toContain('kind="a"');
    expect(r.render()).toContain('x_open{kind="b"} 5\n');
  });

  it('refuses to decrease a counter', () => {
    const c = new Registry().counter('x_total', 'X.');
    expect(() => c.inc({}, -1)).toThrow(/cannot decrease/);
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const r = new Registry();
    const h = r.histogram('x_seconds', 'Latency.', ['ep'], [0.1, 1]);
    h.observe({ ep: 'a' }, 0.05);
    h.observe({ ep: 'a' }, 0.5);
    h.observe({ ep: 'a' }, 7);
    expect(r.render()).toBe(
      [
        '# HELP x_seconds Latency.',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{ep="a",le="0.1"} 1',
        'x_seconds_bucket{ep="a",le="1"} 2',
        'x_seconds_bucket{ep="a",le="+Inf"} 3',
        'x_seconds_sum{ep="a"} 7.55',
        'x_seconds_count{ep="a"} 3',
        '',
      ].join('\n'),
    );
  });

  it('counts a value equal to a bucket bound in that bucket (le is inclusive)', () => {
    const r = new Registry();
    r.histogram('x_seconds', 'L.', [], [0.5, 1]).observe({}, 0.5);
    expect(r.render()).toContain('x_seconds_bucket{le="0.5"} 1\n');
  });

  it('has default latency buckets from half a millisecond to 30 s, increasing', () => {
    expect(LATENCY_BUCKETS[0]).toBe(0.0005);
    expect(LATENCY_BUCKETS.at(-1)).toBe(30);
    expect([...LATENCY_BUCKETS].sort((a, b) => a - b)).toEqual(LATENCY_BUCKETS);
  });

  it('escapes backslashes, double quotes and newlines in label values, and backslashes and newlines in HELP', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const r = new Registry();
    r.counter('x_total', 'Line one\nback\\slash "quoted"', ['v']).inc({ v: 'say "hi"\n' });
    const text = r.render();
    expect(text).toContain('# HELP x_total Line one\\nback\\\\slash "quoted"\n');
    expect(text).toContain('x_total{v="say \\"hi\\"\\n"} 1\n');
  });

  it('writes special values as Prometheus does', () => {
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(0.25)).toBe('0.25');
  });

  it('refuses invalid metric and label names, reserved labels and duplicate registrations', () => {
    const r = new Registry();
    expect(() => r.counter('bad-name', 'X.')).toThrow(/metric name/);
    expect(() => r.counter('x_total', 'X.', ['bad-label'])).toThrow(/label name/);
    expect(() => r.counter('y_total', 'X.', ['__reserved'])).toThrow(/label name/);
    expect(() => r.histogram('z_seconds', 'X.', ['le'])).toThrow(/"le"/);
    r.counter('dup_total', 'X.');
    expect(() => r.gauge('dup_total', 'X.')).toThrow(/twice/);
  });

  it('runs collectors before rendering', () => {
    const r = new Registry();
    const g = r.gauge('x_mem', 'Mem.');
    let n = 0;
    r.onCollect(() => g.set({}, ++n));
    r.render();
    expect(r.render()).toContain('x_mem 2\n');
  });
});
