// `npm run guardrails:corpus`: precision and recall of the PII detectors on the labelled corpus
// (src/guardrails/pii/corpus.ts), per entity and overall, then every false positive and negative.
import { PII_CORPUS } from '../src/guardrails/pii/corpus.js';
import { createPiiDetector, PII_ENTITIES } from '../src/guardrails/pii/detect.js';
import { scoreCorpus, type EntityScore } from '../src/guardrails/pii/score.js';

const score = scoreCorpus(createPiiDetector);
const percent = (value: number): string => `${(value * 100).toFixed(1)}%`.padStart(7);
const row = (name: string, s: EntityScore): string =>
  `${name.padEnd(12)} ${String(s.tp).padStart(4)} ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)} ${percent(s.precision)} ${percent(s.recall)}`;

const cases = (topic: string): string => {
  const own = PII_CORPUS.filter((item) => item.topic === topic);
  return `${own.filter((item) => item.kind === 'positive').length}+/${own.filter((item) => item.kind === 'negative').length}-`;
};

console.log(`${PII_CORPUS.length} texts (${PII_CORPUS.filter((item) => item.kind === 'mixed').length} mixed)\n`);
console.log(`${'entity'.padEnd(12)} ${'tp'.padStart(4)} ${'fp'.padStart(4)} ${'fn'.padStart(4)} ${'prec.'.padStart(7)} ${'recall'.padStart(7)}  texts`);
for (const entity of PII_ENTITIES) console.log(`${row(entity, score.entities[entity])}  ${cases(entity)}`);
console.log(row('overall', score.overall));

for (const kind of ['fp', 'fn'] as const) {
  const errors = score.errors.filter((error) => error.kind === kind);
  console.log(`\n${kind === 'fp' ? 'False positives' : 'False negatives'} (${errors.length}):`);
  for (const error of errors) console.log(`  ${error.entity.padEnd(12)} ${JSON.stringify(error.value)}  in  ${JSON.stringify(error.text)}`);
}
