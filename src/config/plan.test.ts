import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfigText } from './validate.js';
import { compilePlan } from './plan.js';
import { quickStartConfig } from './quick-start.js';
import { validateConfigObject } from './validate.js';
import { resolveTargets } from '../routing/resolve.js';

function plan(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const validated = validateConfigText(yaml, env);
  assert.ok(validated.ok, JSON.stringify(!validated.ok && validated.problems));
  const compiled = compilePlan(validated.config, 'test', env);
  assert.ok(compiled.ok, JSON.stringify(!compiled.ok && compiled.problems));
  return compiled.plan;
}

test('providers get their default base URL and key from the environment when not given', () => {
  const p = plan('providers: { o: { type: openai }, g: { type: groq, base_url: "http://127.0.0.1:9/v1/" } }', { OPENAI_API_KEY: 'sk-env' });
  assert.equal(p.providers.get('o')!.config.baseUrl, 'https://api.openai.com/v1');
  assert.equal(p.providers.get('o')!.config.apiKey, 'sk-env');
  assert.equal(p.providers.get('g')!.config.baseUrl, 'http://127.0.0.1:9/v1', 'trailing slash removed');
});

test('a type without a default base URL requires one', () => {
  const validated = validateConfigText('providers: { local: { type: openai-compatible } }', {});
  assert.ok(validated.ok);
  const compiled = compilePlan(validated.config, 'test', {});
  assert.ok(!compiled.ok);
  assert.deepEqual(compiled.problems, [{ path: 'providers.local.base_url', message: 'required for type "openai-compatible"' }]);
});

test('targets resolve in order, then fallbacks, each model once; provider/model routes directly', () => {
  const p = plan(`
providers: { a: { type: mock }, b: { type: mock } }
models:
  smart: { targets: [{ provider: a, model: echo }, { provider: b, model: echo }], fallbacks: [fast] }
  fast: { targets: [{ provider: b, model: lorem }], fallbacks: [smart] }
`);
  assert.deepEqual(
    resolveTargets(p, 'smart').map((t) => `${t.provider.config.name}/${t.model}`),
    ['a/echo', 'b/echo', 'b/lorem'],
  );
  assert.deepEqual(resolveTargets(p, 'a/lorem').map((t) => `${t.provider.config.name}/${t.model}`), ['a/lorem']);
  assert.throws(() => resolveTargets(p, 'nope'), { code: 'model_not_found', status: 404 });
  assert.throws(() => resolveTargets(p, 'zzz/echo'), { code: 'model_not_found' });
});

test('the quick start serves the mock and turns on providers whose key is set', () => {
  const bare = validateConfigObject(quickStartConfig({}));
  assert.ok(bare.ok);
  assert.deepEqual(Object.keys(bare.config.providers), ['mock']);
  const withKeys = validateConfigObject(quickStartConfig({ OPENAI_API_KEY: 'sk', ANTHROPIC_API_KEY: 'a', PORT: '5050' }));
  assert.ok(withKeys.ok);
  assert.deepEqual(Object.keys(withKeys.config.providers), ['mock', 'openai', 'anthropic']);
  assert.equal(withKeys.config.server.port, 5050);
  const withAws = validateConfigObject(quickStartConfig({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'eu-west-1' }));
  assert.ok(withAws.ok);
  assert.deepEqual(withAws.config.providers.bedrock, { type: 'bedrock', region: 'eu-west-1', headers: {}, timeout_ms: 600_000 });
  const awsWithoutRegion = validateConfigObject(quickStartConfig({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's' }));
  assert.ok(awsWithoutRegion.ok);
  assert.equal(awsWithoutRegion.config.providers.bedrock, undefined);
});

test('storage: relative SQLite paths against the config folder; an unknown scheme is a problem at `storage`', () => {
  const validated = validateConfigText('storage: sqlite:state/s.db', {});
  assert.ok(validated.ok);
  const compiled = compilePlan(validated.config, '/srv/app/switchyard.yaml', {}, '/srv/app');
  assert.ok(compiled.ok);
  assert.deepEqual(compiled.plan.storage, { kind: 'sqlite', path: '/srv/app/state/s.db' });
  const bad = validateConfigText('storage: mysql://db/x', {});
  assert.ok(bad.ok);
  const refused = compilePlan(bad.config, 'test', {});
  assert.ok(!refused.ok);
  assert.match(refused.problems[0]!.message, /unknown storage "mysql:\/\/db\/x"/);
  assert.equal(refused.problems[0]!.path, 'storage');
});

test('targets are priced from the config, else from the catalog; self-hosted and unknown models have no price', () => {
  const p = plan(`
providers: { o: { type: openai, api_key: k }, local: { type: vllm } }
models:
  m:
    targets:
      - { provider: o, model: gpt-4.1 }
      - { provider: o, model: gpt-4.1, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
      - { provider: local, model: llama }
      - { provider: o, model: not-a-real-model }
`);
  const [catalog, configured, selfHosted, unknown] = p.models.get('m')!.targets;
  assert.deepEqual(catalog!.pricing, { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 });
  assert.deepEqual(configured!.pricing, { input_per_mtok: 1, output_per_mtok: 2 });
  assert.equal(selfHosted!.pricing, undefined);
  assert.equal(unknown!.pricing, undefined);
  assert.deepEqual(resolveTargets(p, 'o/gpt-4.1-mini')[0]!.pricing, { input_per_mtok: 0.4, output_per_mtok: 1.6, cached_input_per_mtok: 0.1 });
});

test('logging.webhooks takes http(s) URLs only', () => {
  const bad = validateConfigText('logging: { webhooks: ["ftp://x/y", "not a url"] }', {});
  assert.ok(!bad.ok);
  assert.deepEqual(bad.problems.map((problem) => problem.path).sort(), ['logging.webhooks[0]', 'logging.webhooks[1]']);
});
