import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastObjectForKey } from './json-scan.js';

test('finds the last object for a key without being fooled by strings', () => {
  const body = Buffer.from(
    JSON.stringify({
      choices: [{ message: { content: 'a "usage": {"prompt_tokens": 999} lookalike }{', tool_calls: [{ function: { arguments: '{"usage":{"x":1}}' } }] } }],
      usage: { prompt_tokens: 9, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } },
    }),
  );
  assert.deepEqual(lastObjectForKey(body, 'usage'), { prompt_tokens: 9, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } });
});

test('spaces after the colon, null, absent and truncated values', () => {
  assert.deepEqual(lastObjectForKey(Buffer.from('{"usage" : {"a": "}"}}'), 'usage'), { a: '}' });
  assert.equal(lastObjectForKey(Buffer.from('{"usage":null}'), 'usage'), undefined);
  assert.equal(lastObjectForKey(Buffer.from('{"other":{}}'), 'usage'), undefined);
  assert.equal(lastObjectForKey(Buffer.from('{"usage":{"a":1'), 'usage'), undefined);
});
