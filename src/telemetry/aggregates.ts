import type { Registry } from 'prom-client';

/**
 * Counters and histograms that cost O(1) per observation on the request path, exposed through
 * prom-client's registry (which formats the text): prom-client's own metrics re-validate and hash
 * the label set on every `inc`/`observe`, even through `labels()` children, which measured several
 * µs per request. Here a series is looked up once per label combination and then only mutated;
 * the registry asks `get()` for a snapshot at scrape time.
 */
interface Series {
  labels: Record<string, string>;
  value: number;
  /** Histograms: observations per bucket (not cumulative), and their sum. */
  buckets?: number[];
  sum?: number;
}

export class AggregatedMetric {
  readonly #series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    readonly labelNames: readonly string[] = [],
    readonly buckets: readonly number[] = [],
    registry?: Registry,
  ) {
    registry?.registerMetric(this as never);
    if (labelNames.length === 0) this.series(); // an unlabelled metric shows 0 before its first event
  }

  /** The series for these label values (in `labelNames` order); keep it to update it cheaply. */
  series(...values: string[]): Series {
    const key = values.join('\u0000');
    let series = this.#series.get(key);
    if (!series) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, index) => (labels[name] = values[index] ?? ''));
      series = { labels, value: 0, ...(this.type === 'histogram' && { buckets: new Array(this.buckets.length + 1).fill(0), sum: 0 }) };
      this.#series.set(key, series);
    }
    return series;
  }

  static inc(series: Series, amount = 1): void {
    series.value += amount;
  }

  /** Counts one observation: `value` is the count, `buckets` the per-bucket counts. */
  observe(series: Series, value: number): void {
    const bounds = this.buckets;
    let index = 0;
    while (index < bounds.length && value > bounds[index]!) index++;
    series.buckets![index]!++;
    series.sum! += value;
    series.value++;
  }

  /** prom-client's metric contract: a snapshot for the registry to format. */
  get(): { name: string; help: string; type: string; aggregator: 'sum'; values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }> } {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }> = [];
    for (const series of this.#series.values()) {
      if (this.type === 'counter') {
        values.push({ labels: series.labels, value: series.value });
        continue;
      }
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += series.buckets![index]!;
        values.push({ labels: { ...series.labels, le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...series.labels, le: '+Inf' }, value: series.value, metricName: `${this.name}_bucket` });
      values.push({ labels: series.labels, value: series.sum!, metricName: `${this.name}_sum` });
      values.push({ labels: series.labels, value: series.value, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }

  reset(): void {
    this.#series.clear();
  }
}
