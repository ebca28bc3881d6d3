import type { ResponseFormat } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { AnthropicTool } from './anthropic-api-types.js';

/**
 * Structured output on Anthropic: the stable Messages API has no JSON mode that every Claude
 * model accepts, so JSON answers are requested through a forced tool whose input_schema is the
 * client's schema; the tool's input is returned to the client as the answer text (streamed
 * from input_json_delta). The name is reserved: decoders recognise it without request state,
 * and a client tool may not use it.
 */
export const JSON_RESPONSE_TOOL = 'switchyard_json_response';

/** The forced tool for a JSON response format, or undefined for plain text. */
export function jsonResponseTool(format: ResponseFormat | undefined): AnthropicTool | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    return {
      name: JSON_RESPONSE_TOOL,
      description: 'Respond with your complete answer as a JSON object. Call this tool exactly once.',
      input_schema: { type: 'object', additionalProperties: true },
    };
  }
  if (format.schema.type !== 'object') {
    throw new GatewayError('unsupported_feature', 'response_format: Anthropic models need a JSON schema of type "object"', {
      param: 'response_format',
    });
  }
  const purpose = format.description ?? `Respond with your complete answer as JSON (${format.name}).`;
  return { name: JSON_RESPONSE_TOOL, description: `${purpose} Call this tool exactly once.`, input_schema: format.schema };
}
