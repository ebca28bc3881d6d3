import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfigText } from './validate.js';
import { interpolateString } from './interpolate.js';
import { didYouMean } from './did-you-mean.js';

const problemsOf = (yaml: string, env: NodeJS.ProcessEnv = {}): string[] => {
  const result = validateConfigText(yaml, env);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
};

test('the PRODUCT.md example config is valid', () => {
  // Verbatim from PRODUCT.md, with the `...` placeholders filled in.
  const yaml = `
server:
  host: 127.0.0.1
  port: 4000
  master_key: \${SWITCHYARD_MASTER_KEY}   # admin access; without any key configured the gateway is open and warns
storage: sqlite:.switchyard/switchyard.db # sqlite:/abs/path.db, postgres://user:pass@host:5432/db, or memory
redis: redis://127.0.0.1:6379           # optional: shared limits/cache/health across instances

providers:
  openai:    { type: openai, api_key: "\${OPENAI_API_KEY}" }
  claude:    { type: anthropic, api_key: "\${ANTHROPIC_API_KEY}" }
  gemini:    { type: gemini, api_key: "\${GEMINI_API_KEY}" }
  bedrock:   { type: bedrock, region: us-east-1, access_key_id: AKIDEXAMPLE, secret_access_key: secret }
  azure:     { type: azure, base_url: https://x.openai.azure.com, api_key: k, api_version: 2024-10-21 }
  local:     { type: openai-compatible, base_url: "http://127.0.0.1:8000/v1" }
  # every provider accepts base_url (overrides the default endpoint), headers, timeout_ms.
  # base_url means what the provider's official SDK calls its base URL: https://api.openai.com/v1 for
  # OpenAI-type providers, https://api.anthropic.com for anthropic, the API root for gemini, the
  # bedrock-runtime endpoint for bedrock (signed for the host actually called), the resource URL for azure.

models:                                  # the names clients send as "model"
  fast:
    targets: [{ provider: openai, model: gpt-4.1-mini }]
  smart:
    routing: fallback                    # fallback (default, in order) | weighted | round-robin |
                                         # least-latency | least-busy | lowest-cost
    targets:
      - { provider: claude, model: claude-sonnet-4-5, weight: 3 }
      - { provider: openai, model: gpt-4.1, weight: 1,
          pricing: { input_per_mtok: 2.0, output_per_mtok: 8.0, cached_input_per_mtok: 0.5 } }  # overrides the catalog
    retries: 2                           # per target, exponential backoff with jitter, honours Retry-After
    fallbacks: [fast]                    # other model names tried after every target failed
    timeout_ms: 60000
    first_token_timeout_ms: 8000         # a stream with no first token by then fails over
    hedge_after_ms: 2000                 # optional: race the next target when the first is this slow

keys:                                    # static virtual keys; more are created through the admin API
  - name: ci-bot
    key: \${CI_BOT_KEY}
    models: [fast]                       # allowed model names; absent = all
    limits: { rpm: 60, tpm: 100000, concurrency: 4 }
    budget: { usd: 5, period: day }      # day | week | month | total

cache:  { mode: exact, ttl_s: 3600 }    # off | exact | semantic (with embedding_model, threshold)
logging: { requests: true, bodies: false, retention_days: 30 }
guardrails:
  pii: { action: redact, entities: [email, phone, credit_card, ssn, iban, ip_address, api_key] }  # redact | mask | block
`;
  assert.deepEqual(problemsOf(yaml), []);
});

test('unknown provider in a target names the path and suggests the closest name', () => {
  const yaml = `
providers: { openai: { type: openai, api_key: k } }
models:
  smart: { targets: [{ provider: openai, model: a }, { provider: opnai, model: b }] }
`;
  assert.deepEqual(problemsOf(yaml), ['models.smart.targets[1].provider: unknown provider "opnai" (did you mean "openai"?)']);
});

test('every problem is reported, not just the first', () => {
  const yaml = `
server: { prot: 4000 }
providers:
  a: { type: antropic }
  b: { type: openai, timeout_ms: -5 }
models:
  m: { routing: fallbak, targets: [{ provider: a, model: x }], fallbacks: [mm] }
  mm: { targets: [] }
`;
  const problems = problemsOf(yaml);
  assert.ok(problems.includes('server.prot: unknown key "prot" (did you mean "port"?)'), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('providers.b.timeout_ms:')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('models.m.routing: must be one of') && p.includes('(did you mean "fallback"?)')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('models.mm.targets:')), problems.join('\n'));
});

test('cross-reference problems: unknown type and unknown fallback', () => {
  const yaml = `
providers: { a: { type: antropic } }
models:
  m: { targets: [{ provider: a, model: x }], fallbacks: [fsat] }
  fast: { targets: [{ provider: a, model: y }] }
`;
  assert.deepEqual(problemsOf(yaml), [
    'providers.a.type: unknown provider type "antropic" (did you mean "anthropic"?)',
    'models.m.fallbacks[0]: unknown model "fsat" (did you mean "fast"?)',
  ]);
});

