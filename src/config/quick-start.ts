import { PROVIDER_TYPES } from '../providers/registry.js';
import type { ProviderType } from '../providers/types.js';

/**
 * The config used with no file: a `mock` provider (models `mock/echo`, `mock/lorem`) that needs
 * no key, plus each hosted provider whose credentials are in the environment, named by its type
 * and reachable as `<type>/<model>`.
 */
export function quickStartConfig(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const providers: Record<string, unknown> = { mock: { type: 'mock' } };
  for (const type of PROVIDER_TYPES.values()) {
    const entry = discover(type, env);
    if (entry) providers[type.type] = entry;
  }
  return {
    server: {
      host: env.HOST || '127.0.0.1',
      port: env.PORT ? Number(env.PORT) : 4000,
      ...(env.SWITCHYARD_MASTER_KEY && { master_key: env.SWITCHYARD_MASTER_KEY }),
    },
    providers,
  };
}

/** A type's own discovery, else: a hosted type (fixed default URL) whose key variable is set. */
function discover(type: ProviderType, env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  if (type.discover) return type.discover(env);
  const key = type.apiKeyEnv ? env[type.apiKeyEnv] : undefined;
  return key && typeof type.defaultBaseUrl === 'string' ? { type: type.type, api_key: key } : undefined;
}
