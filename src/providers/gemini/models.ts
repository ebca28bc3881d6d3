/**
 * The Gemini generation a model id belongs to (`gemini-2.5-flash` → 2, `models/gemini-3-pro-preview`
 * → 3); undefined for ids without a version (aliases such as `gemini-flash-latest`, Gemma...).
 */
export function geminiMajorVersion(model: string): number | undefined {
  const version = /^gemini-(\d+)/.exec(model.replace(/^models\//, ''));
  return version ? Number(version[1]) : undefined;
}

/** Gemini 3 and later (and the moving `-latest` aliases, which point at them) think in levels and sign calls. */
export function isGemini3OrLater(model: string): boolean {
  const major = geminiMajorVersion(model);
  if (major !== undefined) return major >= 3;
  return /^gemini-.*latest$/.test(model.replace(/^models\//, ''));
}

/** Gemma models served by the Gemini API take no systemInstruction ("Developer instruction is not enabled"). */
export function isGemma(model: string): boolean {
  return model.replace(/^models\//, '').startsWith('gemma-');
}
