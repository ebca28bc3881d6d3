import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { FakeScript, FakeUpstream, RecordedRequest } from './types.js';
import { fakeEmbedding, startFakeServer } from './server.js';
import { verifySigV4, type VerifierCredentials } from './bedrock-sigv4-verifier.js';
import { validateConverseBody } from './bedrock-validate.js';
import { sendConverse, streamConverse } from './bedrock-render.js';

/**
 * A fake bedrock-runtime endpoint: POST /model/{modelId}/converse (JSON), /converse-stream (binary
 * `application/vnd.amazon.eventstream` frames with real CRCs, cut at random offsets) and /invoke
 * (Titan text embeddings). Every request must carry a valid SigV4 signature for these credentials,
 * recomputed independently from the request as received; bodies are validated as Bedrock does, and
 * errors use Bedrock's shape: `{"message"}` plus the `x-amzn-errortype` header. A script's `error`
 * answers with that HTTP error, except with `failAfterChunks`, where it shapes the in-stream exception.
 */

export const FAKE_BEDROCK_CREDENTIALS = {
  accessKeyId: 'AKIAFAKEBEDROCK00001',
  secretAccessKey: 'fakeBedrockSecret/Key+EXAMPLE000000000000',
  region: 'us-east-1',
} as const;

export interface FakeBedrockOptions {
  /** Require this session token (temporary credentials). */
  sessionToken?: string;
}

const ROUTE = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;
const DEFAULT_ERROR_TYPES: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

/** Starts the fake; `url` is what a bedrock provider's `base_url` takes. */
export async function startFakeBedrock(script: FakeScript = {}, options: FakeBedrockOptions = {}): Promise<FakeUpstream> {
  const credentials: VerifierCredentials = { accessKeyId: FAKE_BEDROCK_CREDENTIALS.accessKeyId, secretAccessKey: FAKE_BEDROCK_CREDENTIALS.secretAccessKey };
  if (options.sessionToken !== undefined) credentials.sessionToken = options.sessionToken;
  let seed = 1;
  const fake = await startFakeServer(async (request, response, current, state) => {
    const requestId = randomUUID();
    const route = ROUTE.exec(request.url.split('?')[0]!);
    if (request.method !== 'POST' || !route) return sendBedrockError(response, 404, 'UnknownOperationException', 'Not Found', requestId);
    const auth = verifySigV4(request, { credentials, region: FAKE_BEDROCK_CREDENTIALS.region, service: 'bedrock' });
    if (!auth.ok) return sendBedrockError(response, auth.status, auth.type, auth.message, requestId);
    const modelId = decodeURIComponent(route[1]!);
    const action = route[2]!;
    if (request.json === undefined) return sendBedrockError(response, 400, 'ValidationException', 'Malformed input request, please reformat your input and try again.', requestId);
    if (action === 'invoke') return invokeEmbedding(response, request, modelId, current, requestId);
    const invalid = validateConverseBody(request.json);
    if (invalid) return sendBedrockError(response, 400, 'ValidationException', invalid, requestId);
    if (current.hang) return; // never answer; the server records the abort
    if (current.error && current.failAfterChunks === undefined) return sendScriptError(response, current.error, requestId);
    if (action === 'converse') return sendConverse(response, current, requestId);
    return streamConverse(response, current, state, requestId, seed++);
  });
  fake.script = script;
  return fake;
}

/** Writes an error the way bedrock-runtime does. */
export function sendBedrockError(response: http.ServerResponse, status: number, type: string, message: string, requestId: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    ...headers,
  });
  response.end(JSON.stringify({ message }));
}

function sendScriptError(response: http.ServerResponse, error: NonNullable<FakeScript['error']>, requestId: string): void {
  const type = error.type ?? DEFAULT_ERROR_TYPES[error.status] ?? 'InternalServerException';
  sendBedrockError(response, error.status, type, error.message, requestId, error.headers);
}

/** InvokeModel for Amazon Titan text embeddings (v1 fixed-size, v2 with `dimensions`). */
function invokeEmbedding(response: http.ServerResponse, request: RecordedRequest, modelId: string, script: FakeScript, requestId: string): void {
  const body = request.json;
  const v2 = modelId.startsWith('amazon.titan-embed-text-v2');
  const v1 = modelId === 'amazon.titan-embed-text-v1' || modelId.startsWith('amazon.titan-embed-g1-text');
  if (!v1 && !v2) return sendBedrockError(response, 400, 'ValidationException', 'The provided model identifier is invalid.', requestId);
  const allowed = v2 ? ['inputText', 'dimensions', 'normalize', 'embeddingTypes'] : ['inputText'];
  const extra = Object.keys(body ?? {}).find((key) => !allowed.includes(key));
  if (extra) return sendBedrockError(response, 400, 'ValidationException', `Malformed input request: extraneous key [${extra}] is not permitted, please reformat your input and try again.`, requestId);
  if (typeof body.inputText !== 'string' || body.inputText === '') {
    return sendBedrockError(response, 400, 'ValidationException', 'Malformed input request: #: required key [inputText] not found, please reformat your input and try again.', requestId);
  }
  if (body.dimensions !== undefined && ![256, 512, 1024].includes(body.dimensions)) {
    return sendBedrockError(response, 400, 'ValidationException', `Malformed input request: #/dimensions: ${body.dimensions} is not a valid enum value, please reformat your input and try again.`, requestId);
  }
  if (script.hang) return;
  if (script.error) return sendScriptError(response, script.error, requestId);
  const embedding = fakeEmbedding(body.inputText, body.dimensions ?? script.embeddingDimensions ?? 8);
  const tokens = body.inputText.split(/\s+/).filter(Boolean).length;
  response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
  response.end(JSON.stringify({ embedding, embeddingsByType: { float: embedding }, inputTextTokenCount: tokens }));
}
