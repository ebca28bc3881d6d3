import type http from 'node:http';
import type { FakeScript, FakeUpstream } from './types.js';
import { startFakeServer } from './server.js';
import { answerOpenAIRequest } from './openai.js';

const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

/**
 * A fake Azure OpenAI resource: `url` is the resource root; requests go to
 * `/openai/deployments/{deployment}/{chat/completions|embeddings}?api-version=...` with an
 * `api-key` header. Answers use OpenAI's wire format plus Azure's content-filter fields, and
 * Azure's own error bodies for auth, routing and version problems. The deployment name is
 * reported as the model.
 */
export async function startFakeAzure(script: FakeScript = {}): Promise<FakeUpstream> {
  const fake = await startFakeServer((request, response, current, state) => {
    const url = new URL(request.url, 'http://fake');
    const match = DEPLOYMENT_PATH.exec(url.pathname);
    if (request.method !== 'POST' || !match) return azureError(response, 404, '404', 'Resource not found');
    if (typeof request.headers['api-key'] !== 'string' || request.headers['api-key'] === '') {
      return azureError(
        response,
        401,
        '401',
        'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
      );
    }
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) return azureError(response, 404, '404', 'Resource not found');
    if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion)) {
      return azureError(response, 400, 'BadRequest', 'API version not supported');
    }
    const deployment = decodeURIComponent(match[1] ?? '');
    const endpoint = match[2] === 'embeddings' ? 'embeddings' : 'chat';
    return answerOpenAIRequest(endpoint, request, response, current, state, { name: 'azure', model: deployment, azure: true });
  });
  fake.script = script;
  return fake;
}

/** Azure's gateway errors: `{"error":{"code","message"}}` without OpenAI's type/param. */
function azureError(response: http.ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'apim-request-id': 'fake' });
  response.end(JSON.stringify({ error: { code, message } }));
}
