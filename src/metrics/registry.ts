/**
 * A small Prometheus registry: instruments are created through it and `expose()` writes them all in the text
 * exposition format 0.0.4 (HELP and TYPE once per family, then its samples).
 */
import {
  CallbackGauge,
  CallbackGaugeOptions,
  Counter,
  Gauge,
  Histogram,
  HistogramOptions,
  MetricFamily,
  MetricOptions,
  Sample,
} from './instruments';
import { escapeHelp, formatLabels, formatValue, MetricDefinitionError } from './labels';

/** The Content-Type a scraper expects for format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class MetricsRegistry {
  private readonly families = new Map<string, MetricFamily>();

  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.register(new Counter<L>(options));
  }

  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.register(new Gauge<L>(options));
  }

  callbackGauge<L extends string = never>(options: CallbackGaugeOptions<L>): CallbackGauge<L> {
    return this.register(new CallbackGauge<L>(options));
  }

  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.register(new Histogram<L>(options));
  }

  /** Adds any family (e.g. one built elsewhere); names are unique within a registry. */
  register<F extends MetricFamily>(family: F): F {
    if (this.families.has(family.name)) throw new MetricDefinitionError(`metric "${family.name}" is already registered`);
    this.families.set(family.name, family);
    return family;
  }

  names(): string[] {
    return [...this.families.keys()];
  }

  /**
   * The exposition text, families in registration order. A callback that fails fails the scrape (as the official
   * clients do) rather than silently dropping a family an alert may depend on.
   */
  async expose(): Promise<string> {
    const blocks = await Promise.all([...this.families.values()].map(async (family) => renderFamily(family, await family.collect())));
    return blocks.join('');
  }
}

function renderFamily(family: MetricFamily, samples: Sample[]): string {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`];
  for (const s of samples) {
    const extra = s.le === undefined ? undefined : { name: 'le', value: formatValue(s.le) };
    lines.push(`${s.name}${formatLabels(family.labelNames, s.labels, extra)} ${formatValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}
