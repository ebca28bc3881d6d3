import type { GatewayError } from '../../errors/gateway-error.js';

export interface WireError {
  error: { message: string; type: string; param: string | null; code: string };
}

/** OpenAI's error body; `code` is the gateway's stable code so clients can branch on it. */
export function encodeError(error: GatewayError): WireError {
  return { error: { message: error.message, type: error.openaiType, param: error.param ?? null, code: error.code } };
}
