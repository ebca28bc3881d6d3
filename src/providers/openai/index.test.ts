import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProviderConfig } from '../types.js';
import { openaiFamilyTypes } from './index.js';

const config = (type: string, extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
  name: type, type, baseUrl: 'https://example.test/v1', apiKey: 'k', headers: {}, timeoutMs: 1000, ...extra,
});
const byType = (type: string) => {
  const entry = openaiFamilyTypes.find((candidate) => candidate.type === type);
  assert.ok(entry, type);
  return entry;
};

test('every preset has its default base URL and key variable', () => {
  const table = openaiFamilyTypes.map((entry) => [entry.type, entry.defaultBaseUrl, entry.apiKeyEnv]);
  assert.deepEqual(table, [
    ['openai', 'https://api.openai.com/v1', 'OPENAI_API_KEY'],
    ['azure', undefined, 'AZURE_OPENAI_API_KEY'],
    ['openai-compatible', undefined, undefined],
    ['mistral', 'https://api.mistral.ai/v1', 'MISTRAL_API_KEY'],
    ['groq', 'https://api.groq.com/openai/v1', 'GROQ_API_KEY'],
    ['together', 'https://api.together.xyz/v1', 'TOGETHER_API_KEY'],
    ['fireworks', 'https://api.fireworks.ai/inference/v1', 'FIREWORKS_API_KEY'],
    ['deepseek', 'https://api.deepseek.com/v1', 'DEEPSEEK_API_KEY'],
    ['xai', 'https://api.x.ai/v1', 'XAI_API_KEY'],
    ['openrouter', 'https://openrouter.ai/api/v1', 'OPENROUTER_API_KEY'],
    ['ollama', 'http://127.0.0.1:11434/v1', undefined],
    ['vllm', 'http://127.0.0.1:8000/v1', undefined],
  ]);
  for (const entry of openaiFamilyTypes) assert.equal(entry.create(config(entry.type)).nativeDialect, 'openai-chat');
});

test('azure requires base_url and api_version; openai-compatible requires base_url', () => {
  assert.deepEqual(byType('azure').validate?.(config('azure', { baseUrl: '' })), [
    { field: 'base_url', message: 'is required for type "azure"' },
    { field: 'api_version', message: 'is required for type "azure" (e.g. "2024-10-21")' },
  ]);
  assert.deepEqual(byType('azure').validate?.(config('azure', { apiVersion: '2024-10-21' })), []);
  assert.deepEqual(byType('openai-compatible').validate?.(config('openai-compatible', { baseUrl: '' })), [
    { field: 'base_url', message: 'is required for type "openai-compatible"' },
  ]);
  assert.deepEqual(byType('openai-compatible').validate?.(config('openai-compatible', { baseUrl: 'not a url' })), [
    { field: 'base_url', message: 'is not a valid URL: "not a url"' },
  ]);
  assert.equal(byType('openai').validate, undefined);
});

test('request URLs and auth per type; keyless local servers send no authorization', async () => {
  const request = { model: 'x', messages: [], stream: false };
  const groq = await byType('groq').create(config('groq', { baseUrl: 'https://api.groq.com/openai/v1', headers: { 'x-team': 'a' } })).buildChatRequest(request, 'llama');
  assert.equal(groq.url, 'https://api.groq.com/openai/v1/chat/completions');
  assert.deepEqual(groq.headers, { 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer k', 'x-team': 'a' });
  const ollama = await byType('ollama').create(config('ollama', { apiKey: undefined })).buildChatRequest({ ...request, stream: true }, 'llama3');
  assert.deepEqual(ollama.headers, { 'content-type': 'application/json', accept: 'text/event-stream' });
  const azure = await byType('azure')
    .create(config('azure', { baseUrl: 'https://r.openai.azure.com', apiVersion: '2024-10-21' }))
    .buildChatRequest(request, 'gpt 4o/dep');
  assert.equal(azure.url, 'https://r.openai.azure.com/openai/deployments/gpt%204o%2Fdep/chat/completions?api-version=2024-10-21');
  assert.equal(azure.headers['api-key'], 'k');
});
