/**
 * The shipped price catalog: list prices (standard tier, not batch, not priority/fast, no regional
 * surcharge) for the current models of every provider type with a public per-token price, and the
 * lookup from (provider type, upstream model id) to a price. Used to put a USD cost on each
 * request when the target has no `pricing` of its own in the config. See docs/PRICING.md.
 *
 * The tables are plain data, one line per model: `id: [input, output, cachedInput?, cacheWrite?]`
 * in USD per million tokens. Ids are lowercase; lookups lowercase the id they are given.
 */

/** USD per million tokens. Cached input = prompt-cache reads; cache write = prompt-cache writes (Anthropic/Bedrock-Anthropic charge extra for those). */
export interface ModelPrice {
  input_per_mtok: number;
  output_per_mtok: number;
  cached_input_per_mtok?: number;
  cache_write_input_per_mtok?: number;
}

/** The date (YYYY-MM-DD) the prices were last checked against the providers' price pages. */
export const CATALOG_CHECKED = '2026-11-25';

/** [input, output, cached input (cache read), cache write], USD per million tokens. */
type Row = readonly [input: number, output: number, cachedInput?: number, cacheWrite?: number];

// OpenAI — developers.openai.com/api/docs/pricing and the per-model pages (gpt-6*, gpt-5.6*),
// cross-checked with pydantic/genai-prices (prices/providers/openai.yml). Models from gpt-5.6 on
// bill cache writes at 1.25x input; they double input/cache and take 1.5x output above 272K input
// tokens: the ≤272K tier is listed. Also used for `azure` (Azure OpenAI global standard deployments
// list the same prices; data-zone/regional deployments cost about 10% more).
const OPENAI: Record<string, Row> = {
  'gpt-6.2-sol': [2, 10, 0.1, 2.5],
  'gpt-6.1-sol': [2, 10, 0.1, 2.5],
  'gpt-6-sol': [2, 10, 0.2, 2.5],
  'gpt-6-astra': [10, 50, 1, 12.5],
  'gpt-6-luna': [0.1, 0.5, 0.01, 0.125],
  'gpt-5.6': [4, 20, 0.4, 5],
  'gpt-5.6-sol': [4, 20, 0.4, 5],
  'gpt-5.6-terra': [2, 12, 0.2, 2.5],
  'gpt-5.6-luna': [0.2, 1.2, 0.02, 0.25],
  'gpt-5.5': [5, 30, 0.5],
  'gpt-5.5-pro': [30, 180],
  'gpt-5.4': [2.5, 15, 0.25],
  'gpt-5.4-pro': [30, 180],
  'gpt-5.4-mini': [0.75, 4.5, 0.075],
  'gpt-5.4-nano': [0.2, 1.25, 0.02],
  'gpt-5.2': [1.75, 14, 0.175],
  'gpt-5.2-pro': [21, 168],
  'gpt-5.1': [1.25, 10, 0.125],
  'gpt-5.1-chat': [1.25, 10, 0.125],
  'gpt-5.1-codex': [1.25, 10, 0.125],
  'gpt-5.1-codex-mini': [0.25, 2, 0.025],
  'gpt-5': [1.25, 10, 0.125],
  'gpt-5-chat': [1.25, 10, 0.125],
  'gpt-5-codex': [1.25, 10, 0.125],
  'gpt-5-mini': [0.25, 2, 0.025],
  'gpt-5-nano': [0.05, 0.4, 0.005],
  'gpt-5-pro': [15, 120],
  'gpt-4.1': [2, 8, 0.5],
  'gpt-4.1-mini': [0.4, 1.6, 0.1],
  'gpt-4.1-nano': [0.1, 0.4, 0.025],
  'gpt-4.5-preview': [75, 150, 37.5],
  'gpt-4o': [2.5, 10, 1.25],
  'gpt-4o-2024-05-13': [5, 15],
  'chatgpt-4o-latest': [5, 15],
  'gpt-4o-mini': [0.15, 0.6, 0.075],
  'o1': [15, 60, 7.5],
  'o1-pro': [150, 600],
  'o1-mini': [1.1, 4.4, 0.55],
  'o3': [2, 8, 0.5],
  'o3-pro': [20, 80],
  'o3-mini': [1.1, 4.4, 0.55],
  'o3-deep-research': [10, 40, 2.5],
  'o4-mini': [1.1, 4.4, 0.275],
  'o4-mini-deep-research': [2, 8, 0.5],
  'codex-mini': [1.5, 6, 0.375],
  'gpt-4-turbo': [10, 30],
  'gpt-4': [30, 60],
  'gpt-4-32k': [60, 120],
  'gpt-3.5-turbo': [0.5, 1.5],
  'text-embedding-3-small': [0.02, 0],
  'text-embedding-3-large': [0.13, 0],
  'text-embedding-ada-002': [0.1, 0],
};

