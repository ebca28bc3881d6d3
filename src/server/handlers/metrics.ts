import { toGatewayError } from '../../errors/gateway-error.js';
import { openaiChatDialect } from '../../dialects/openai-chat/index.js';
import { requireMasterKey } from '../admin-auth.js';
import { sendError } from '../respond.js';
import type { Handler } from '../types.js';

/** GET /metrics: Prometheus text format; open unless `telemetry.metrics_auth: true` (master key then). */
export const metricsHandler: Handler = async ({ request, response, plan, runtime, requestId }) => {
  try {
    if (plan.config.telemetry?.metrics_auth) requireMasterKey(plan, request);
    const body = await runtime.metrics.registry.metrics();
    response.writeHead(200, { 'content-type': runtime.metrics.registry.contentType, 'x-request-id': requestId });
    response.end(body);
  } catch (error) {
    sendError(response, toGatewayError(error), (e) => openaiChatDialect.encodeError(e), { 'x-request-id': requestId });
  }
};
