// Synthetic request log rows with realistic distributions, for the storage benchmark.
// Deterministic (seeded) except for the random bits of the ids, which are random like the gateway's.
import { newRequestId } from '../../src/server/request-id.js';
import type { LogRecord } from '../../src/storage/records.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** sfc32: small, fast, seedable. Returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed | 1;
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  return next;
}

/** Picks an index by weight (weights need not sum to 1): a cumulative table and a binary search. */
class Weighted<T> {
  readonly #cumulative: number[] = [];
  readonly #total: number;
  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    let sum = 0;
    for (const weight of weights) this.#cumulative.push((sum += weight));
    this.#total = sum;
  }
  pick(random: number): T {
    const target = random * this.#total;
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
  share(index: number): number {
    return (this.#cumulative[index]! - (index > 0 ? this.#cumulative[index - 1]! : 0)) / this.#total;
  }
}

const zipf = (count: number, s: number) => Array.from({ length: count }, (_, i) => 1 / (i + 1) ** s);

interface ModelSpec {
  name: string;
  api: 'chat.completions' | 'messages' | 'embeddings';
  provider: string;
  upstream: string;
  /** USD per million input / output tokens. */
  price: [number, number];
  reasoning?: boolean;
  /** A weighted model: its pick, `provider/model`, is the row's variant. */
  variants?: Array<[provider: string, upstream: string]>;
}

// 20 models on 6 providers. The top three take 70% of the traffic; `smart-ab` is a weighted model
// (an A/B split) whose rows carry a variant: ~5% of all rows.
const MODELS: ModelSpec[] = [
  { name: 'gpt-4.1-mini', api: 'chat.completions', provider: 'openai', upstream: 'gpt-4.1-mini', price: [0.4, 1.6] },
  { name: 'claude-sonnet-4', api: 'messages', provider: 'anthropic', upstream: 'claude-sonnet-4-20250514', price: [3, 15] },
  { name: 'fast', api: 'chat.completions', provider: 'groq', upstream: 'llama-3.3-70b-versatile', price: [0.59, 0.79] },
  { name: 'smart-ab', api: 'chat.completions', provider: 'openai', upstream: 'gpt-4.1', price: [2, 8], variants: [['openai', 'gpt-4.1'], ['anthropic', 'claude-sonnet-4-20250514']] },
  { name: 'gemini-2.5-flash', api: 'chat.completions', provider: 'google', upstream: 'gemini-2.5-flash', price: [0.3, 2.5] },
  { name: 'text-embedding-3-small', api: 'embeddings', provider: 'openai', upstream: 'text-embedding-3-small', price: [0.02, 0] },
  { name: 'gpt-4.1', api: 'chat.completions', provider: 'openai', upstream: 'gpt-4.1', price: [2, 8] },
  { name: 'claude-haiku-3.5', api: 'messages', provider: 'anthropic', upstream: 'claude-3-5-haiku-20241022', price: [0.8, 4] },
  { name: 'o4-mini', api: 'chat.completions', provider: 'openai', upstream: 'o4-mini', price: [1.1, 4.4], reasoning: true },
  { name: 'gemini-2.5-pro', api: 'chat.completions', provider: 'google', upstream: 'gemini-2.5-pro', price: [1.25, 10], reasoning: true },
  { name: 'bedrock-claude', api: 'messages', provider: 'bedrock', upstream: 'anthropic.claude-sonnet-4-20250514-v1:0', price: [3, 15] },
  { name: 'azure-gpt-4o', api: 'chat.completions', provider: 'azure', upstream: 'gpt-4o', price: [2.5, 10] },
  { name: 'llama-3.1-8b', api: 'chat.completions', provider: 'groq', upstream: 'llama-3.1-8b-instant', price: [0.05, 0.08] },
  { name: 'claude-opus-4', api: 'messages', provider: 'anthropic', upstream: 'claude-opus-4-20250514', price: [15, 75], reasoning: true },
  { name: 'text-embedding-3-large', api: 'embeddings', provider: 'openai', upstream: 'text-embedding-3-large', price: [0.13, 0] },
  { name: 'gemini-embedding', api: 'embeddings', provider: 'google', upstream: 'gemini-embedding-001', price: [0.15, 0] },
  { name: 'bedrock-titan', api: 'chat.completions', provider: 'bedrock', upstream: 'amazon.titan-text-premier-v1:0', price: [0.5, 1.5] },
  { name: 'azure-gpt-4o-mini', api: 'chat.completions', provider: 'azure', upstream: 'gpt-4o-mini', price: [0.15, 0.6] },
  { name: 'o3', api: 'chat.completions', provider: 'openai', upstream: 'o3', price: [2, 8], reasoning: true },
  { name: 'mixtral', api: 'chat.completions', provider: 'groq', upstream: 'mixtral-8x7b-32768', price: [0.24, 0.24] },
];
const TAIL = zipf(MODELS.length - 4, 1.1);
const TAIL_SUM = TAIL.reduce((a, b) => a + b, 0);
const MODEL_WEIGHTS = [0.32, 0.23, 0.15, 0.05, ...TAIL.map((w) => (0.25 * w) / TAIL_SUM)];

export const PROVIDERS = ['openai', 'anthropic', 'google', 'groq', 'bedrock', 'azure'];
export const KEYS = Array.from({ length: 200 }, (_, i) => `vk_${(0x1f3a5c + i * 7919).toString(16).padStart(8, '0')}`);
export const TAGS = Array.from({ length: 50 }, (_, i) =>
  i < 5 ? ['env:prod', 'team:search', 'team:support', 'env:staging', 'batch'][i]! : `feature:${['summarise', 'classify', 'chat', 'extract', 'translate'][i % 5]}-${i}`,
);

const ERRORS: Array<{ status: number; weight: number; code: string; message: string }> = [
  { status: 429, weight: 1.3, code: 'rate_limited', message: 'upstream rate limit: Rate limit reached for requests per minute' },
  { status: 502, weight: 0.8, code: 'upstream_error', message: 'every target failed: openai 502 Bad Gateway; anthropic 529 overloaded' },
  { status: 500, weight: 0.5, code: 'internal_error', message: 'upstream returned 500: The server had an error while processing your request' },
  { status: 400, weight: 0.4, code: 'invalid_request', message: "messages: at least one message is required; 'temperature' must be <= 2" },
];

export interface Distributions {
  models: string[];
  modelShare: number[];
  providers: string[];
  providerShare: number[];
  keys: string[];
  keyShare: number[];
  tags: string[];
  tagShare: number[];
}

export const distributions = (): Distributions => {
  const models = new Weighted(MODELS, MODEL_WEIGHTS);
  const tags = new Weighted(TAGS, zipf(TAGS.length, 1.1));
  const keys = new Weighted(KEYS, zipf(KEYS.length, 1.0));
  const providerShare = PROVIDERS.map(() => 0);
  MODELS.forEach((model, i) => {
    const picks = model.variants ? model.variants.map(([provider]) => provider) : [model.provider];
    for (const provider of picks) providerShare[PROVIDERS.indexOf(provider)]! += models.share(i) / picks.length;
  });
  return {
    models: MODELS.map((m) => m.name),
    modelShare: MODELS.map((_, i) => models.share(i)),
    providers: PROVIDERS,
    providerShare,
    keys: KEYS,
    keyShare: KEYS.map((_, i) => keys.share(i) * 0.98),
    tags: TAGS,
    tagShare: TAGS.map((_, i) => tags.share(i)),
  };
};

/** A UUIDv7 for a given millisecond, as the gateway makes them. */
export function requestIdAt(ms: number): string {
  return newRequestId(ms);
}

/**
 * Per-minute row counts over `[start, start + days)`: a daily cycle (peak ~15:00 UTC, trough at
 * night, ~4:1) and quieter weekends, scaled so they add up to `total` exactly.
 */
function minuteCounts(start: number, days: number, total: number): Uint32Array {
  const minutes = days * 1440;
  const weights = new Float64Array(minutes);
  let sum = 0;
  for (let m = 0; m < minutes; m++) {
    const at = new Date(start + m * 60_000);
    const hour = at.getUTCHours() + at.getUTCMinutes() / 60;
    const daily = 1 + 0.6 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
    const weekday = at.getUTCDay() === 0 || at.getUTCDay() === 6 ? 0.6 : 1;
    weights[m] = daily * weekday;
    sum += weights[m]!;
  }
  const counts = new Uint32Array(minutes);
  let assigned = 0;
  let carry = 0;
  for (let m = 0; m < minutes; m++) {
    const exact = (weights[m]! / sum) * total + carry;
    const whole = Math.floor(exact);
    carry = exact - whole;
    counts[m] = whole;
    assigned += whole;
  }
  counts[minutes - 1]! += total - assigned;
  return counts;
}

export interface GenerateOptions {
  /** First millisecond of the range. */
  start: number;
  days: number;
  rows: number;
  batchSize: number;
  seed: number;
}

/** Yields the rows in time order (as the gateway writes them), `batchSize` at a time. */
export function* generateRows(options: GenerateOptions): Generator<LogRecord[]> {
  const random = rng(options.seed);
  const models = new Weighted(MODELS, MODEL_WEIGHTS);
  const keys = new Weighted(KEYS, zipf(KEYS.length, 1.0));
  const tags = new Weighted(TAGS, zipf(TAGS.length, 1.1));
  const errors = new Weighted(ERRORS, ERRORS.map((e) => e.weight));
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const lognormal = (median: number, sigma: number) => median * Math.exp(sigma * normal());
  const counts = minuteCounts(options.start, options.days, options.rows);
  let batch: LogRecord[] = [];
  const offsets: number[] = [];
  for (let minute = 0; minute < counts.length; minute++) {
    const count = counts[minute]!;
    offsets.length = 0;
    for (let i = 0; i < count; i++) offsets.push(Math.floor(random() * 60_000));
    offsets.sort((a, b) => a - b);
    const minuteStart = options.start + minute * 60_000;
    for (const offset of offsets) {
      const createdAt = minuteStart + offset;
      const model = models.pick(random());
      let provider = model.provider;
      let upstream = model.upstream;
      let variant: string | null = null;
      if (model.variants) {
        [provider, upstream] = model.variants[random() < 0.5 ? 0 : 1]!;
        variant = `${provider}/${upstream}`;
      }
      const isError = random() < 0.03;
      const error = isError ? errors.pick(random()) : undefined;
      const embeddings = model.api === 'embeddings';
      const api = model.api === 'messages' && random() < 0.4 ? 'chat.completions' : model.api;
      const stream = !embeddings && random() < 0.6;
      const cacheHit = !isError && !embeddings && random() < 0.01;
      let latency = error ? lognormal(error.status === 429 || error.status === 400 ? 120 : 2500, 0.8) : cacheHit ? 2 + random() * 4 : lognormal(embeddings ? 150 : 800, 0.9);
      latency = Math.max(1, Math.min(600_000, Math.round(latency)));
      let input = 0;
      let output = 0;
      let cached = 0;
      let reasoning = 0;
      if (!error) {
        input = Math.min(200_000, Math.max(1, Math.round(lognormal(embeddings ? 300 : 700, 1.3))));
        if (!embeddings) {
          output = Math.min(16_000, Math.max(1, Math.round(lognormal(250, 1.0))));
          if (random() < 0.35) cached = Math.floor(input * (0.3 + 0.6 * random()));
          if (model.reasoning) reasoning = Math.floor(output * (0.3 + 0.5 * random()));
        }
      }
      const cost = cacheHit || error ? 0 : ((input - cached) * model.price[0] + cached * model.price[0] * 0.25 + output * model.price[1]) / 1e6;
      const failover = !error && random() < 0.04;
      const attemptLog: LogRecord['attempt_log'] = [];
      if (failover) {
        const other = PROVIDERS[(PROVIDERS.indexOf(provider) + 1) % PROVIDERS.length]!;
        attemptLog.push({ provider: other, model: upstream, status: 503, error_code: 'upstream_unavailable', error: 'upstream returned 503: overloaded', latency_ms: Math.round(lognormal(200, 0.5)) });
      }
      if (!cacheHit) {
        attemptLog.push({
          provider,
          model: upstream,
          status: error ? error.status : 200,
          error_code: error?.code ?? null,
          error: error?.message ?? null,
          latency_ms: latency,
        });
      }
      let rowTags: string[] = [];
      if (random() < 0.1) {
        const first = tags.pick(random());
        rowTags = [first];
        if (random() < 0.3) {
          const second = tags.pick(random());
          if (second !== first) rowTags.push(second);
        }
      }
      const keyRoll = random();
      batch.push({
        id: requestIdAt(createdAt),
        created_at: createdAt,
        api,
        key_id: keyRoll < 0.02 ? null : keys.pick(random()),
        model: model.name,
        provider,
        upstream_model: upstream,
        variant,
        status: error ? error.status : 200,
        error_code: error?.code ?? null,
        error_message: error?.message ?? null,
        stream,
        latency_ms: latency,
        ttft_ms: stream && !error ? Math.max(1, Math.round(latency * (0.1 + 0.3 * random()))) : null,
        input_tokens: input,
        output_tokens: output,
        cached_tokens: cached,
        reasoning_tokens: reasoning,
        tokens_estimated: !error && random() < 0.01,
        cost_usd: cost,
        cache: cacheHit ? 'hit' : null,
        attempts: attemptLog.length,
        attempt_log: attemptLog,
        tags: rowTags,
      });
      if (batch.length === options.batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
