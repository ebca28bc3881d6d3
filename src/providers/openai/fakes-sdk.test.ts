import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI, { AzureOpenAI } from 'openai';
import { startFakeOpenAI } from '../../../test/fakes/openai.js';
import { startFakeAzure } from '../../../test/fakes/azure.js';

/** The official SDK is the judge of the fakes' wire format: if it parses them, our decoder tests mean something. */

const toolCalls = [
  { id: 'call_a', name: 'weather', arguments: '{"city":"Bern"}' },
  { id: 'call_b', name: 'time', arguments: '{"tz":"CET"}' },
];

test('fake OpenAI: SDK non-stream, streamed tools via the stream helper, embeddings, errors', async () => {
  const fake = await startFakeOpenAI({ toolCalls, usage: { input: 9, output: 4 }, chunkChars: 3 });
  const client = new OpenAI({ baseURL: fake.url, apiKey: 'sk-fake', maxRetries: 0 });
  try {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];
    const plain = await client.chat.completions.create({ model: 'gpt-4.1', messages });
    assert.deepEqual(plain.choices[0]?.message.tool_calls?.map((call) => call.type === 'function' && call.function.arguments), ['{"city":"Bern"}', '{"tz":"CET"}']);
    const final = await client.chat.completions.stream({ model: 'gpt-4.1', messages, stream: true, stream_options: { include_usage: true } }).finalChatCompletion();
    assert.deepEqual(final.choices[0]?.message.tool_calls?.map((call) => call.type === 'function' && [call.id, call.function.name, call.function.arguments]), [
      ['call_a', 'weather', '{"city":"Bern"}'],
      ['call_b', 'time', '{"tz":"CET"}'],
    ]);
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(final.usage?.total_tokens, 13);
    fake.script = { embeddingDimensions: 5 };
    const embeddings = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    assert.equal(fake.requests.at(-1)?.json.encoding_format, 'base64');
    assert.deepEqual(embeddings.data.map((item) => item.embedding.length), [5, 5]);
    fake.script = { text: 'abcdefgh', failAfterChunks: 1 };
    const stream = await client.chat.completions.create({ model: 'gpt-4.1', messages, stream: true });
    await assert.rejects(async () => {
      for await (const _chunk of stream);
    }, (error: unknown) => error instanceof OpenAI.APIError && /server had an error/.test(error.message));
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4.1', messages: [] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.deepEqual([error.code, error.param], ['empty_array', 'messages']);
      return true;
    });
    const keyless = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages }) });
    const denied = (await keyless.json()) as { error: { type: string; code: null; param: null } };
    assert.deepEqual([keyless.status, denied.error.type, denied.error.code, denied.error.param], [401, 'invalid_request_error', null, null]);
  } finally {
    await fake.close();
  }
});

test('fake Azure: the SDK\'s AzureOpenAI client finds the deployment and parses the stream', async () => {
  const fake = await startFakeAzure({ text: 'Grüezi mitenand', reasoning: '', usage: { input: 3, output: 3 } });
  const client = new AzureOpenAI({ endpoint: fake.url, apiKey: 'az-key', apiVersion: '2024-10-21', deployment: 'gpt4o-prod', maxRetries: 0 });
  try {
    const final = await client.chat.completions
      .stream({ model: 'ignored', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })
      .finalChatCompletion();
    assert.equal(final.choices[0]?.message.content, 'Grüezi mitenand');
    assert.equal(final.model, 'gpt4o-prod');
    assert.equal(fake.requests[0]?.url, '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21');
    const missingVersion = await fetch(`${fake.url}/openai/deployments/x/chat/completions`, { method: 'POST', headers: { 'api-key': 'k' }, body: '{}' });
    assert.deepEqual([missingVersion.status, await missingVersion.json()], [404, { error: { code: '404', message: 'Resource not found' } }]);
  } finally {
    await fake.close();
  }
});
