import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../errors/gateway-error.js';
import { encodeEmbeddingsResponse, parseEmbeddingsRequest } from './embeddings.js';

test('embeddings requests: string or array input and options', () => {
  assert.deepEqual(parseEmbeddingsRequest({ model: 'e', input: 'hello' }), { model: 'e', input: ['hello'] });
  assert.deepEqual(parseEmbeddingsRequest({ model: 'e', input: ['a', 'b'], dimensions: 256, encoding_format: 'base64', user: 'u', extra: 1 }), {
    model: 'e', input: ['a', 'b'], dimensions: 256, encodingFormat: 'base64', user: 'u',
  });
});

test('bad embeddings requests name the field; token arrays are unsupported', () => {
  const refused = (body: unknown): [string, string, string | undefined] => {
    try {
      parseEmbeddingsRequest(body);
    } catch (error) {
      assert.ok(error instanceof GatewayError);
      return [error.code, error.message, error.param];
    }
    assert.fail('accepted');
  };
  assert.deepEqual(refused({ input: 'x' }), ['invalid_request', 'model: is required', 'model']);
  assert.deepEqual(refused({ model: 'e' }), ['invalid_request', 'input: expected a non-empty string or a non-empty array of strings', 'input']);
  assert.deepEqual(refused({ model: 'e', input: [] }), ['invalid_request', 'input: must not be empty', 'input']);
  assert.deepEqual(refused({ model: 'e', input: 7 }), ['invalid_request', 'input: expected a non-empty string or a non-empty array of strings', 'input']);
  assert.deepEqual(refused({ model: 'e', input: ['ok', ''] }), ['invalid_request', 'input[1]: must not be empty', 'input[1]']);
  assert.deepEqual(refused({ model: 'e', input: [1, 2, 3] }), ['unsupported_feature', 'input: token arrays are not supported; send the text', 'input']);
  assert.deepEqual(refused({ model: 'e', input: [[1, 2]] }), ['unsupported_feature', 'input: token arrays are not supported; send the text', 'input']);
  assert.deepEqual(refused({ model: 'e', input: 'x', encoding_format: 'int8' }), ['invalid_request', 'encoding_format: expected one of "float", "base64", got "int8"', 'encoding_format']);
  assert.deepEqual(refused({ model: 'e', input: 'x', dimensions: 0 }), ['invalid_request', 'dimensions: must be >= 1', 'dimensions']);
});

const response = { model: 'text-embedding-3-small', data: [{ index: 0, embedding: [0.5, -1, 0.25] }, { index: 1, embedding: [1, 2, 3] }], usage: { inputTokens: 4 } };

test('float encoding', () => {
  assert.deepEqual(encodeEmbeddingsResponse(response, undefined), {
    object: 'list',
    data: [
      { object: 'embedding', index: 0, embedding: [0.5, -1, 0.25] },
      { object: 'embedding', index: 1, embedding: [1, 2, 3] },
    ],
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 4, total_tokens: 4 },
  });
});

test('base64 encoding is little-endian float32, byte for byte', () => {
  const encoded = encodeEmbeddingsResponse(response, 'base64');
  // 0.5 = 0x3F000000, -1 = 0xBF800000, 0.25 = 0x3E800000, little-endian.
  assert.equal(encoded.data[0]?.embedding, Buffer.from([0, 0, 0, 0x3f, 0, 0, 0x80, 0xbf, 0, 0, 0x80, 0x3e]).toString('base64'));
  assert.equal(encoded.data[1]?.embedding, 'AACAPwAAAEAAAEBA');
});
