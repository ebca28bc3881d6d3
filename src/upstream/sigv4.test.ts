import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createSigV4Signer } from './sigv4.js';
import { canonicalRequest, verifySigV4 } from '../../test/fakes/bedrock-sigv4-verifier.js';

// The AWS Signature Version 4 test suite (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html):
// its example credentials, scope and date, and the published Authorization values.
const suiteCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const suiteDate = new Date('2015-08-30T12:36:00Z');
const suiteSigner = createSigV4Signer({ region: 'us-east-1', service: 'service', credentials: suiteCredentials, applyChecksum: false });
const scope = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date';

const vectors = [
  { name: 'get-vanilla', method: 'GET', url: 'https://example.amazonaws.com/', signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'post-vanilla', method: 'POST', url: 'https://example.amazonaws.com/', signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  {
    name: 'get-vanilla-query-order-key-case',
    method: 'GET',
    url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1',
    signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  },
];

for (const vector of vectors) {
  test(`sigv4 test suite: ${vector.name}`, async () => {
    const headers = await suiteSigner.sign({ method: vector.method, url: vector.url, headers: {} }, suiteDate);
    assert.deepEqual(headers, {
      'x-amz-date': '20150830T123600Z',
      authorization: `${scope}, Signature=${vector.signature}`,
    });
  });

  test(`the fake's independent verifier accepts the published ${vector.name} signature`, () => {
    const url = new URL(vector.url);
    const result = verifySigV4(
      {
        method: vector.method,
        url: url.pathname + url.search,
        headers: { host: url.host, 'x-amz-date': '20150830T123600Z', authorization: `${scope}, Signature=${vector.signature}` },
        body: '',
      },
      { credentials: suiteCredentials, region: 'us-east-1', service: 'service', now: suiteDate },
    );
    assert.deepEqual(result, { ok: true });
  });
}

const bedrockCredentials = { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake/secret+key', sessionToken: 'session-token-1' };
const bedrockSigner = createSigV4Signer({ region: 'eu-west-3', service: 'bedrock', credentials: bedrockCredentials });
const modelUrl = 'https://bedrock-runtime.eu-west-3.amazonaws.com/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse';
const body = '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}';

test('signs the session token, the payload hash and extra headers (names lowercased)', async () => {
  const headers = await bedrockSigner.sign(
    { method: 'POST', url: modelUrl, headers: { 'Content-Type': 'application/json', 'X-Extra': 'a  b' }, body },
    new Date('2025-01-02T03:04:05Z'),
  );
  assert.equal(headers['x-amz-security-token'], 'session-token-1');
  assert.equal(headers['x-amz-content-sha256'], createHash('sha256').update(body).digest('hex'));
  assert.equal(headers['x-amz-date'], '20250102T030405Z');
  assert.equal(headers['content-type'], 'application/json');
  assert.equal(headers.host, undefined);
  assert.match(
    headers.authorization!,
    /^AWS4-HMAC-SHA256 Credential=AKIAFAKE\/20250102\/eu-west-3\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-extra, Signature=[0-9a-f]{64}$/,
  );
});

test('an encoded model id is signed double-encoded, as AWS recomputes it', async () => {
  const signingDate = new Date();
  const headers = await bedrockSigner.sign({ method: 'POST', url: modelUrl, headers: { 'content-type': 'application/json' }, body }, signingDate);
  const url = new URL(modelUrl);
  const received = { method: 'POST', url: url.pathname, headers: { ...headers, host: url.host }, body };
  const verifierOptions = { credentials: bedrockCredentials, region: 'eu-west-3', service: 'bedrock' };
  assert.deepEqual(verifySigV4(received, verifierOptions), { ok: true });
  assert.match(canonicalRequest(received, ['host']), /\n\/model\/us\.anthropic\.claude-3-5-sonnet-20241022-v2%253A0\/converse\n/);
  // A tampered body or another region must not verify.
  assert.equal(verifySigV4({ ...received, body: body.replace('hi', 'ho') }, verifierOptions).ok, false);
  assert.deepEqual(verifySigV4(received, { ...verifierOptions, region: 'us-east-1' }), {
    ok: false,
    status: 403,
    type: 'InvalidSignatureException',
    message: 'Credential should be scoped to a valid region. ',
  });
});

test('a model id left raw in the path does not verify (why the provider encodes it)', async () => {
  const rawUrl = 'https://bedrock-runtime.eu-west-3.amazonaws.com/model/anthropic.claude-v2:1/converse';
  const headers = await bedrockSigner.sign({ method: 'POST', url: rawUrl, headers: {}, body });
  const result = verifySigV4(
    { method: 'POST', url: '/model/anthropic.claude-v2:1/converse', headers: { ...headers, host: 'bedrock-runtime.eu-west-3.amazonaws.com' }, body },
    { credentials: bedrockCredentials, region: 'eu-west-3', service: 'bedrock' },
  );
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.type, 'InvalidSignatureException');
});

test('the host signed includes a non-default port', async () => {
  const headers = await bedrockSigner.sign({ method: 'POST', url: 'http://127.0.0.1:8123/model/m/converse', headers: {}, body });
  const ok = verifySigV4(
    { method: 'POST', url: '/model/m/converse', headers: { ...headers, host: '127.0.0.1:8123' }, body },
    { credentials: bedrockCredentials, region: 'eu-west-3', service: 'bedrock' },
  );
  assert.deepEqual(ok, { ok: true });
  const wrongHost = verifySigV4(
    { method: 'POST', url: '/model/m/converse', headers: { ...headers, host: '127.0.0.1' }, body },
    { credentials: bedrockCredentials, region: 'eu-west-3', service: 'bedrock' },
  );
  assert.equal(wrongHost.ok, false);
});

test('the verifier rejects missing auth, unknown keys and stale dates the way AWS does', async () => {
  const options = { credentials: bedrockCredentials, region: 'eu-west-3', service: 'bedrock' };
  const base = { method: 'POST', url: '/model/m/converse', body };
  assert.deepEqual(verifySigV4({ ...base, headers: { host: 'h' } }, options), {
    ok: false,
    status: 403,
    type: 'MissingAuthenticationTokenException',
    message: 'Missing Authentication Token',
  });
  const other = createSigV4Signer({ region: 'eu-west-3', service: 'bedrock', credentials: { ...bedrockCredentials, accessKeyId: 'AKIAOTHER' } });
  const otherHeaders = await other.sign({ method: 'POST', url: 'http://h/model/m/converse', headers: {}, body });
  const unknown = verifySigV4({ ...base, headers: { ...otherHeaders, host: 'h' } }, options);
  assert.equal(!unknown.ok && unknown.type, 'UnrecognizedClientException');
  const stale = await bedrockSigner.sign({ method: 'POST', url: 'http://h/model/m/converse', headers: {}, body }, new Date(Date.now() - 10 * 60_000));
  const expired = verifySigV4({ ...base, headers: { ...stale, host: 'h' } }, options);
  assert.equal(!expired.ok && expired.type, 'InvalidSignatureException');
  assert.match(!expired.ok ? expired.message : '', /^Signature expired/);
});
