/** Whether a key (or team) may use a model name: exact names, or globs where `*` matches any run of characters. */
export type ModelMatcher = (model: string) => boolean;

export function compileModelMatcher(patterns: readonly string[]): ModelMatcher {
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const pattern of patterns) {
    if (!pattern.includes('*')) exact.add(pattern);
    else globs.push(new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 's'));
  }
  return (model) => exact.has(model) || globs.some((glob) => glob.test(model));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