// Anthropic — platform.claude.com/docs/en/about-claude/pricing and the per-model pages (cache
// write = 5-minute write; the 1-hour write costs 2x input). Claude 3.x/4.x: cache read 0.1x and
// write 1.25x input. The 5.5 generation reads cache at 0.05x (Sonnet 5.5 since 2026-10-07, per
// third-party trackers of the page); Haiku 5.5 lists the ≤100K-prompt tier (longer prompts cost 5x).
// Sonnet 4/4.5 list the ≤200K tier of the 1M-context beta. Also used for Bedrock `anthropic.*` ids
// and OpenRouter `anthropic/*` ids (Bedrock geo/regional endpoints add ~10% for newer models).
const ANTHROPIC: Record<string, Row> = {
  'claude-fable-5-1': [10, 50, 0.25, 12.5],
  'claude-mythos-5-1': [10, 50, 0.25, 12.5],
  'claude-fable-5': [10, 50, 1, 12.5],
  'claude-mythos-5': [10, 50, 1, 12.5],
  'claude-opus-5-5': [4, 20, 0.2, 5],
  'claude-opus-5': [5, 25, 0.5, 6.25],
  'claude-opus-4-8': [5, 25, 0.5, 6.25],
  'claude-opus-4-7': [5, 25, 0.5, 6.25],
  'claude-opus-4-6': [5, 25, 0.5, 6.25],
  'claude-opus-4-5': [5, 25, 0.5, 6.25],
  'claude-opus-4-1': [15, 75, 1.5, 18.75],
  'claude-opus-4-0': [15, 75, 1.5, 18.75],
  'claude-opus-4': [15, 75, 1.5, 18.75],
  'claude-sonnet-5-5': [2, 10, 0.1, 2.5],
  'claude-sonnet-5': [2, 10, 0.2, 2.5],
  'claude-sonnet-4-6': [3, 15, 0.3, 3.75],
  'claude-sonnet-4-5': [3, 15, 0.3, 3.75],
  'claude-sonnet-4-0': [3, 15, 0.3, 3.75],
  'claude-sonnet-4': [3, 15, 0.3, 3.75],
  'claude-3-7-sonnet': [3, 15, 0.3, 3.75],
  'claude-3-5-sonnet': [3, 15, 0.3, 3.75],
  'claude-haiku-5-5': [0.1, 0.5, 0.01, 0.125],
  'claude-haiku-4-5': [1, 5, 0.1, 1.25],
  'claude-3-5-haiku': [0.8, 4, 0.08, 1],
  'claude-3-haiku': [0.25, 1.25, 0.03, 0.3],
  'claude-3-opus': [15, 75, 1.5, 18.75],
};

// Google Gemini API — ai.google.dev/gemini-api/docs/pricing (paid tier; text/image/video input).
// Where a model has tiered pricing (>200K-token prompts cost more) the ≤200K tier is listed.
// Gemini 3.8 Flash: $0.75/$3.75 through 2026-12-31, $1.50/$7.50 from 2027-01-01 (update then).
// Context-cache storage (per hour) is not modelled; cached input is the cache-read price.
const GEMINI: Record<string, Row> = {
  'gemini-3.8-flash': [0.75, 3.75],
  'gemini-3.5-flash': [1.5, 9],
  'gemini-3.5-flash-lite': [0.3, 2.5],
  'gemini-3.1-pro-preview': [2, 12, 0.2],
  'gemini-3-pro-preview': [2, 12, 0.2],
  'gemini-3-flash-preview': [0.5, 3, 0.05],
  'gemini-2.5-pro': [1.25, 10, 0.125],
  'gemini-2.5-flash': [0.3, 2.5, 0.03],
  'gemini-2.5-flash-lite': [0.1, 0.4, 0.01],
  'gemini-2.0-flash': [0.1, 0.4, 0.025],
  'gemini-2.0-flash-lite': [0.075, 0.3],
  'gemini-embedding-001': [0.15, 0],
};

