/** Whether a key (or team) may use a model name: exact names, or globs where `*` matches any run of characters. */
export type ModelMatcher = (model: string) => boolean;

export function compileModelMatcher(patterns: readonly string[]): ModelMatcher {
  const exact = new Set<string>();
  const globs: string[][] = [];
  for (const pattern of patterns) {
    if (pattern.includes('*')) globs.push(pattern.split('*'));
    else exact.add(pattern);
  }
  return (model) => exact.has(model) || globs.some((pieces) => matchesGlob(pieces, model));
}

/**
 * Linear-time glob match (no regex: the client chooses the model name, and a backtracking pattern
 * like `a*-*-*-b` on a long name would hold the event loop for seconds). `pieces` is the pattern
 * split on `*`: the first must start the name, the last end it, the others appear in order between.
 */
function matchesGlob(pieces: readonly string[], name: string): boolean {
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (let index = 1; index < pieces.length - 1; index++) {
    const found = name.indexOf(pieces[index]!, at);
    if (found === -1 || found + pieces[index]!.length > end) return false;
    at = found + pieces[index]!.length;
  }
  return true;
}
