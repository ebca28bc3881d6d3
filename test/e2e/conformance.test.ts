/**
 * The conformance matrix: every client SDK (openai, @anthropic-ai/sdk, Vercel ai) against every
 * provider's fake upstream, for every feature, through the real gateway. docs/CONFORMANCE.md is
 * written from the results of this run.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FakeScript, FakeUpstream, RecordedRequest } from '../fakes/types.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startFakeAzure } from '../fakes/azure.js';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import { startFakeGemini } from '../fakes/gemini.js';
import { startFakeBedrock, FAKE_BEDROCK_CREDENTIALS } from '../fakes/bedrock.js';
import { startTestGateway, type TestGateway } from './harness.js';
import { anthropicDriver, openaiDriver, PNG_BASE64, vercelAiDriver, type ClientDriver } from './clients.js';

const PROVIDERS = ['openai', 'azure', 'anthropic', 'gemini', 'bedrock'] as const;
type ProviderName = (typeof PROVIDERS)[number];
const FEATURES = ['text', 'stream', 'tools', 'tool streaming', 'tool results', 'images', 'JSON schema', 'usage', 'errors'] as const;
type Feature = (typeof FEATURES)[number];

const TEXT = 'Hello from the fake upstream, in several pieces.';
const USAGE = { input: 11, output: 7 };
const TOOL_ARGS = '{"city":"Paris","unit":"c"}';

const fakes = {} as Record<ProviderName, FakeUpstream>;
let gateway: TestGateway;
const results = new Map<string, 'pass' | 'fail'>();

before(async () => {
  fakes.openai = await startFakeOpenAI();
  fakes.azure = await startFakeAzure();
  fakes.anthropic = await startFakeAnthropic();
  fakes.gemini = await startFakeGemini();
  fakes.bedrock = await startFakeBedrock();
  gateway = await startTestGateway(`
providers:
  openai: { type: openai, base_url: "${fakes.openai.url}", api_key: sk-test }
  azure: { type: azure, base_url: "${fakes.azure.url}", api_key: az-test, api_version: "2024-10-21" }
  anthropic: { type: anthropic, base_url: "${fakes.anthropic.url}", api_key: ant-test }
  gemini: { type: gemini, base_url: "${fakes.gemini.url}", api_key: gem-test }
  bedrock:
    type: bedrock
    base_url: "${fakes.bedrock.url}"
    region: ${FAKE_BEDROCK_CREDENTIALS.region}
    access_key_id: ${FAKE_BEDROCK_CREDENTIALS.accessKeyId}
    secret_access_key: ${FAKE_BEDROCK_CREDENTIALS.secretAccessKey}
models:
  via-openai: { targets: [{ provider: openai, model: gpt-4.1-mini }] }
  via-azure: { targets: [{ provider: azure, model: my-deployment }] }
  via-anthropic: { targets: [{ provider: anthropic, model: claude-sonnet-4-5 }] }
  via-gemini: { targets: [{ provider: gemini, model: gemini-2.5-flash }] }
  via-bedrock: { targets: [{ provider: bedrock, model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" }] }
`);
});

after(async () => {
  await gateway?.stop();
  await Promise.all(Object.values(fakes).map((fake) => fake.close()));
  writeFileSync(new URL('../../docs/CONFORMANCE.md', import.meta.url), renderMatrix());
});

/** The forced tool a provider without native JSON mode was asked to call, if any. */
function forcedToolName(request: RecordedRequest): string | undefined {
  const json = request.json ?? {};
  if (json.tool_choice?.type === 'tool') return json.tool_choice.name;
  return json.toolConfig?.toolChoice?.tool?.name;
}

function scriptFor(feature: Feature): FakeScript | ((request: RecordedRequest) => FakeScript) {
  switch (feature) {
    case 'tools':
    case 'tool streaming':
      return { toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: TOOL_ARGS }], usage: USAGE };
    case 'JSON schema':
      return (request) => {
        const forced = forcedToolName(request);
        return forced
          ? { toolCalls: [{ id: 'call_json', name: forced, arguments: '{"answer":42}' }], usage: USAGE }
          : { text: '{"answer":42}', usage: USAGE };
      };
    case 'errors':
      return { error: { status: 400, message: 'the fake refused this request' } };
    default:
      return { text: TEXT, usage: USAGE };
  }
}

