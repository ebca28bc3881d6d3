import type { GuardrailsConfig } from '../guardrails/schema.js';
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Per-minute limits of a key, a team or a model (PRODUCT.md `limits`). */
export interface Limits {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
}

export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';

export interface Budget {
  usd: number;
  period: BudgetPeriod;
}

/**
 * A virtual key as stored (POST /admin/keys, `switchyard keys create`). The plaintext is never
 * stored: only its SHA-256, and a short prefix to recognise it by in lists.
 */
export interface ApiKeyRecord {
  id: string;
  name: string;
  /** Hex SHA-256 of the plaintext key. */
  key_hash: string;
  /** The first characters of the plaintext, e.g. `sk-sy-4fQz`: enough to tell keys apart, not to use one. */
  prefix: string;
  team: string | null;
  /** Allowed model names or globs (`gpt-*`); null = every model. */
  models: string[] | null;
  limits: Limits | null;
  budget: Budget | null;
  metadata: Record<string, unknown> | null;
  /** This key's guardrails (docs/GUARDRAILS.md), layered on the global and the model's; null = none of its own. */
  guardrails: GuardrailsConfig | null;
  /** Epoch ms; null = never. */
  expires_at: number | null;
  disabled: boolean;
  created_at: number;
  /** Set by the database's clock on every change: instances poll for changes by it. */
  updated_at: number;
  /** Set by DELETE: the key never works again; the row stays so old log rows keep its name. */
  revoked_at: number | null;
}

/** What POST /admin/keys and `switchyard keys create` take. */
export type NewApiKey = Pick<ApiKeyRecord, 'name'> & Partial<Pick<ApiKeyRecord, 'team' | 'models' | 'limits' | 'budget' | 'metadata' | 'guardrails' | 'expires_at' | 'disabled'>>;

/** What PATCH /admin/keys/{id} may change. */
export type ApiKeyPatch = Partial<Pick<ApiKeyRecord, 'name' | 'team' | 'models' | 'limits' | 'budget' | 'metadata' | 'guardrails' | 'expires_at' | 'disabled'>>;

const KEY_PREFIX = 'sk-sy-';
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 6;

export function hashKey(plaintext: string): string {
  return createHash('sha256').update(plaintext).digest('hex');
}

/** A new key: 192 random bits, so a plain SHA-256 is as good as any slow hash for storing it. */
export function generateKey(): { plaintext: string; hash: string; prefix: string } {
  const plaintext = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  return { plaintext, hash: hashKey(plaintext), prefix: plaintext.slice(0, SHOWN_PREFIX_LENGTH) };
}

export function newKeyId(): string {
  return `key_${randomUUID().replaceAll('-', '')}`;
}

/** The API shape of a key: everything but the hash. */
export function presentKey(record: ApiKeyRecord): Record<string, unknown> {
  const { key_hash: _hash, created_at, updated_at, expires_at, revoked_at, ...rest } = record;
  return {
    ...rest,
    created_at: new Date(created_at).toISOString(),
    updated_at: new Date(updated_at).toISOString(),
    expires_at: expires_at === null ? null : new Date(expires_at).toISOString(),
    revoked_at: revoked_at === null ? null : new Date(revoked_at).toISOString(),
  };
}
