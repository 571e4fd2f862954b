/**
 * A tiny Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * Pure: no I/O, no process; collectors let the caller refresh values (memory, uptime) at render.
 *
 * Every metric declares its label names once; each observation gives a value for every one of
 * them (missing ones are ""), so a metric's series always carry the same label set.
 */

export type Labels = Readonly<Record<string, string>>;

/** Latency buckets in seconds, for a proxy on a local socket: sub-millisecond to 30 s. */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value in the exposition format: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and newline escaped (quotes stay). */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as Prometheus writes it (+Inf, -Inf, NaN; plain numbers otherwise). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

type MetricType = 'counter' | 'gauge' | 'histogram';

abstract class Metric<S> {
  protected readonly series = new Map<string, { labels: string[]; state: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly type: MetricType,
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const l of labelNames) if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new Error(`invalid label name ${l} on ${name}`);
  }

  protected abstract initial(): S;

  protected state(labels: Labels): S {
    const values = this.labelNames.map((n) => labels[n] ?? '');
    const key = JSON.stringify(values);
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels: values, state: this.initial() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  /** Forget every series (e.g. info metrics replaced as a whole). */
  reset(): void {
    this.series.clear();
  }

  protected labelText(values: readonly string[], extra: readonly [string, string][] = []): string {
    const pairs = [...this.labelNames.map((n, i): [string, string] => [n, values[i]!]), ...extra];
    if (pairs.length === 0) return '';
    return `{${pairs.map(([n, v]) => `${n}="${escapeLabelValue(v)}"`).join(',')}}`;
  }

  protected abstract samples(): string[];

  render(): string {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`, ...this.samples()].join('\n') + '\n';
  }
}

export class Counter extends Metric<{ value: number }> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'counter');
  }
  protected initial(): { value: number } {
    return { value: 0 };
  }
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} cannot decrease (by ${by})`);
    this.state(labels).value += by;
  }
  get(labels: Labels = {}): number {
    return this.series.get(JSON.stringify(this.labelNames.map((n) => labels[n] ?? '')))?.state.value ?? 0;
  }
  protected samples(): string[] {
    return [...this.series.values()].map(({ labels, state }) => `${this.name}${this.labelText(labels)} ${formatValue(state.value)}`);
  }
}

export class Gauge extends Metric<{ value: number }> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'gauge');
  }
  protected initial(): { value: number } {
    return { value: 0 };
  }
  set(labels: Labels, value: number): void {
    this.state(labels).value = value;
  }
  inc(labels: Labels = {}, by = 1): void {
    this.state(labels).value += by;
  }
  dec(labels: Labels = {}, by = 1): void {
    this.state(labels).value -= by;
  }
  get(labels: Labels = {}): number {
    return this.series.get(JSON.stringify(this.labelNames.map((n) => labels[n] ?? '')))?.state.value ?? 0;
  }
  protected samples(): string[] {
    return [...this.series.values()].map(({ labels, state }) => `${this.name}${this.labelText(labels)} ${formatValue(state.value)}`);
  }
}

interface HistogramState {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramState> {
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = LATENCY_BUCKETS) {
    super(name, help, labelNames, 'histogram');
    if (labelNames.includes('le')) throw new Error(`histogram ${name} cannot use the label "le"`);
    for (let i = 1; i < buckets.length; i++) if (!(buckets[i]! > buckets[i - 1]!)) throw new Error(`histogram ${name}: buckets must increase`);
    this.buckets = buckets.filter((b) => b !== Infinity);
  }
  protected initial(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  observe(labels: Labels, value: number): void {
    const s = this.state(labels);
    // Counts are kept per bucket and made cumulative when rendered.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i !== -1) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  protected samples(): string[] {
    const out: string[] = [];
    for (const { labels, state } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += state.counts[i]!;
        out.push(`${this.name}_bucket${this.labelText(labels, [['le', formatValue(b)]])} ${cumulative}`);
      });
      out.push(`${this.name}_bucket${this.labelText(labels, [['le', '+Inf']])} ${state.count}`);
      out.push(`${this.name}_sum${this.labelText(labels)} ${formatValue(state.sum)}`);
      out.push(`${this.name}_count${this.labelText(labels)} ${state.count}`);
    }
    return out;
  }
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class Registry {
  private readonly metrics = new Map<string, { render(): string }>();
  private readonly collectors: (() => void)[] = [];

  private add<M extends { readonly name: string; render(): string }>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = LATENCY_BUCKETS): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** Run `fn` before every render (to refresh gauges such as memory or uptime). */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  /** Every metric in the text exposition format, in registration order. */
  render(): string {
    for (const fn of this.collectors) fn();
    return [...this.metrics.values()].map((m) => m.render()).join('');
  }
}
