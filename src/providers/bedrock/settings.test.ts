import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProviderConfig } from '../types.js';
import { bedrockProviderType, createBedrockProvider, encodeModelId } from './index.js';
import { defaultBedrockBaseUrl, resolveBedrockSettings } from './settings.js';

const config = (extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
  name: 'aws',
  type: 'bedrock',
  baseUrl: 'https://bedrock-runtime.eu-central-1.amazonaws.com',
  headers: {},
  timeoutMs: 60_000,
  ...extra,
});

test('config keys win; region and keys fall back to the AWS environment variables', () => {
  assert.deepEqual(resolveBedrockSettings(config({ region: 'eu-central-1', accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOK' }), { AWS_ACCESS_KEY_ID: 'ENVAK', AWS_SECRET_ACCESS_KEY: 'ENVSK' }), {
    settings: { region: 'eu-central-1', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOK' } },
    problems: [],
  });
  assert.deepEqual(resolveBedrockSettings(config(), { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'ENVAK', AWS_SECRET_ACCESS_KEY: 'ENVSK', AWS_SESSION_TOKEN: 'ENVTOK' }), {
    settings: { region: 'us-west-2', credentials: { accessKeyId: 'ENVAK', secretAccessKey: 'ENVSK', sessionToken: 'ENVTOK' } },
    problems: [],
  });
  assert.equal(resolveBedrockSettings(config(), { AWS_DEFAULT_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S' }).settings?.region, 'eu-west-1');
});

test('validation names the missing fields; empty strings count as missing', () => {
  assert.deepEqual(resolveBedrockSettings(config({ region: '' }), {}).problems, [
    { field: 'region', message: 'bedrock needs a region (set region, or AWS_REGION / AWS_DEFAULT_REGION)' },
    { field: 'access_key_id', message: 'bedrock needs AWS credentials (set access_key_id and secret_access_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)' },
  ]);
  assert.deepEqual(resolveBedrockSettings(config({ region: 'us-east-1', accessKeyId: 'AK' }), { AWS_SECRET_ACCESS_KEY: 'SK' }).problems, [
    { field: 'secret_access_key', message: 'access_key_id is set but secret_access_key is missing' },
  ]);
  assert.throws(() => createBedrockProvider(config(), {}), /bedrock provider "aws": region: bedrock needs a region/);
  assert.equal(bedrockProviderType.type, 'bedrock');
  assert.equal(createBedrockProvider(config({ region: 'us-east-1', accessKeyId: 'A', secretAccessKey: 'S' }), {}).nativeDialect, undefined);
});

test('default base URL follows the region', () => {
  assert.equal(defaultBedrockBaseUrl(config({ region: 'ap-northeast-1' }), {}), 'https://bedrock-runtime.ap-northeast-1.amazonaws.com');
  assert.equal(defaultBedrockBaseUrl(config(), { AWS_REGION: 'eu-west-3' }), 'https://bedrock-runtime.eu-west-3.amazonaws.com');
});

test('model ids are encoded like the AWS SDK encodes a path label', () => {
  assert.equal(encodeModelId('us.anthropic.claude-3-5-sonnet-20241022-v2:0'), 'us.anthropic.claude-3-5-sonnet-20241022-v2%3A0');
  assert.equal(
    encodeModelId('arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-2-1b-instruct-v1:0'),
    'arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.meta.llama3-2-1b-instruct-v1%3A0',
  );
  assert.equal(encodeModelId("a!b'c(d)e*f"), 'a%21b%27c%28d%29e%2Af');
});

test('chat requests go to converse / converse-stream on the configured base URL, signed', async () => {
  const provider = createBedrockProvider(
    config({ baseUrl: 'https://vpce-123.bedrock-runtime.eu-central-1.vpce.amazonaws.com', region: 'eu-central-1', accessKeyId: 'AK', secretAccessKey: 'SK', headers: { 'x-team': 'ml' } }),
    {},
  );
  const request = { model: 'm', messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }], stream: false };
  const plain = await provider.buildChatRequest(request, 'anthropic.claude-v2:1');
  assert.equal(plain.url, 'https://vpce-123.bedrock-runtime.eu-central-1.vpce.amazonaws.com/model/anthropic.claude-v2%3A1/converse');
  assert.equal(plain.method, 'POST');
  assert.equal(plain.body, '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}');
  assert.equal(plain.headers['content-type'], 'application/json');
  assert.equal(plain.headers['x-team'], 'ml');
  assert.match(plain.headers.authorization!, /^AWS4-HMAC-SHA256 Credential=AK\/\d{8}\/eu-central-1\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-team, Signature=[0-9a-f]{64}$/);
  const streaming = await provider.buildChatRequest({ ...request, stream: true }, 'anthropic.claude-v2:1');
  assert.equal(streaming.url, 'https://vpce-123.bedrock-runtime.eu-central-1.vpce.amazonaws.com/model/anthropic.claude-v2%3A1/converse-stream');
  assert.equal(streaming.headers.accept, 'application/vnd.amazon.eventstream');
});
