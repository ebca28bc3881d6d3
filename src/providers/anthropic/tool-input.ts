/**
 * IR tool-call `arguments` (JSON text) → the `input` object Anthropic requires. Empty text is
 * `{}`; text that is not a JSON object (another model's broken output) is kept as
 * `{"_raw_arguments": text}` rather than silently dropped.
 */
export function toToolInput(argumentsText: string): Record<string, unknown> {
  if (argumentsText.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Falls through to the raw wrapper.
  }
  return { _raw_arguments: argumentsText };
}
