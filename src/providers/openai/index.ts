import type { ProviderConfig, ProviderType } from '../types.js';
import type { OpenAIFlavor } from './flavor.js';
import { azureFlavor, compatibleFlavor, mistralFlavor, openaiFlavor } from './flavors.js';
import { createOpenAIFamilyProvider } from './provider.js';

export { createOpenAIFamilyProvider } from './provider.js';

type Problem = { field: string; message: string };

const requireBaseUrl = (config: ProviderConfig): Problem[] => {
  if (!config.baseUrl) return [{ field: 'base_url', message: `is required for type "${config.type}"` }];
  if (!URL.canParse(config.baseUrl)) return [{ field: 'base_url', message: `is not a valid URL: "${config.baseUrl}"` }];
  return [];
};

function familyType(type: string, flavor: OpenAIFlavor, defaultBaseUrl?: string, apiKeyEnv?: string): ProviderType {
  const entry: ProviderType = { type, create: (config) => createOpenAIFamilyProvider(config, flavor) };
  if (defaultBaseUrl !== undefined) entry.defaultBaseUrl = defaultBaseUrl;
  else entry.validate = requireBaseUrl;
  if (apiKeyEnv !== undefined) entry.apiKeyEnv = apiKeyEnv;
  return entry;
}

const azureType: ProviderType = {
  type: 'azure',
  create: (config) => createOpenAIFamilyProvider(config, azureFlavor),
  apiKeyEnv: 'AZURE_OPENAI_API_KEY',
  validate: (config) => {
    const problems = requireBaseUrl(config);
    if (!config.apiVersion) problems.push({ field: 'api_version', message: 'is required for type "azure" (e.g. "2024-10-21")' });
    return problems;
  },
};

/**
 * Every provider type that speaks OpenAI Chat Completions: `openai`, `azure`, the generic
 * `openai-compatible` and its presets, which differ only by default base URL and key variable.
 */
export const openaiFamilyTypes: ProviderType[] = [
  familyType('openai', openaiFlavor, 'https://api.openai.com/v1', 'OPENAI_API_KEY'),
  azureType,
  familyType('openai-compatible', compatibleFlavor),
  familyType('mistral', mistralFlavor, 'https://api.mistral.ai/v1', 'MISTRAL_API_KEY'),
  familyType('groq', compatibleFlavor, 'https://api.groq.com/openai/v1', 'GROQ_API_KEY'),
  familyType('together', compatibleFlavor, 'https://api.together.xyz/v1', 'TOGETHER_API_KEY'),
  familyType('fireworks', compatibleFlavor, 'https://api.fireworks.ai/inference/v1', 'FIREWORKS_API_KEY'),
  familyType('deepseek', compatibleFlavor, 'https://api.deepseek.com/v1', 'DEEPSEEK_API_KEY'),
  familyType('xai', compatibleFlavor, 'https://api.x.ai/v1', 'XAI_API_KEY'),
  familyType('openrouter', compatibleFlavor, 'https://openrouter.ai/api/v1', 'OPENROUTER_API_KEY'),
  familyType('ollama', compatibleFlavor, 'http://127.0.0.1:11434/v1'),
  familyType('vllm', compatibleFlavor, 'http://127.0.0.1:8000/v1'),
];
