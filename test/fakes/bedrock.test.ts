import assert from 'node:assert/strict';
import { request } from 'undici';
import { after, before, test } from 'node:test';
import { validateConverseBody } from './bedrock-validate.js';
import { startFakeBedrock } from './bedrock.js';
import type { FakeUpstream } from './types.js';

const hi = { role: 'user', content: [{ text: 'Hi' }] };
const toolUse = { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'f', input: {} } }] };
const toolResult = (id: string) => ({ role: 'user', content: [{ toolResult: { toolUseId: id, content: [{ text: 'ok' }] } }] });
const toolConfig = { tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object' } } } }] };

test('fake validation: roles, blank text, unknown keys and inference limits', () => {
  assert.equal(validateConverseBody({ messages: [hi] }), undefined);
  assert.equal(validateConverseBody({ messages: [hi, hi] }), 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.');
  assert.equal(validateConverseBody({ messages: [{ role: 'user', content: [{ text: ' ' }] }] }), 'The text field in the ContentBlock object at messages.0.content.0 is blank. Add text to the text field, and try again.');
  assert.match(validateConverseBody({ messages: [hi], inferenceConfg: {} })!, /extraneous key \[inferenceConfg\]/);
  assert.match(validateConverseBody({ messages: [hi], inferenceConfig: { temperature: 1.5 } })!, /inferenceConfig\.temperature/);
  assert.match(validateConverseBody({ messages: [hi], inferenceConfig: { maxTokens: 0 } })!, /inferenceConfig\.maxTokens/);
  assert.match(validateConverseBody({ messages: [{ role: 'user', content: [{ text: 'a', image: {} }] }] })!, /exactly one member/);
  assert.match(validateConverseBody({ messages: [{ role: 'user', content: [{ image: { format: 'bmp', source: { bytes: 'AAAA' } } }] }] })!, /enum value set: \[gif, jpeg, png, webp\]/);
});

test('fake validation: tool blocks need a toolConfig, results must answer the previous turn', () => {
  assert.equal(validateConverseBody({ messages: [hi, toolUse, toolResult('t1')], toolConfig }), undefined);
  assert.equal(validateConverseBody({ messages: [hi, toolUse, toolResult('t1')] }), 'The toolConfig field must be defined when using toolUse and toolResult content blocks.');
  assert.equal(validateConverseBody({ messages: [hi, toolUse, hi], toolConfig }), 'Expected toolResult blocks at messages.2.content for the following Ids: t1');
  assert.match(validateConverseBody({ messages: [hi, toolUse, toolResult('t9')], toolConfig })!, /exceeds the number of toolUse blocks/);
  assert.match(validateConverseBody({ messages: [hi], toolConfig: { tools: [] } })!, /toolConfig\.tools/);
  assert.match(validateConverseBody({ messages: [hi], toolConfig: { ...toolConfig, toolChoice: { tool: { name: 'g' } } } })!, /tool g in toolChoice was not found/);
});

let fake: FakeUpstream;
before(async () => {
  fake = await startFakeBedrock();
});
after(() => fake.close());

test('unsigned requests get AWS MissingAuthenticationToken; unknown paths UnknownOperation', async () => {
  const unsigned = await request(`${fake.url}/model/m/converse`, { method: 'POST', body: JSON.stringify({ messages: [hi] }), headers: { 'content-type': 'application/json' } });
  assert.equal(unsigned.statusCode, 403);
  assert.match(String(unsigned.headers['x-amzn-errortype']), /^MissingAuthenticationTokenException:/);
  assert.deepEqual(await unsigned.body.json(), { message: 'Missing Authentication Token' });
  const unknown = await request(`${fake.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
  assert.equal(unknown.statusCode, 404);
  assert.match(String(unknown.headers['x-amzn-errortype']), /^UnknownOperationException:/);
  await unknown.body.text();
});
