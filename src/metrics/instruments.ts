/**
 * Counters, gauges (set directly or read by a callback at scrape time) and histograms. Each keeps its series by label
 * set and hands its samples to the registry, which writes the exposition text.
 */
import { assertLabelNames, assertMetricName, LabelSet, MetricDefinitionError, seriesKey } from './labels';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Labels of one observation: every declared label name, nothing else. */
export type Labels<L extends string> = Readonly<Record<L, string>>;

/** One sample line: `name` is the family name plus any suffix (_bucket, _sum, _count). */
export interface Sample {
  name: string;
  labels: LabelSet;
  /** The histogram bucket bound, written as the `le` label after the declared labels. */
  le?: number;
  value: number;
}

/** What the registry reads at scrape time. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  collect(): Sample[] | Promise<Sample[]>;
}

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/** Series by key, remembering the label set that made them (Map keeps insertion order: stable output). */
class SeriesTable<V> {
  private readonly series = new Map<string, { labels: LabelSet; value: V }>();
  constructor(private readonly metric: string, private readonly labelNames: readonly string[], private readonly initial: () => V) {}

  get(labels: LabelSet | undefined): { labels: LabelSet; value: V } {
    const key = seriesKey(this.metric, this.labelNames, labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: { ...(labels ?? {}) }, value: this.initial() };
      this.series.set(key, entry);
    }
    return entry;
  }

  entries(): Array<{ labels: LabelSet; value: V }> {
    return [...this.series.values()];
  }
}

function define<L extends string>(options: MetricOptions<L>, reserved: readonly string[] = []): readonly string[] {
  assertMetricName(options.name);
  const labelNames = options.labelNames ?? [];
  assertLabelNames(options.name, labelNames, reserved);
  return labelNames;
}

/** A value that only goes up (resets only when the process restarts). */
export class Counter<L extends string = never> implements MetricFamily {
  readonly type = 'counter';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  private readonly table: SeriesTable<{ v: number }>;

  constructor(options: MetricOptions<L>) {
    this.labelNames = define(options);
    this.name = options.name;
    this.help = options.help;
    this.table = new SeriesTable(this.name, this.labelNames, () => ({ v: 0 }));
  }

  inc(labels?: Labels<L>, by = 1): void {
    if (!(by >= 0)) throw new MetricDefinitionError(`${this.name}: a counter cannot decrease (inc by ${by})`);
    this.table.get(labels).value.v += by;
  }

  /** Creates the series at 0 so that rate() and absence alerts see it before the first event. */
  init(labels?: Labels<L>): void {
    this.table.get(labels);
  }

  value(labels?: Labels<L>): number {
    return this.table.get(labels).value.v;
  }

  collect(): Sample[] {
    return this.table.entries().map((e) => ({ name: this.name, labels: e.labels, value: e.value.v }));
  }
}

/** A value that goes up and down, set by the code that owns it. */
export class Gauge<L extends string = never> implements MetricFamily {
  readonly type = 'gauge';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  private readonly table: SeriesTable<{ v: number }>;

  constructor(options: MetricOptions<L>) {
    this.labelNames = define(options);
    this.name = options.name;
    this.help = options.help;
    this.table = new SeriesTable(this.name, this.labelNames, () => ({ v: 0 }));
  }

  set(labels: Labels<L> | undefined, value: number): void {
    this.table.get(labels).value.v = value;
  }

  inc(labels?: Labels<L>, by = 1): void {
    this.table.get(labels).value.v += by;
  }

  dec(labels?: Labels<L>, by = 1): void {
    this.table.get(labels).value.v -= by;
  }

  value(labels?: Labels<L>): number {
    return this.table.get(labels).value.v;
  }

  collect(): Sample[] {
    return this.table.entries().map((e) => ({ name: this.name, labels: e.labels, value: e.value.v }));
  }
}

export interface GaugeReading<L extends string> {
  labels?: Labels<L>;
  value: number;
}

export interface CallbackGaugeOptions<L extends string> extends MetricOptions<L> {
  /** Read at every scrape (e.g. queue depth from the store), so the value is never stale. */
  read(): Array<GaugeReading<L>> | Promise<Array<GaugeReading<L>>>;
}

/** A gauge whose series come from a callback at scrape time. */
export class CallbackGauge<L extends string = never> implements MetricFamily {
  readonly type = 'gauge';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  private readonly read: CallbackGaugeOptions<L>['read'];

  constructor(options: CallbackGaugeOptions<L>) {
    this.labelNames = define(options);
    this.name = options.name;
    this.help = options.help;
    this.read = options.read;
  }

  async collect(): Promise<Sample[]> {
    const readings = await this.read();
    const table = new SeriesTable<{ v: number }>(this.name, this.labelNames, () => ({ v: 0 }));
    for (const r of readings) table.get(r.labels).value.v = r.value;
    return table.entries().map((e) => ({ name: this.name, labels: e.labels, value: e.value.v }));
  }
}

/** Prometheus client defaults (seconds): 5 ms to 10 s. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, strictly increasing; +Inf is added. */
  buckets?: readonly number[];
}

interface HistogramState {
  /** Per-bucket (non-cumulative) counts; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into buckets; exposed cumulatively with _sum and _count. */
export class Histogram<L extends string = never> implements MetricFamily {
  readonly type = 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly buckets: readonly number[];
  private readonly table: SeriesTable<HistogramState>;

  constructor(options: HistogramOptions<L>) {
    // "le" is the bucket label of every histogram series (exposition format: histograms and summaries).
    this.labelNames = define(options, ['le']);
    this.name = options.name;
    this.help = options.help;
    const buckets = [...(options.buckets ?? DEFAULT_BUCKETS)].filter((b) => b !== Infinity);
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]))) {
      throw new MetricDefinitionError(`${this.name}: buckets must be finite and strictly increasing`);
    }
    this.buckets = buckets;
    this.table = new SeriesTable(this.name, this.labelNames, () => ({ counts: new Array<number>(buckets.length + 1).fill(0), sum: 0, count: 0 }));
  }

  observe(labels: Labels<L> | undefined, value: number): void {
    if (Number.isNaN(value)) throw new MetricDefinitionError(`${this.name}: cannot observe NaN`);
    const state = this.table.get(labels).value;
    let i = this.buckets.findIndex((bound) => value <= bound);
    if (i < 0) i = this.buckets.length;
    state.counts[i] += 1;
    state.sum += value;
    state.count += 1;
  }

  /** Starts a stopwatch; calling the result observes the elapsed seconds and returns them. */
  startTimer(labels?: Labels<L>): () => number {
    const start = process.hrtime.bigint();
    return () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.observe(labels, seconds);
      return seconds;
    };
  }

  collect(): Sample[] {
    const samples: Sample[] = [];
    for (const { labels, value: state } of this.table.entries()) {
      let cumulative = 0;
      [...this.buckets, Infinity].forEach((bound, i) => {
        cumulative += state.counts[i];
        samples.push({ name: `${this.name}_bucket`, labels, le: bound, value: cumulative });
      });
      samples.push({ name: `${this.name}_sum`, labels, value: state.sum });
      samples.push({ name: `${this.name}_count`, labels, value: state.count });
    }
    return samples;
  }
}