test('cache.store: redis needs the top-level redis URL; the cache keys are checked like any other', () => {
  const base = `
providers: { a: { type: openai } }
models: { m: { targets: [{ provider: a, model: x }] } }
`;
  assert.deepEqual(problemsOf(`${base}cache: { mode: exact, store: redis }\n`), ['cache.store: redis needs the top-level `redis` URL']);
  assert.deepEqual(problemsOf(`${base}redis: redis://127.0.0.1:6379\ncache: { mode: exact, store: redis }\n`), []);
  assert.ok(problemsOf(`${base}cache: { mode: exact, max_byte: 10 }\n`).includes('cache.max_byte: unknown key "max_byte" (did you mean "max_bytes"?)'));
});

test('mode: semantic needs an embedding model this gateway serves; pgvector needs PostgreSQL storage', () => {
  const base = `
providers: { a: { type: openai } }
models: { m: { targets: [{ provider: a, model: x }] }, embed: { targets: [{ provider: a, model: e }] } }
`;
  assert.deepEqual(problemsOf(`${base}cache: { mode: semantic }\n`), ['cache.embedding_model: cache.mode is semantic: name the model that embeds prompts (one this gateway serves)']);
  assert.deepEqual(problemsOf(`${base}cache: { mode: semantic, embedding_model: embd }\n`), ['cache.embedding_model: unknown model "embd" (did you mean "embed"?)']);
  assert.deepEqual(problemsOf(`${base}cache: { mode: semantic, embedding_model: embed, threshold: 0.9 }\n`), []);
  assert.deepEqual(problemsOf(`${base}cache: { mode: semantic, embedding_model: a/text-embedding-3-small }\n`), []);
  assert.deepEqual(problemsOf(`${base}cache: { mode: semantic, embedding_model: embed, threshold: 1.5 }\n`).length, 1);
  assert.deepEqual(problemsOf(`${base}cache: { mode: semantic, embedding_model: embed, semantic: { store: pgvector } }\n`), ['cache.semantic.store: pgvector needs `storage` to be a postgres:// URL']);
  // A model's own semantic mode needs the global embedding model too.
  const perModel = base.replace('model: x }] }', 'model: x }], cache: { mode: semantic, threshold: 0.8 } }');
  assert.deepEqual(problemsOf(perModel), ['cache.embedding_model: models.m.cache.mode is semantic: name the model that embeds prompts (one this gateway serves)']);
  assert.deepEqual(problemsOf(`${perModel}cache: { embedding_model: embed }\n`), []);
});

test('invalid YAML is one clear problem with its line', () => {
  const problems = problemsOf('providers:\n  a: { type: openai\n');
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^line \d+: invalid YAML/);
});

test('${VAR} and ${VAR:-default} interpolate in values, never in structure', () => {
  const env = { KEY: 'sk-1', EMPTY: '' };
  assert.equal(interpolateString('${KEY}', env), 'sk-1');
  assert.equal(interpolateString('x-${MISSING:-fallback}-y', env), 'x-fallback-y');
  assert.equal(interpolateString('${EMPTY:-d}', env), 'd');
  assert.equal(interpolateString('${MISSING}', env), '');
  assert.equal(interpolateString('$${KEY}', env), '${KEY}');
  const result = validateConfigText('server: { port: 4000, host: "${HOST:-0.0.0.0}" }\nproviders: { o: { type: openai, api_key: "${NOPE}" } }', {});
  assert.ok(result.ok);
  assert.equal(result.config.server.host, '0.0.0.0');
  assert.equal(result.config.providers.o!.api_key, undefined, 'an unset secret is absent, not ""');
});

test('didYouMean only suggests plausible typos', () => {
  assert.equal(didYouMean('opnai', ['openai', 'anthropic']), 'openai');
  assert.equal(didYouMean('zzzzzz', ['openai', 'anthropic']), undefined);
});

test('routing options: sticky needs a load-balancing strategy; retry_on/fallback_on take statuses and kinds', () => {
  const base = 'providers: { p: { type: mock } }\nmodels:\n';
  assert.deepEqual(problemsOf(`${base}  m: { sticky: user, targets: [{ provider: p, model: echo }] }`), [
    'models.m.sticky: needs routing: weighted or round-robin (not fallback)',
  ]);
  assert.deepEqual(
    problemsOf(`${base}  m: { routing: weighted, sticky: conversation, retry_on: [429, timeout], fallback_on: [auth, context_length, 500], targets: [{ provider: p, model: echo }] }`),
    [],
  );
  const wrong = problemsOf(`${base}  m: { retry_on: [200, timeot], targets: [{ provider: p, model: echo }] }`);
  assert.equal(wrong.length, 2, wrong.join('\n'));
  assert.ok(wrong.every((problem) => problem.startsWith('models.m.retry_on[')), wrong.join('\n'));
  assert.deepEqual(problemsOf(`${base}  m: { targets: [{ provider: p, model: echo }] }\ncircuit_breaker: { error_rate: 2 }`).length, 1);
});
