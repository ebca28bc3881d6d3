/**
 * A tool call's `arguments` JSON text → the object that formats with structured tool input
 * (Anthropic `input`, Gemini `args`, Bedrock `input`) require. Empty text is `{}`. Text that is not
 * a JSON object (a model's cut-off or broken output, possibly from another provider earlier in the
 * conversation) is kept as `{"_raw_arguments": text}` rather than dropped or refused: the history
 * stays replayable, and a client's schema check fails visibly instead of receiving a silent `{}`.
 */
export function parseToolArguments(argumentsText: string): Record<string, unknown> {
  if (argumentsText.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Falls through to the raw wrapper.
  }
  return { _raw_arguments: argumentsText };
}
