import { characterClasses } from './chars.js';
import type { Emit } from './scanner.js';

interface KeyFormat {
  /** Literal text one of which every key of the format contains: a cheap test before the regex. */
  hints: readonly string[];
  /** The provider's prefix, then the key's body as group 1. */
  regex: RegExp;
  /** What the body must have beyond its shape, so that placeholders and words are not keys. */
  accepts: (body: string) => boolean;
}

const distinct = (body: string, least: number): boolean => new Set(body).size >= least;
const notPlaceholder = (body: string): boolean => distinct(body, 8);
/** Random base62 bodies have all three classes; `sk-learn-compatible-...` or `sk-xxxx...` do not. */
const allClasses = (body: string): boolean => characterClasses(body).count === 3 && distinct(body, 10);

function format(hints: readonly string[], source: string, accepts: (body: string) => boolean): KeyFormat {
  return { hints, regex: new RegExp(String.raw`(?<![\w-])${source}(?![\w-])`, 'g'), accepts };
}

/** Provider key formats: the prefix is the strong signal, the body's shape and variety the check. */
const FORMATS: readonly KeyFormat[] = [
  format(['sk-'], String.raw`sk-(?:ant-|proj-|svcacct-|admin-)?([A-Za-z0-9_-]{20,})`, allClasses), // OpenAI, Anthropic
  format(['AKIA', 'ASIA'], String.raw`(?:AKIA|ASIA)([A-Z0-9]{16})`, notPlaceholder), // AWS access key id
  format(['gh'], String.raw`gh[pousr]_([A-Za-z0-9]{36,255})`, notPlaceholder), // GitHub
  format(['github_pat_'], String.raw`github_pat_([A-Za-z0-9_]{22,255})`, notPlaceholder),
  format(['xox'], String.raw`xox[baprs]-([A-Za-z0-9-]{10,})`, (body) => /\d/.test(body) && notPlaceholder(body)), // Slack
  format(['AIza'], String.raw`AIza([A-Za-z0-9_-]{35})`, notPlaceholder), // Google
  format(['_live_', '_test_'], String.raw`(?:sk|rk|pk)_(?:live|test)_([A-Za-z0-9]{16,})`, notPlaceholder), // Stripe
  format(['glpat-'], String.raw`glpat-([A-Za-z0-9_-]{20,})`, notPlaceholder), // GitLab
  format(['hf_'], String.raw`hf_([A-Za-z0-9]{30,})`, (body) => characterClasses(body).count >= 2 && notPlaceholder(body)), // Hugging Face
];

/** Provider API keys; keys longer than `maxLength` are reported cut to it. */
export function scanProviderKeys(text: string, emit: Emit, maxLength: number): void {
  for (const key of FORMATS) {
    if (!key.hints.some((hint) => text.includes(hint))) continue;
    key.regex.lastIndex = 0;
    for (let match = key.regex.exec(text); match !== null; match = key.regex.exec(text)) {
      if (key.accepts(match[1]!)) emit(match.index, match.index + Math.min(match[0].length, maxLength));
    }
  }
}
