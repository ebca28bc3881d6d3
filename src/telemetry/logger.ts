import { pino, type Logger } from 'pino';

/**
 * The process logger (JSON lines on stdout). Secrets are redacted by path wherever they may
 * appear in logged objects; request bodies and provider configs are never logged whole.
 */
export function createLogger(level: string = process.env.SWITCHYARD_LOG_LEVEL ?? "info"): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: [
        '*.api_key',
        '*.apiKey',
        '*.master_key',
        '*.secret_access_key',
        '*.secretAccessKey',
        '*.session_token',
        '*.headers.authorization',
        '*.headers["x-api-key"]',
        '*.headers["api-key"]',
        '*.headers["x-goog-api-key"]',
        'headers.authorization',
        'headers["x-api-key"]',
      ],
      censor: '[redacted]',
    },
  });
}

export type { Logger };

/** A URL fit for a log line: without credentials, query or fragment (they may hold a token). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
