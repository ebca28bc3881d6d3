import { GatewayError } from '../errors/gateway-error.js';
import type { Provider, UpstreamRequest } from '../providers/types.js';
import type { RequestSignal } from '../upstream/abort.js';
import { readBody, sendUpstream, type UpstreamResponse } from '../upstream/http.js';

/**
 * Sends a provider's request with the provider's timeouts. An error status is read and thrown as
 * the provider's own GatewayError, so callers only ever see successful responses. `traceHeaders`
 * (tracing on: the call's `traceparent`) are added to a copy of the headers, which providers share.
 */
export async function callProvider(
  provider: Provider,
  upstream: UpstreamRequest,
  signal: RequestSignal,
  traceHeaders?: Readonly<Record<string, string>>,
): Promise<UpstreamResponse> {
  if (traceHeaders !== undefined) upstream = { ...upstream, headers: { ...upstream.headers, ...traceHeaders } };
  const response = await sendUpstream(upstream, {
    signal,
    headersTimeoutMs: provider.config.timeoutMs,
    bodyTimeoutMs: provider.config.timeoutMs,
    provider: provider.config.name,
  });
  if (response.status >= 400) throw await upstreamFailure(provider, response, signal);
  return response;
}

async function upstreamFailure(provider: Provider, response: UpstreamResponse, signal: RequestSignal): Promise<GatewayError> {
  let text = '';
  try {
    text = (await readBody(response.body, provider.config.name, signal, 1024 * 1024)).toString('utf8');
  } catch {
    // The status alone still classifies the failure.
  }
  return provider.parseError(response.status, response.headers, text);
}

/** Parses a provider's successful JSON answer; anything else is `upstream_invalid_response`. */
export function parseProviderJson(provider: Provider, body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new GatewayError('upstream_invalid_response', `${provider.config.name}: answered with a body that is not JSON`, {
      provider: provider.config.name,
    });
  }
}

/** Sends a request and returns its parsed JSON answer (embeddings, count_tokens). */
export async function callProviderJson(
  provider: Provider,
  upstream: UpstreamRequest,
  signal: RequestSignal,
  traceHeaders?: Readonly<Record<string, string>>,
): Promise<unknown> {
  const response = await callProvider(provider, upstream, signal, traceHeaders);
  return parseProviderJson(provider, await readBody(response.body, provider.config.name, signal));
}
