/**
 * A Chat Completions streaming body changed to carry `stream_options.include_usage: true`. The
 * common case (no `stream_options` yet) is a byte splice after the opening brace, with no parse
 * or re-serialisation; otherwise the parsed body is re-serialised with the option set.
 */
export function withIncludeUsage(body: string | Buffer, parsed: Record<string, unknown>): string | Buffer {
  if (parsed.stream_options === undefined) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const open = bytes.indexOf(0x7b); // '{'
    if (open !== -1 && bytes.subarray(0, open).every((byte) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09)) {
      return Buffer.concat([INCLUDE_USAGE_PREFIX, bytes.subarray(open + 1)]);
    }
  }
  const current = typeof body === 'string' ? (JSON.parse(body) as Record<string, unknown>) : parsed;
  const options = typeof current.stream_options === 'object' && current.stream_options !== null ? current.stream_options : {};
  return JSON.stringify({ ...current, stream_options: { ...options, include_usage: true } });
}

const INCLUDE_USAGE_PREFIX = Buffer.from('{"stream_options":{"include_usage":true},');
