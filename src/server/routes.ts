import { openaiChatDialect } from '../dialects/openai-chat/index.js';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages/index.js';
import type { ClientDialect } from '../dialects/types.js';
import { chatHandler } from './handlers/chat.js';
import { countTokensHandler } from './handlers/count-tokens.js';
import { embeddingsHandler } from './handlers/embeddings.js';
import { healthHandler, readyHandler } from './handlers/health.js';
import { modelsHandler } from './handlers/models.js';
import { adminProvidersHandler } from './handlers/admin-providers.js';
import { metricsHandler } from './handlers/metrics.js';
import { adminLogHandler, adminLogsHandler } from './handlers/admin-logs.js';
import { adminUsageHandler } from './handlers/admin-usage.js';
import { adminKeyHandler, adminKeysHandler } from './handlers/admin-keys.js';
import { adminCacheHandler } from './handlers/admin-cache.js';
import type { Handler } from './types.js';

export interface Route {
  /** `ANY`: the handler serves several methods and answers 405 (with `allow`) itself. */
  method: 'GET' | 'POST' | 'ANY';
  handler: Handler;
  /** The API whose error shape this path answers in. */
  dialect: ClientDialect;
}

/** Every path the gateway serves. Exact matches: no pattern is evaluated per request. */
export const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['/v1/chat/completions', { method: 'POST', handler: chatHandler(openaiChatDialect), dialect: openaiChatDialect }],
  ['/v1/messages', { method: 'POST', handler: chatHandler(anthropicMessagesDialect), dialect: anthropicMessagesDialect }],
  ['/v1/messages/count_tokens', { method: 'POST', handler: countTokensHandler, dialect: anthropicMessagesDialect }],
  ['/v1/embeddings', { method: 'POST', handler: embeddingsHandler, dialect: openaiChatDialect }],
  ['/v1/models', { method: 'GET', handler: modelsHandler, dialect: openaiChatDialect }],
  ['/health', { method: 'GET', handler: healthHandler, dialect: openaiChatDialect }],
  ['/health/ready', { method: 'GET', handler: readyHandler, dialect: openaiChatDialect }],
  ['/admin/providers', { method: 'GET', handler: adminProvidersHandler, dialect: openaiChatDialect }],
  ['/metrics', { method: 'GET', handler: metricsHandler, dialect: openaiChatDialect }],
  ['/admin/logs', { method: 'GET', handler: adminLogsHandler, dialect: openaiChatDialect }],
  ['/admin/usage', { method: 'GET', handler: adminUsageHandler, dialect: openaiChatDialect }],
  ['/admin/keys', { method: 'ANY', handler: adminKeysHandler, dialect: openaiChatDialect }],
  ['/admin/cache', { method: 'ANY', handler: adminCacheHandler, dialect: openaiChatDialect }],
] as Array<[string, Route]>);

/** Paths with an id after a fixed prefix; looked at only when no exact path matched. */
const PREFIX_ROUTES: ReadonlyArray<[string, Route]> = [
  ['/admin/logs/', { method: 'GET', handler: adminLogHandler, dialect: openaiChatDialect }],
  ['/admin/keys/', { method: 'ANY', handler: adminKeyHandler, dialect: openaiChatDialect }],
];

/** Paths are also served without the `/v1` prefix, as OpenAI-compatible servers commonly are. */
export function findRoute(pathname: string): Route | undefined {
  const exact = ROUTES.get(pathname) ?? (pathname.startsWith('/v1/') ? undefined : ROUTES.get(`/v1${pathname}`));
  if (exact) return exact;
  for (const [prefix, route] of PREFIX_ROUTES) if (pathname.startsWith(prefix) && pathname.length > prefix.length) return route;
  return undefined;
}

/** Error shape for unknown paths: Anthropic's under /v1/messages, OpenAI's elsewhere. */
export function dialectForPath(pathname: string): ClientDialect {
  return pathname.startsWith('/v1/messages') ? anthropicMessagesDialect : openaiChatDialect;
}
