import { PII_CORPUS, CORPUS_NAMES, type CorpusCase } from './corpus.js';
import { PII_ENTITIES, type PiiDetector, type PiiDetectorOptions, type PiiEntity } from './detect.js';

export interface EntityScore {
  tp: number;
  fp: number;
  fn: number;
  /** tp / (tp + fp); 1 when nothing was found. */
  precision: number;
  /** tp / (tp + fn); 1 when nothing was expected. */
  recall: number;
}

/** A finding nobody expected (fp), or an expected value not found (fn), with its text. */
export interface ScoreError {
  kind: 'fp' | 'fn';
  entity: PiiEntity;
  value: string;
  text: string;
}

export interface CorpusScore {
  entities: Record<PiiEntity, EntityScore>;
  /** Micro-averaged over every entity. */
  overall: EntityScore;
  errors: ScoreError[];
}

/**
 * Scores a detector (built by `factory` with every entity and the corpus's names) on the corpus:
 * a finding is a true positive when its entity and exact span match an expected one.
 */
export function scoreCorpus(factory: (options: PiiDetectorOptions) => PiiDetector, corpus: readonly CorpusCase[] = PII_CORPUS): CorpusScore {
  const detector = factory({ entities: PII_ENTITIES, names: CORPUS_NAMES });
  const counts = new Map<PiiEntity, { tp: number; fp: number; fn: number }>(PII_ENTITIES.map((entity) => [entity, { tp: 0, fp: 0, fn: 0 }]));
  const errors: ScoreError[] = [];
  for (const item of corpus) {
    const expected = spansOf(item);
    const found = detector.find(item.text);
    const key = (entity: PiiEntity, start: number, end: number): string => `${entity}:${start}:${end}`;
    const expectedKeys = new Set(expected.map((e) => key(e.entity, e.start, e.end)));
    const foundKeys = new Set(found.map((f) => key(f.entity, f.start, f.end)));
    for (const finding of found) {
      const count = counts.get(finding.entity)!;
      if (expectedKeys.has(key(finding.entity, finding.start, finding.end))) count.tp++;
      else {
        count.fp++;
        errors.push({ kind: 'fp', entity: finding.entity, value: item.text.slice(finding.start, finding.end), text: item.text });
      }
    }
    for (const missing of expected.filter((e) => !foundKeys.has(key(e.entity, e.start, e.end)))) {
      counts.get(missing.entity)!.fn++;
      errors.push({ kind: 'fn', entity: missing.entity, value: missing.value, text: item.text });
    }
  }
  const entities = Object.fromEntries(PII_ENTITIES.map((entity) => [entity, rates(counts.get(entity)!)])) as Record<PiiEntity, EntityScore>;
  const total = { tp: 0, fp: 0, fn: 0 };
  for (const count of counts.values()) {
    total.tp += count.tp;
    total.fp += count.fp;
    total.fn += count.fn;
  }
  return { entities, overall: rates(total), errors };
}

function rates(count: { tp: number; fp: number; fn: number }): EntityScore {
  return {
    ...count,
    precision: count.tp + count.fp === 0 ? 1 : count.tp / (count.tp + count.fp),
    recall: count.tp + count.fn === 0 ? 1 : count.tp / (count.tp + count.fn),
  };
}

/** The expected values located in the text, each searched after the previous one's end. */
export function spansOf(item: CorpusCase): Array<{ entity: PiiEntity; value: string; start: number; end: number }> {
  let cursor = 0;
  return item.expect.map(({ entity, value }) => {
    const start = item.text.indexOf(value, cursor);
    if (start < 0) throw new Error(`corpus value ${JSON.stringify(value)} is not in ${JSON.stringify(item.text)}`);
    cursor = start + value.length;
    return { entity, value, start, end: start + value.length };
  });
}
