import { keyFilter } from '../../cache/key.js';
import { openaiChatDialect } from '../../dialects/openai-chat/index.js';
import { GatewayError, toGatewayError } from '../../errors/gateway-error.js';
import { queryOf, stringParam } from '../query.js';
import { sendError, sendJson } from '../respond.js';
import type { Handler } from '../types.js';

/** Namespaces as `cache.scope` names them (see cache/key.ts `cacheNamespace`). */
const NAMESPACE = /^(global|master|open|key:.+|team:.+)$/;

/**
 * DELETE /admin/cache[?namespace=&model=]: removes cached answers, all of them or those of one
 * namespace (`global`, `key:<key id>`, `team:<team>`, `master`, `open`) and/or one model (the name
 * clients send). Answers `{"deleted": N}`.
 */
export const adminCacheHandler: Handler = async ({ request, response, runtime, requestId }) => {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  try {
    if (request.method !== 'DELETE') {
      headers.allow = 'DELETE';
      throw new GatewayError('method_not_allowed', `/admin/cache accepts DELETE, not ${request.method}`);
    }
    const query = queryOf(request);
    const namespace = stringParam(query, 'namespace');
    if (namespace !== undefined && !NAMESPACE.test(namespace)) {
      throw new GatewayError('invalid_request', 'namespace: one of global, master, open, key:<key id>, team:<team>', { param: 'namespace' });
    }
    const model = stringParam(query, 'model');
    let deleted = 0;
    try {
      const filter = keyFilter(namespace, model);
      deleted = runtime.cache ? await runtime.cache.clear(filter) : 0;
      // The semantic cache's prompts of those answers go too, on every instance.
      await runtime.semanticCache?.clear(filter);
    } catch (error) {
      // Redis unreachable, or the database not open yet: the store's state, not a gateway fault.
      throw new GatewayError('service_unavailable', `the cache store is unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
    sendJson(response, 200, headers, JSON.stringify({ deleted }));
  } catch (error) {
    sendError(response, toGatewayError(error), (e) => openaiChatDialect.encodeError(e), headers);
  }
};