// Mistral — mistral.ai/pricing (API), cross-checked with pydantic/genai-prices
// (prices/providers/mistral.yml, 2026-08). Family ids are what the `-latest` aliases point to:
// mistral-large → Large 3 (2512), mistral-medium → Medium 3.5 (since 2026-06-16), mistral-small →
// Small 3.2/4 ($0.10/$0.30), ministral-Nb → Ministral 3. Older dated ids with other prices are listed.
const MISTRAL: Record<string, Row> = {
  'mistral-large': [0.5, 1.5, 0.05],
  'mistral-large-2411': [2, 6],
  'mistral-large-2407': [2, 6],
  'mistral-medium': [1.5, 7.5, 0.15],
  'mistral-medium-3.5': [1.5, 7.5, 0.15],
  'mistral-medium-3-5': [1.5, 7.5, 0.15],
  'mistral-medium-2508': [0.4, 2, 0.04],
  'mistral-medium-2505': [0.4, 2, 0.04],
  'mistral-small': [0.1, 0.3],
  'codestral': [0.3, 0.9, 0.03],
  'devstral-2512': [0.4, 2, 0.04],
  'devstral-medium': [0.4, 2],
  'devstral-small': [0.1, 0.3],
  'magistral-medium': [2, 5],
  'magistral-small': [0.5, 1.5],
  'ministral-14b': [0.2, 0.2, 0.02],
  'ministral-8b': [0.15, 0.15, 0.015],
  'ministral-8b-2410': [0.1, 0.1],
  'ministral-3b': [0.1, 0.1, 0.01],
  'ministral-3b-2410': [0.04, 0.04],
  'open-mistral-nemo': [0.15, 0.15],
  'mistral-nemo': [0.15, 0.15],
  'pixtral-large': [2, 6],
  'mistral-embed': [0.1, 0],
};

// Groq — console.groq.com/docs/models (production models). Groq ids keep their vendor prefix.
const GROQ: Record<string, Row> = {
  'llama-3.3-70b-versatile': [0.59, 0.79],
  'llama-3.1-8b-instant': [0.05, 0.08],
  'openai/gpt-oss-120b': [0.15, 0.6],
  'openai/gpt-oss-20b': [0.075, 0.3],
  'meta-llama/llama-4-scout-17b-16e-instruct': [0.11, 0.34],
  'qwen/qwen3-32b': [0.29, 0.59],
};

// Together AI — together.ai/pricing (serverless), via pydantic/genai-prices (together.yml) and
// Groq/Together price reports for gpt-oss-120b. Ids as Together spells them, lowercased.
const TOGETHER: Record<string, Row> = {
  'meta-llama/llama-3.3-70b-instruct-turbo': [0.88, 0.88],
  'meta-llama/meta-llama-3.1-70b-instruct-turbo': [0.88, 0.88],
  'meta-llama/meta-llama-3.1-8b-instruct-turbo': [0.18, 0.18],
  'openai/gpt-oss-120b': [0.15, 0.6],
};

// Fireworks — fireworks.ai/pricing. No current per-model prices could be verified; left empty so
// Fireworks targets cost 0 unless `pricing` is set on the target.
const FIREWORKS: Record<string, Row> = {};

// DeepSeek — api-docs.deepseek.com/quick_start/pricing (USD). deepseek-chat / deepseek-reasoner are
// compatibility aliases for V4 Flash (non-thinking / thinking); deepseek-flash is its current name.
// V4 Pro is at its permanent price (1/4 of launch) since 2026-05-31. Cached input = cache hit.
const DEEPSEEK: Record<string, Row> = {
  'deepseek-chat': [0.14, 0.28, 0.0028],
  'deepseek-reasoner': [0.14, 0.28, 0.0028],
  'deepseek-flash': [0.14, 0.28, 0.0028],
  'deepseek-v4-flash': [0.14, 0.28, 0.0028],
  'deepseek-v4-pro': [0.435, 0.87, 0.003625],
};

// xAI — docs.x.ai/docs/models, via pydantic/genai-prices (prices/providers/x_ai.yml, 2026-08).
const XAI: Record<string, Row> = {
  'grok-4.5': [2, 6, 0.5],
  'grok-4.3': [1.25, 2.5, 0.2],
  'grok-4.20': [1.25, 2.5, 0.2],
  'grok-4.20-multi-agent': [2, 6, 0.2],
  'grok-4': [3, 15, 0.75],
  'grok-4-1-fast': [0.2, 0.5, 0.05],
  'grok-4-1-fast-reasoning': [0.2, 0.5, 0.05],
  'grok-4-1-fast-non-reasoning': [0.2, 0.5, 0.05],
  'grok-4-fast': [0.2, 0.5, 0.05],
  'grok-4-fast-reasoning': [0.2, 0.5, 0.05],
  'grok-4-fast-non-reasoning': [0.2, 0.5, 0.05],
  'grok-code-fast-1': [0.2, 1.5, 0.02],
  'grok-build-0.1': [1, 2, 0.2],
  'grok-3': [3, 15, 0.75],
  'grok-3-fast': [5, 25, 1.25],
  'grok-3-mini': [0.3, 0.5, 0.075],
  'grok-3-mini-fast': [0.6, 4, 0.15],
  'grok-2': [2, 10],
  'grok-2-vision': [2, 10],
};

