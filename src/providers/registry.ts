import type { ProviderType } from './types.js';
import { openaiFamilyTypes } from './openai/index.js';
import { anthropicProviderType } from './anthropic/index.js';
import { geminiProviderType } from './gemini/index.js';
import { bedrockProviderType } from './bedrock/index.js';
import { mockProviderType } from './mock/index.js';

/** Every provider type a config may name, by `type`. */
export const PROVIDER_TYPES: ReadonlyMap<string, ProviderType> = new Map(
  [...openaiFamilyTypes, anthropicProviderType, geminiProviderType, bedrockProviderType, mockProviderType].map(
    (entry) => [entry.type, entry],
  ),
);
