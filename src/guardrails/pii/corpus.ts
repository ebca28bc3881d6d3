// The labelled corpus the PII detectors are scored on (scripts/pii-corpus.ts, detect.test.ts).
// Written to be honest rather than to pass: hard cases stay in even where the detectors miss them.
import { API_KEY_CASES } from './corpus/api-key.js';
import type { CorpusCase } from './corpus/case.js';
import { CREDIT_CARD_CASES } from './corpus/credit-card.js';
import { EMAIL_CASES } from './corpus/email.js';
import { IBAN_CASES } from './corpus/iban.js';
import { IP_ADDRESS_CASES } from './corpus/ip-address.js';
import { MIXED_CASES } from './corpus/mixed.js';
import { CORPUS_NAMES, PERSON_NAME_CASES } from './corpus/person-name.js';
import { PHONE_CASES } from './corpus/phone.js';
import { SSN_CASES } from './corpus/ssn.js';

export type { CorpusCase, ExpectedFinding } from './corpus/case.js';
export { CORPUS_NAMES };

export const PII_CORPUS: readonly CorpusCase[] = [
  ...EMAIL_CASES,
  ...PHONE_CASES,
  ...CREDIT_CARD_CASES,
  ...SSN_CASES,
  ...IBAN_CASES,
  ...IP_ADDRESS_CASES,
  ...API_KEY_CASES,
  ...PERSON_NAME_CASES,
  ...MIXED_CASES,
];
