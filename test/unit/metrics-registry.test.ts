import { MetricDefinitionError } from '../../src/metrics/labels';
import { createNodeMetrics } from '../../src/metrics/node-metrics';
import { MetricsRegistry } from '../../src/metrics/registry';

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface ParsedFamily {
  help: string;
  type: string;
  samples: ParsedSample[];
}

/** A strict reader of the text format 0.0.4, written from the spec, to read our output back. */
function parseExposition(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  const familyFor = (sample: string): ParsedFamily => {
    const base = families.get(sample) ?? families.get(sample.replace(/_(bucket|sum|count)$/, ''));
    if (!base) throw new Error(`sample ${sample} before its HELP/TYPE`);
    return base;
  };
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (help) {
      const unescaped = help[2].replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
      families.set(help[1], { help: unescaped, type: '', samples: [] });
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      const family = families.get(type[1]);
      if (!family || family.type !== '' || family.samples.length > 0) throw new Error(`misplaced TYPE: ${line}`);
      family.type = type[2];
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      let rest = m[2].slice(1, -1);
      while (rest.length > 0) {
        const name = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(rest);
        if (!name) throw new Error(`bad label in ${line}`);
        let i = name[0].length;
        let value = '';
        for (; rest[i] !== '"'; i++) {
          if (i >= rest.length) throw new Error(`unterminated label value in ${line}`);
          if (rest[i] === '\\') {
            i++;
            value += rest[i] === 'n' ? '\n' : rest[i];
            if (!['n', '\\', '"'].includes(rest[i])) throw new Error(`bad escape in ${line}`);
          } else value += rest[i];
        }
        labels[name[1]] = value;
        rest = rest.slice(i + 1);
        if (rest.startsWith(',')) rest = rest.slice(1);
        else if (rest.length > 0) throw new Error(`expected , in ${line}`);
      }
    }
    const raw = m[3];
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad value in ${line}`);
    familyFor(m[1]).samples.push({ name: m[1], labels, value });
  }
  return families;
}

describe('MetricsRegistry exposition format 0.0.4', () => {
  it('writes counters and gauges with HELP/TYPE and escaped label values and help text', async () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter({ name: 'demo_requests_total', help: 'Requests with a \\ and a\nnewline.', labelNames: ['path', 'code'] });
    const temperature = registry.gauge({ name: 'demo_temperature_celsius', help: 'Temperature.' });
    requests.inc({ path: 'a"b\\c\nd', code: '200' });
    requests.inc({ path: 'a"b\\c\nd', code: '200' }, 2.5);
    requests.inc({ path: '/x', code: '500' });
    temperature.set(undefined, -3.25);
    temperature.inc();

    const text = await registry.expose();
    expect(text).toContain('# HELP demo_requests_total Requests with a \\\\ and a\\nnewline.\n# TYPE demo_requests_total counter\n');
    expect(text).toContain('demo_requests_total{path="a\\"b\\\\c\\nd",code="200"} 3.5\n');
    const parsed = parseExposition(text);
    expect(parsed.get('demo_requests_total')).toEqual({
      help: 'Requests with a \\ and a\nnewline.',
      type: 'counter',
      samples: [
        { name: 'demo_requests_total', labels: { path: 'a"b\\c\nd', code: '200' }, value: 3.5 },
        { name: 'demo_requests_total', labels: { path: '/x', code: '500' }, value: 1 },
      ],
    });
    expect(parsed.get('demo_temperature_celsius')?.samples).toEqual([{ name: 'demo_temperature_celsius', labels: {}, value: -2.25 }]);
  });

  it('writes histogram buckets cumulatively with +Inf, _sum and _count per label set', async () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram({ name: 'demo_seconds', help: 'Durations.', labelNames: ['kind'], buckets: [0.1, 1, 10] });
    for (const v of [0.05, 0.1, 0.5, 2, 20, 30]) h.observe({ kind: 'a' }, v);
    h.observe({ kind: 'b' }, 5);

    const family = parseExposition(await registry.expose()).get('demo_seconds');
    expect(family?.type).toBe('histogram');
    const series = (kind: string) => family!.samples.filter((s) => s.labels.kind === kind);
    const buckets = (kind: string) => series(kind).filter((s) => s.name === 'demo_seconds_bucket').map((s) => [s.labels.le, s.value]);
    // le is inclusive: 0.1 falls in the 0.1 bucket.
    expect(buckets('a')).toEqual([['0.1', 2], ['1', 3], ['10', 4], ['+Inf', 6]]);
    expect(buckets('b')).toEqual([['0.1', 0], ['1', 0], ['10', 1], ['+Inf', 1]]);
    const one = (kind: string, name: string) => series(kind).find((s) => s.name === name)?.value;
    expect(one('a', 'demo_seconds_sum')).toBeCloseTo(52.65, 10);
    expect(one('a', 'demo_seconds_count')).toBe(6);
    // _count equals the +Inf bucket, as the format requires.
    expect(one('b', 'demo_seconds_count')).toBe(1);
    for (const kind of ['a', 'b']) {
      const values = buckets(kind).map(([, v]) => v as number);
      expect(values).toEqual([...values].sort((x, y) => x - y));
    }
  });

  it('times with startTimer and rejects bad bucket lists', () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram({ name: 'demo_timer_seconds', help: 'x' });
    const seconds = h.startTimer()();
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(() => registry.histogram({ name: 'bad_seconds', help: 'x', buckets: [1, 1] })).toThrow(MetricDefinitionError);
    expect(() => registry.histogram({ name: 'bad2_seconds', help: 'x', buckets: [] })).toThrow(MetricDefinitionError);
    expect(() => registry.histogram({ name: 'bad3_seconds', help: 'x', labelNames: ['le'] })).toThrow(/reserved/);
  });

  it('reads callback gauges at scrape time and fails the scrape when a callback fails', async () => {
    const registry = new MetricsRegistry();
    let depth = 3;
    registry.callbackGauge({ name: 'demo_depth', help: 'Depth.', labelNames: ['state'], read: () => [{ labels: { state: 'queued' }, value: depth }] });
    expect(parseExposition(await registry.expose()).get('demo_depth')?.samples[0].value).toBe(3);
    depth = 7;
    expect(parseExposition(await registry.expose()).get('demo_depth')?.samples[0].value).toBe(7);

    registry.callbackGauge({ name: 'demo_broken', help: 'Broken.', read: async () => Promise.reject(new Error('store closed')) });
    await expect(registry.expose()).rejects.toThrow('store closed');
  });

  it('refuses wrong label sets, invalid names, duplicate metrics and decreasing counters', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'demo_total', help: 'x', labelNames: ['kind'] });
    expect(() => c.inc({ kind: 'a', extra: 'b' } as unknown as { kind: string })).toThrow(/unknown: extra/);
    expect(() => c.inc({} as { kind: string })).toThrow(/missing: kind/);
    expect(() => c.inc({ kind: 'a' }, -1)).toThrow(/cannot decrease/);
    expect(() => registry.counter({ name: 'demo_total', help: 'again' })).toThrow(/already registered/);
    expect(() => registry.counter({ name: '9starts_with_digit', help: 'x' })).toThrow(MetricDefinitionError);
    expect(() => registry.counter({ name: 'ok_total', help: 'x', labelNames: ['__reserved'] })).toThrow(MetricDefinitionError);
    expect(() => registry.gauge({ name: 'ok_gauge', help: 'x', labelNames: ['a', 'a'] })).toThrow(/duplicate/);
  });

  it('writes +Inf, -Inf and NaN gauge values as Prometheus spells them', async () => {
    const registry = new MetricsRegistry();
    const g = registry.gauge({ name: 'demo_special', help: 'x', labelNames: ['v'] });
    g.set({ v: 'pos' }, Infinity);
    g.set({ v: 'neg' }, -Infinity);
    g.set({ v: 'nan' }, NaN);
    const text = await registry.expose();
    expect(text).toContain('demo_special{v="pos"} +Inf\n');
    expect(text).toContain('demo_special{v="neg"} -Inf\n');
    expect(text).toContain('demo_special{v="nan"} NaN\n');
  });
});

describe('createNodeMetrics', () => {
  it('registers the node metric set with known series at 0 and queue depth read from its source', async () => {
    const metrics = createNodeMetrics({ queueDepth: () => ({ queued: 4, running: 1 }) });
    metrics.instancesReceived.inc({ source: 'dimse' }, 12);
    metrics.studiesAnalysed.inc({ priority: 'urgent' });
    metrics.exportFailures.inc({ destination: 'pacs-stow' });
    metrics.jobDuration.observe({ kind: 'analyze' }, 3.2);
    metrics.inferenceDuration.observe(undefined, 0.04);

    const parsed = parseExposition(await metrics.registry.expose());
    expect([...parsed.keys()]).toEqual([
      'gastric_ai_instances_received_total',
      'gastric_ai_studies_analysed_total',
      'gastric_ai_studies_skipped_total',
      'gastric_ai_jobs_failed_total',
      'gastric_ai_jobs_dead_total',
      'gastric_ai_export_failures_total',
      'gastric_ai_queue_depth',
      'gastric_ai_job_duration_seconds',
      'gastric_ai_inference_duration_seconds',
    ]);
    const values = (name: string, label: string) =>
      Object.fromEntries(parsed.get(name)!.samples.map((s) => [s.labels[label], s.value]));
    expect(values('gastric_ai_instances_received_total', 'source')).toEqual({ dimse: 12, dicomweb: 0 });
    expect(values('gastric_ai_studies_analysed_total', 'priority')).toEqual({ urgent: 1, suspicious: 0, routine: 0 });
    expect(parsed.get('gastric_ai_studies_skipped_total')!.samples).toEqual([{ name: 'gastric_ai_studies_skipped_total', labels: {}, value: 0 }]);
    expect(values('gastric_ai_jobs_dead_total', 'kind')).toEqual({ analyze: 0, export: 0 });
    expect(values('gastric_ai_export_failures_total', 'destination')).toEqual({ 'pacs-stow': 1 });
    expect(values('gastric_ai_queue_depth', 'state')).toEqual({ queued: 4, running: 1, done: 0, dead: 0 });
    expect(parsed.get('gastric_ai_job_duration_seconds')!.type).toBe('histogram');
    const inference = parsed.get('gastric_ai_inference_duration_seconds')!.samples;
    expect(inference.find((s) => s.name.endsWith('_count'))?.value).toBe(1);
    expect(inference.find((s) => s.labels.le === '0.05')?.value).toBe(1);
    expect(inference.find((s) => s.labels.le === '0.025')?.value).toBe(0);

    metrics.setQueueDepthSource(async () => ({ dead: 2 }));
    const later = parseExposition(await metrics.registry.expose());
    expect(Object.fromEntries(later.get('gastric_ai_queue_depth')!.samples.map((s) => [s.labels.state, s.value]))).toEqual({ queued: 0, running: 0, done: 0, dead: 2 });
  });

  it('exposes no queue depth series before a source is bound', async () => {
    const parsed = parseExposition(await createNodeMetrics().registry.expose());
    expect(parsed.get('gastric_ai_queue_depth')!.samples).toEqual([]);
  });
});
