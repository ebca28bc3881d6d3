import { toGatewayError } from '../../errors/gateway-error.js';
import { openaiChatDialect } from '../../dialects/openai-chat/index.js';
import { sendError, sendJson } from '../respond.js';
import type { Handler } from '../types.js';

/**
 * GET /admin/providers: one row per configured target: circuit state and error rate (shared when
 * the health store is), this instance's latency moving average and in-flight calls.
 */
export const adminProvidersHandler: Handler = async ({ response, plan, runtime, requestId }) => {
  const headers = { 'x-request-id': requestId };
  try {
    const rows = [];
    for (const model of plan.models.values()) {
      for (const target of model.targets) {
        const health = await runtime.health.health(target);
        const stats = runtime.targetStats.get(target);
        rows.push({
          model: model.name,
          provider: target.provider.config.name,
          upstream_model: target.model,
          routing: model.routing,
          state: health.state,
          latency_ms: stats.latencyMs === undefined ? null : Math.round(stats.latencyMs * 10) / 10,
          error_rate: Math.round(health.errorRate * 1000) / 1000,
          requests_in_window: health.requests,
          in_flight: stats.inFlight,
          ...(health.retryAt !== undefined && { retry_at: new Date(health.retryAt).toISOString() }),
        });
      }
    }
    sendJson(response, 200, headers, JSON.stringify({ data: rows }));
  } catch (error) {
    sendError(response, toGatewayError(error), (e) => openaiChatDialect.encodeError(e), headers);
  }
};
