import { apiKeyScanner } from './api-key.js';
import { creditCardScanner } from './credit-card.js';
import { emailScanner } from './email.js';
import { ibanScanner } from './iban.js';
import { ipAddressScanner } from './ip-address.js';
import { createNameScanner } from './person-name.js';
import { phoneScanner } from './phone.js';
import type { EntityScanner } from './scanner.js';
import { ssnScanner } from './ssn.js';

// With api_key on, maxMatchLength is PEM_MAX_LENGTH (a whole private key block); every other
// finding is at most TOKEN_MAX_LENGTH (api_key) or a few hundred characters (email 318).
export { TOKEN_MAX_LENGTH } from './api-key.js';
export { PEM_MAX_LENGTH } from './pem.js';

export type PiiEntity = 'email' | 'phone' | 'credit_card' | 'ssn' | 'iban' | 'ip_address' | 'api_key' | 'person_name';

/** Every entity, in the order that breaks ties between overlapping findings of equal length. */
export const PII_ENTITIES: readonly PiiEntity[] = ['email', 'phone', 'credit_card', 'ssn', 'iban', 'ip_address', 'api_key', 'person_name'];

/** One finding: UTF-16 offsets into the scanned text, [start, end). */
export interface PiiFinding {
  entity: PiiEntity;
  start: number;
  end: number;
}

export interface PiiDetectorOptions {
  /** Which to look for. */
  entities: readonly PiiEntity[];
  /** Person names to find (person_name is only detected with a list). */
  names?: readonly string[];
}

export interface PiiDetector {
  /** Findings sorted by start, never overlapping (when two overlap, keep the longer; ties: the earlier entity in PII_ENTITIES order). */
  find(text: string): PiiFinding[];
  /** The longest text one finding can span (characters): a streaming scanner holds back this much. Must be a real bound that find() respects. */
  readonly maxMatchLength: number;
}

const SCANNERS: Readonly<Record<Exclude<PiiEntity, 'person_name'>, EntityScanner>> = {
  email: emailScanner,
  phone: phoneScanner,
  credit_card: creditCardScanner,
  ssn: ssnScanner,
  iban: ibanScanner,
  ip_address: ipAddressScanner,
  api_key: apiKeyScanner,
};

const RANK: ReadonlyMap<PiiEntity, number> = new Map(PII_ENTITIES.map((entity, index) => [entity, index]));

/** A detector for the chosen entities; compiled once, pure and safe to share between requests. */
export function createPiiDetector(options: PiiDetectorOptions): PiiDetector {
  const scanners: Array<{ entity: PiiEntity; scanner: EntityScanner }> = [];
  for (const entity of PII_ENTITIES) {
    if (!options.entities.includes(entity)) continue;
    const scanner = entity === 'person_name' ? createNameScanner(options.names ?? []) : SCANNERS[entity];
    if (scanner) scanners.push({ entity, scanner });
  }
  const maxMatchLength = Math.max(0, ...scanners.map(({ scanner }) => scanner.maxLength));
  return {
    maxMatchLength,
    find(text) {
      const findings: PiiFinding[] = [];
      for (const { entity, scanner } of scanners) {
        // Clipping is a backstop: each scanner already keeps to its own bound.
        scanner.scan(text, (start, end) => findings.push({ entity, start, end: Math.min(end, start + scanner.maxLength) }));
      }
      return withoutOverlaps(findings);
    },
  };
}

/**
 * Keeps the longest of overlapping findings (ties: the earlier entity, then the earlier start),
 * sorted by start. Findings rarely overlap, so the common case is one sort and one pass.
 */
export function withoutOverlaps(findings: PiiFinding[]): PiiFinding[] {
  findings.sort((a, b) => a.start - b.start || b.end - a.end);
  let overlapping = false;
  for (let i = 1; i < findings.length; i++) {
    if (findings[i]!.start < findings[i - 1]!.end) {
      overlapping = true;
      break;
    }
  }
  if (!overlapping) return findings;
  const byPriority = [...findings].sort((a, b) => b.end - b.start - (a.end - a.start) || RANK.get(a.entity)! - RANK.get(b.entity)! || a.start - b.start);
  const kept: PiiFinding[] = [];
  for (const finding of byPriority) {
    // `kept` is sorted by start and has no overlaps, so only the neighbours at the insertion point can overlap.
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (kept[middle]!.start < finding.start) low = middle + 1;
      else high = middle;
    }
    const previous = kept[low - 1];
    const next = kept[low];
    if ((previous && previous.end > finding.start) || (next && next.start < finding.end)) continue;
    kept.splice(low, 0, finding);
  }
  return kept;
}