async function runFeature(client: ClientDriver, provider: ProviderName, feature: Feature): Promise<void> {
  const model = `via-${provider}`;
  const fake = fakes[provider];
  const before = fake.requests.length;
  switch (feature) {
    case 'text': {
      const reply = await client.text(model);
      assert.equal(reply.text, TEXT);
      assert.ok(['stop', 'end_turn'].includes(reply.finish), `finish ${reply.finish}`);
      return;
    }
    case 'stream': {
      const reply = await client.stream(model);
      assert.equal(reply.text, TEXT);
      assert.deepEqual(reply.usage, USAGE);
      assert.ok(fake.requests.length > before);
      return;
    }
    case 'tools':
    case 'tool streaming': {
      const calls = await client.tools(model, feature === 'tool streaming');
      assert.deepEqual(calls, [{ name: 'get_weather', arguments: JSON.parse(TOOL_ARGS) }]);
      return;
    }
    case 'tool results': {
      const text = await client.toolResult(model);
      assert.equal(text, TEXT);
      const upstream = fake.requests.at(-1)!;
      assert.ok(upstream.body.includes('sunny and 21 degrees'), 'the tool result reached the provider');
      return;
    }
    case 'images': {
      await client.image(model);
      assert.ok(fake.requests.at(-1)!.body.includes(PNG_BASE64), 'the image bytes reached the provider');
      return;
    }
    case 'JSON schema':
      assert.deepEqual(await client.jsonSchema(model), { answer: 42 });
      // The schema reached the provider in its native form (response_format, responseSchema, output_config or a forced tool).
      assert.ok(fake.requests.at(-1)!.body.includes('"answer"'), 'the schema reached the provider');
      return;
    case 'usage':
      assert.deepEqual(await client.usage(model), USAGE);
      return;
    case 'errors': {
      const failure = await client.error(model);
      assert.equal(failure.status, 400);
      assert.match(failure.message, /the fake refused this request/);
      return;
    }
  }
}

const clients: Array<[string, (url: string) => ClientDriver]> = [
  ['openai SDK', openaiDriver],
  ['anthropic SDK', anthropicDriver],
  ['Vercel ai SDK', vercelAiDriver],
];

for (const [clientName, makeClient] of clients) {
  describe(clientName, () => {
    for (const provider of PROVIDERS) {
      for (const feature of FEATURES) {
        const key = `${clientName}|${provider}|${feature}`;
        test(`${clientName} → ${provider}: ${feature}`, async () => {
          results.set(key, 'fail');
          fakes[provider].script = scriptFor(feature);
          await runFeature(makeClient(gateway.url), provider, feature);
          results.set(key, 'pass');
        });
      }
    }
  });
}

function renderMatrix(): string {
  const mark = { pass: '✅', fail: '❌' } as const;
  const lines = [
    '# Conformance matrix',
    '',
    'Generated by `test/e2e/conformance.test.ts` on every `npm test`: each cell is one test that sent a',
    'request with the official client SDK through the running gateway to a fake upstream speaking the',
    "provider's exact wire format, and checked what came back (and what reached the provider).",
    '✅ passed, ❌ failed. JSON schema is `response_format: json_schema` for OpenAI-format clients and',
    '`output_config.format` (structured outputs) for the Anthropic SDK; providers without a native JSON',
    'schema mode (Anthropic, Bedrock) get a forced tool whose input is returned as the answer text.',
    '',
    'OpenAI SDK → openai/azure and Anthropic SDK → anthropic are pass-through pairs (bytes forwarded, only',
    '`model` rewritten); every other pair is translated both ways. Streaming cells use SSE end to end, or',
    "Bedrock's binary event stream upstream.",
    '',
  ];
  for (const [clientName] of clients) {
    lines.push(`## ${clientName}`, '', `| feature | ${PROVIDERS.join(' | ')} |`, `|---|${PROVIDERS.map(() => '---').join('|')}|`);
    for (const feature of FEATURES) {
      const cells = PROVIDERS.map((provider) => mark[results.get(`${clientName}|${provider}|${feature}`) ?? 'fail']);
      lines.push(`| ${feature} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
