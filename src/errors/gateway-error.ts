import { ERROR_CODES, type ErrorCode } from './codes.js';

export interface GatewayErrorOptions {
  /** The request field at fault, e.g. `messages[2].content`. */
  param?: string;
  /** Provider config name when the error came from upstream. */
  provider?: string;
  /** HTTP status the provider answered, when it did. */
  upstreamStatus?: number;
  /** Seconds the client (or routing) should wait before retrying. */
  retryAfterS?: number;
  /** Overrides the table's retryable flag (e.g. a 409 the provider marks retryable). */
  retryable?: boolean;
  /** Overrides the table's status, for upstream statuses passed on verbatim. */
  status?: number;
  /** A stream's first byte did not come within the model's `first_token_timeout_ms`. */
  firstTokenTimeout?: boolean;
  cause?: unknown;
}

/**
 * The one error type that crosses module boundaries. It carries a stable code from the table;
 * only the ingress dialect turns it into an OpenAI or Anthropic error body.
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly param: string | undefined;
  readonly provider: string | undefined;
  readonly upstreamStatus: number | undefined;
  readonly retryAfterS: number | undefined;
  readonly firstTokenTimeout: boolean;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const entry = ERROR_CODES[code];
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? entry.status;
    this.retryable = options.retryable ?? entry.retryable;
    this.param = options.param;
    this.provider = options.provider;
    this.upstreamStatus = options.upstreamStatus;
    this.retryAfterS = options.retryAfterS;
    this.firstTokenTimeout = options.firstTokenTimeout ?? false;
  }

  get openaiType(): string {
    return ERROR_CODES[this.code].openaiType;
  }

  get anthropicType(): string {
    return ERROR_CODES[this.code].anthropicType;
  }
}

/** Wraps anything thrown into a GatewayError without losing one that already is. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayError('internal_error', `internal error: ${message}`, { cause: error });
}