// Amazon Bedrock first-party models (`amazon.*` ids, version suffix dropped) — aws.amazon.com/bedrock/pricing
// on-demand, cross-checked with LiteLLM's model_prices_and_context_window.json. Claude on Bedrock
// uses the Anthropic table above.
const BEDROCK_AMAZON: Record<string, Row> = {
  'nova-2-lite': [0.3, 2.5, 0.075],
  'nova-premier': [2.5, 12.5],
  'nova-pro': [0.8, 3.2],
  'nova-lite': [0.06, 0.24],
  'nova-micro': [0.035, 0.14],
};

type Table = ReadonlyMap<string, ModelPrice>;

function table(rows: Record<string, Row>): Table {
  const out = new Map<string, ModelPrice>();
  for (const [id, [input, output, cachedInput, cacheWrite]] of Object.entries(rows)) {
    const price: ModelPrice = { input_per_mtok: input, output_per_mtok: output };
    if (cachedInput !== undefined) price.cached_input_per_mtok = cachedInput;
    if (cacheWrite !== undefined) price.cache_write_input_per_mtok = cacheWrite;
    out.set(id.toLowerCase(), Object.freeze(price));
  }
  return out;
}

const TABLES = {
  openai: table(OPENAI),
  anthropic: table(ANTHROPIC),
  gemini: table(GEMINI),
  mistral: table(MISTRAL),
  groq: table(GROQ),
  together: table(TOGETHER),
  fireworks: table(FIREWORKS),
  deepseek: table(DEEPSEEK),
  xai: table(XAI),
  bedrockAmazon: table(BEDROCK_AMAZON),
} as const;

/** Every table, for tests and docs: name → (id → price). */
export const CATALOG_TABLES: Readonly<Record<keyof typeof TABLES, Table>> = TABLES;

/** OpenRouter's free variants (`…:free`) cost nothing. */
const FREE: ModelPrice = Object.freeze({ input_per_mtok: 0, output_per_mtok: 0 });

/**
 * Version and date suffixes a snapshot id carries over its base id, tried in order; the first that
 * matches is dropped. Only whole trailing segments go, so `gpt-4.1-mini` never becomes `gpt-4.1`.
 */
const SUFFIXES: readonly RegExp[] = [
  /@\d{8}$/, // Vertex: claude-sonnet-4-5@20250929
  /-v\d+(?::\d+)?$/, // Bedrock: …-v1:0, …-v2
  /-\d{4}-\d{2}-\d{2}$/, // OpenAI: gpt-4.1-2025-04-14
  /-\d{8}$/, // Anthropic: claude-sonnet-4-5-20250929
  /-latest$/, // claude-3-5-haiku-latest, mistral-large-latest
  /-\d{2}-\d{4}$/, // Gemini previews: …-09-2025
  /-\d{2}-\d{2}$/, // Gemini previews: …-05-20
  /-\d{3,4}$/, // gemini-2.0-flash-001, gpt-4-0613, mistral-large-2512, grok-4-0709
];

function stripSuffix(id: string): string {
  for (const suffix of SUFFIXES) {
    if (suffix.test(id)) return id.replace(suffix, '');
  }
  return id;
}

/** Exact id, then the id with date/version suffixes dropped one at a time; never a loose prefix. */
function lookup(tbl: Table, id: string): ModelPrice | undefined {
  let current = id;
  for (let i = 0; i < 6; i++) {
    const hit = tbl.get(current);
    if (hit) return hit;
    const next = stripSuffix(current);
    if (next === current || next === '') return undefined;
    current = next;
  }
  return undefined;
}

function openaiPrice(id: string): ModelPrice | undefined {
  // Azure spells gpt-3.5 as gpt-35 in model and deployment names.
  return lookup(TABLES.openai, id.replace(/^gpt-35(?=-|$)/, 'gpt-3.5'));
}

