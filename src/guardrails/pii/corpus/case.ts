import type { PiiEntity } from '../detect.js';

/** A value the detector should find: the entity and the exact text (located in order of appearance). */
export interface ExpectedFinding {
  entity: PiiEntity;
  value: string;
}

/** One labelled text: what it was written to exercise, and every finding a perfect detector makes in it. */
export interface CorpusCase {
  /** The entity the case was written for (`mixed`: several), and whether it holds that entity or only a look-alike. */
  topic: PiiEntity | 'mixed';
  kind: 'positive' | 'negative' | 'mixed';
  text: string;
  expect: readonly ExpectedFinding[];
}

/** A value of the case's own entity, or `[entity, value]` for another one in the same text. */
type Value = string | readonly [PiiEntity, string];
type Row = readonly [text: string, ...values: Value[]];

function expectations(entity: PiiEntity, values: readonly Value[]): ExpectedFinding[] {
  return values.map((value) => (typeof value === 'string' ? { entity, value } : { entity: value[0], value: value[1] }));
}

/** Texts holding `entity` (values listed in order of appearance). */
export function positives(entity: PiiEntity, rows: readonly Row[]): CorpusCase[] {
  return rows.map(([text, ...values]) => ({ topic: entity, kind: 'positive', text, expect: expectations(entity, values) }));
}

/** Look-alikes of `entity`; a row may still list other entities' values the text holds. */
export function negatives(entity: PiiEntity, rows: readonly (string | Row)[]): CorpusCase[] {
  return rows.map((row) => {
    const [text, ...values] = typeof row === 'string' ? [row] : row;
    return { topic: entity, kind: 'negative', text, expect: expectations(entity, values) };
  });
}

/** Texts with several entities: every value as `[entity, value]`. */
export function mixed(rows: readonly (readonly [text: string, ...values: (readonly [PiiEntity, string])[]])[]): CorpusCase[] {
  return rows.map(([text, ...values]) => ({ topic: 'mixed', kind: 'mixed', text, expect: expectations('email', values) }));
}
