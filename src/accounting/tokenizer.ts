import { createRequire } from 'node:module';

type GptTokenizer = typeof import('gpt-tokenizer');

const require = createRequire(import.meta.url);
let tokenizer: GptTokenizer | undefined;

/**
 * Tokens in `text` by the o200k encoding (gpt-tokenizer), for estimates where a provider reports
 * none. The encoder's tables (~60 MB resident) load on first use, not at start, so a gateway that
 * never estimates never pays for them.
 */
export function countTextTokens(text: string): number {
  tokenizer ??= require('gpt-tokenizer') as GptTokenizer;
  return tokenizer.countTokens(text);
}
