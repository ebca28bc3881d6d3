import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { ApiKeysTable, Database } from './schema.js';
import type { ApiKeyPatch, ApiKeyRecord } from '../keys/records.js';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * The api_keys table. `updated_at` comes from the database's clock, never an instance's: every
 * instance polls for keys changed since the newest change it saw, and instances' (or the CLI's)
 * clocks may disagree.
 */
type Dialect = 'sqlite' | 'postgres';

function dbNow(dialect: Dialect): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::int8`
    : sql<number>`cast(unixepoch('subsec') * 1000 as integer)`;
}

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function fromRow(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    key_hash: row.key_hash,
    prefix: row.prefix,
    team: row.team,
    models: parse(row.models),
    limits: parse(row.limits),
    budget: parse(row.budget),
    metadata: parse(row.metadata),
    guardrails: parse(row.guardrails),
    expires_at: row.expires_at === null ? null : Number(row.expires_at),
    disabled: row.disabled === 1,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    revoked_at: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

/** A second active key with the same name: names are how people (and `key=`) refer to keys. */
function nameConflict(error: unknown, name: string | undefined): never {
  const message = error instanceof Error ? error.message : String(error);
  if (/unique/i.test(message) && /name/i.test(message)) {
    throw new GatewayError('conflict', `name: a key named "${name}" already exists`, { param: 'name' });
  }
  throw error;
}

export async function insertKey(db: Kysely<Database>, dialect: Dialect, record: Omit<ApiKeyRecord, 'created_at' | 'updated_at' | 'revoked_at'>): Promise<ApiKeyRecord> {
  try {
    await db
      .insertInto('api_keys')
      .values({
        id: record.id,
        name: record.name,
        key_hash: record.key_hash,
        prefix: record.prefix,
        team: record.team,
        models: json(record.models),
        limits: json(record.limits),
        budget: json(record.budget),
        metadata: json(record.metadata),
        guardrails: json(record.guardrails),
        expires_at: record.expires_at,
        disabled: record.disabled ? 1 : 0,
        created_at: dbNow(dialect),
        updated_at: dbNow(dialect),
        revoked_at: null,
      })
      .execute();
  } catch (error) {
    nameConflict(error, record.name);
  }
  return (await getKey(db, record.id))!;
}

export async function getKey(db: Kysely<Database>, id: string): Promise<ApiKeyRecord | undefined> {
  const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function listKeys(db: Kysely<Database>, options: { includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .$if(!options.includeRevoked, (qb) => qb.where('revoked_at', 'is', null))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(fromRow);
}

/** Keys changed at or after `since` (database time), revoked ones included: what an instance must refresh. */
export async function keysChangedSince(db: Kysely<Database>, since: number): Promise<ApiKeyRecord[]> {
  const rows = await db.selectFrom('api_keys').selectAll().where('updated_at', '>=', since).execute();
  return rows.map(fromRow);
}

export async function updateKey(db: Kysely<Database>, dialect: Dialect, id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined> {
  const values: Record<string, unknown> = { updated_at: dbNow(dialect) };
  if (patch.name !== undefined) values.name = patch.name;
  if (patch.team !== undefined) values.team = patch.team;
  for (const field of ['models', 'limits', 'budget', 'metadata', 'guardrails'] as const) if (patch[field] !== undefined) values[field] = json(patch[field]);
  if (patch.expires_at !== undefined) values.expires_at = patch.expires_at;
  if (patch.disabled !== undefined) values.disabled = patch.disabled ? 1 : 0;
  try {
    const result = await db.updateTable('api_keys').set(values).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
  } catch (error) {
    nameConflict(error, patch.name);
  }
  return getKey(db, id);
}

/** Revokes a key for good (the row stays, so log rows keep its name). Returns undefined if unknown or already revoked. */
export async function revokeKey(db: Kysely<Database>, dialect: Dialect, id: string): Promise<ApiKeyRecord | undefined> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: dbNow(dialect), updated_at: dbNow(dialect) })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return undefined;
  return getKey(db, id);
}