function anthropicPrice(id: string): ModelPrice | undefined {
  // claude-sonnet-4.5 (OpenRouter, some SDKs) and claude-sonnet-4-5 (Anthropic API) are one model.
  return lookup(TABLES.anthropic, id.replace(/(\d)\.(\d)/g, '$1-$2'));
}

function geminiPrice(id: string): ModelPrice | undefined {
  const bare = id.replace(/^models\//, '');
  return lookup(TABLES.gemini, bare) ?? (/-preview(?:-[\d-]+)?$/.test(bare)
    ? lookup(TABLES.gemini, bare.replace(/-preview(?:-[\d-]+)?$/, ''))
    : undefined);
}

const BEDROCK_GEO_PREFIX = /^(?:us|eu|apac|global|jp|au|ca|us-gov)\./;

function bedrockPrice(id: string): ModelPrice | undefined {
  // An inference-profile or model ARN ends in the model id: arn:aws:bedrock:…:inference-profile/us.anthropic.…
  const modelId = id.slice(id.lastIndexOf('/') + 1).replace(BEDROCK_GEO_PREFIX, '');
  if (modelId.startsWith('anthropic.')) return anthropicPrice(modelId.slice('anthropic.'.length));
  if (modelId.startsWith('amazon.')) return lookup(TABLES.bedrockAmazon, modelId.slice('amazon.'.length));
  return undefined;
}

function openrouterPrice(id: string): ModelPrice | undefined {
  if (id.endsWith(':free')) return FREE;
  if (id.includes(':')) return undefined; // :extended, :nitro, … are priced differently
  const slash = id.indexOf('/');
  if (slash <= 0) return undefined;
  const vendor = id.slice(0, slash);
  const rest = id.slice(slash + 1);
  switch (vendor) {
    case 'openai':
      return openaiPrice(rest);
    case 'anthropic':
      return anthropicPrice(rest);
    case 'google':
      return geminiPrice(rest);
    case 'mistralai':
      return lookup(TABLES.mistral, rest);
    case 'x-ai':
      return lookup(TABLES.xai, rest);
    case 'deepseek':
      return lookup(TABLES.deepseek, rest);
    case 'amazon':
      return lookup(TABLES.bedrockAmazon, rest);
    default:
      return undefined;
  }
}

/** OpenAI-compatible servers: a price only when the id is exactly a known model id. */
const EXACT_ORDER: readonly Table[] = [
  TABLES.openai,
  TABLES.anthropic,
  TABLES.gemini,
  TABLES.mistral,
  TABLES.xai,
  TABLES.deepseek,
  TABLES.groq,
  TABLES.together,
  TABLES.fireworks,
];

function exactPrice(id: string): ModelPrice | undefined {
  for (const tbl of EXACT_ORDER) {
    const hit = tbl.get(id);
    if (hit) return hit;
  }
  return undefined;
}

function resolve(providerType: string, upstreamModel: string): ModelPrice | undefined {
  const id = upstreamModel.trim().toLowerCase();
  if (id === '') return undefined;
  switch (providerType) {
    case 'openai':
    case 'azure':
      return openaiPrice(id);
    case 'anthropic':
      return anthropicPrice(id);
    case 'gemini':
      return geminiPrice(id);
    case 'bedrock':
      return bedrockPrice(id);
    case 'openrouter':
      return openrouterPrice(id);
    case 'mistral':
      return lookup(TABLES.mistral, id);
    case 'groq':
      return lookup(TABLES.groq, id);
    case 'together':
      return lookup(TABLES.together, id);
    case 'fireworks':
      return lookup(TABLES.fireworks, id);
    case 'deepseek':
      return lookup(TABLES.deepseek, id);
    case 'xai':
      return lookup(TABLES.xai, id);
    case 'openai-compatible':
      return exactPrice(id);
    default:
      // ollama, vllm, mock: self-hosted or fake, no list price. Unknown types: nothing to go on.
      return undefined;
  }
}

const MEMO_LIMIT = 4096;
/** (type, model) → price, or null for "no price"; oldest entry dropped past MEMO_LIMIT. */
const memo = new Map<string, ModelPrice | null>();

/** The catalog's price for a provider type and the upstream model id sent, or undefined when unknown. */
export function catalogPrice(providerType: string, upstreamModel: string): ModelPrice | undefined {
  const key = `${providerType}\u0000${upstreamModel}`;
  const cached = memo.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const price = resolve(providerType, upstreamModel);
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
  memo.set(key, price ?? null);
  return price;
}
