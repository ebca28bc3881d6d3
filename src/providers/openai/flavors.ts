import type { ProviderConfig } from '../types.js';
import { bearerAuth, headerAuth } from '../../upstream/auth.js';
import type { OpenAIFlavor } from './flavor.js';

const baseUrlEndpoint = (config: ProviderConfig, endpoint: string): string => `${config.baseUrl}/${endpoint}`;

/** api.openai.com: bearer key, `max_completion_tokens`. */
export const openaiFlavor: OpenAIFlavor = {
  maxTokensField: 'max_completion_tokens',
  streamOptions: true,
  url: baseUrlEndpoint,
  auth: (config) => bearerAuth(config.apiKey),
};

/** Any OpenAI-compatible server: bearer key when one is configured, `max_tokens`. */
export const compatibleFlavor: OpenAIFlavor = {
  maxTokensField: 'max_tokens',
  streamOptions: true,
  url: baseUrlEndpoint,
  auth: (config) => bearerAuth(config.apiKey),
};

/** Mistral answers 422 to fields it does not know, and reports stream usage unasked. */
export const mistralFlavor: OpenAIFlavor = {
  ...compatibleFlavor,
  streamOptions: false,
  omitFields: ['user'],
  renameFields: { seed: 'random_seed' },
};

/** Azure OpenAI: the target's model is the deployment, `api-version` in the query, `api-key` header. */
export const azureFlavor: OpenAIFlavor = {
  maxTokensField: 'max_completion_tokens',
  streamOptions: true,
  url: (config, endpoint, deployment) =>
    `${config.baseUrl}/openai/deployments/${encodeURIComponent(deployment)}/${endpoint}?api-version=${encodeURIComponent(config.apiVersion ?? '')}`,
  auth: (config) => headerAuth('api-key', config.apiKey),
};
