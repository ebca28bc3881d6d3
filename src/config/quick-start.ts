import { PROVIDER_TYPES } from '../providers/registry.js';

/** Provider types the quick start turns on when their key is in the environment. */
const DISCOVERABLE = ['openai', 'anthropic', 'gemini', 'mistral', 'groq', 'together', 'fireworks', 'deepseek', 'xai', 'openrouter'];

/**
 * The config used with no file: a `mock` provider (models `mock/echo`, `mock/lorem`) that needs
 * no key, plus each real provider whose API key variable is set, reachable as `<type>/<model>`.
 */
export function quickStartConfig(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const providers: Record<string, unknown> = { mock: { type: 'mock' } };
  for (const type of DISCOVERABLE) {
    const variable = PROVIDER_TYPES.get(type)?.apiKeyEnv;
    if (variable && env[variable]) providers[type] = { type, api_key: env[variable] };
  }
  const awsRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && awsRegion) providers.bedrock = { type: 'bedrock', region: awsRegion };
  return {
    server: {
      host: env.HOST || '127.0.0.1',
      port: env.PORT ? Number(env.PORT) : 4000,
      ...(env.SWITCHYARD_MASTER_KEY && { master_key: env.SWITCHYARD_MASTER_KEY }),
    },
    providers,
  };
}
