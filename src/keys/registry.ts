import type { GuardrailsConfig } from '../guardrails/schema.js';
import type { Plan } from '../config/plan.js';
import type { StorageHandle } from '../storage/handle.js';
import type { Logger } from '../telemetry/logger.js';
import { hashKey, type ApiKeyRecord, type Budget, type Limits } from './records.js';
import { compileModelMatcher, type ModelMatcher } from './model-match.js';

/** A key as the request path sees it: static (config `keys:`) or stored (admin API, CLI). */
export interface KeyEntry {
  readonly id: string;
  readonly name: string;
  readonly team: string | null;
  /** Undefined = every model. */
  readonly models: ModelMatcher | undefined;
  readonly limits: Limits | null;
  readonly budget: Budget | null;
  readonly expiresAt: number | null;
  readonly disabled: boolean;
  readonly source: 'config' | 'api';
  /** Its own guardrails (`keys[].guardrails`, or a stored key's), layered on the global and the model's. */
  readonly guardrails: GuardrailsConfig | null;
  /** It has limits or a budget of its own, or a team that may have them: requests of other keys skip the limit gate. */
  readonly limited: boolean;
}

function entryOf(
  fields: { id: string; name: string; team: string | null; models: readonly string[] | null; limits: Limits | null; budget: Budget | null; expiresAt: number | null; disabled: boolean },
  source: KeyEntry['source'],
  guardrails: GuardrailsConfig | null = null,
): KeyEntry {
  return {
    ...fields,
    guardrails,
    models: fields.models ? compileModelMatcher(fields.models) : undefined,
    source,
    limited: fields.limits !== null || fields.budget !== null || fields.team !== null,
  };
}

/** How often each instance asks storage for keys changed since its last look. */
export const KEY_POLL_MS = 500;
/**
 * Changes are read from a little before the newest change seen: a change is dated when its
 * statement runs and may commit a moment later, after a poll that read past its date.
 */
const POLL_OVERLAP_MS = 10_000;

/**
 * Every key, by the SHA-256 of its plaintext: a lookup is one hash and one map read, never a
 * database round trip, and the map is keyed by the digest, so nothing compares secrets
 * byte by byte. Stored keys are loaded once storage opens, then refreshed every half second from
 * the keys changed since (by the database's clock), so a revoked or disabled key stops working on
 * every instance within a second. Static keys are rebuilt from each new config.
 */
export class KeyRegistry {
  #static = new Map<string, KeyEntry>();
  #stored = new Map<string, KeyEntry>();
  /** Stored key id → its hash, to drop the old entry when a key changes. */
  #storedHashById = new Map<string, string>();
  #byId = new Map<string, KeyEntry>();
  /** Names of stored keys, revoked ones too: log rows of a revoked key still show its name. */
  #storedNames = new Map<string, string>();
  /** Teams of stored keys, revoked ones too: a team's budget counts what its revoked keys spent. */
  #storedTeams = new Map<string, string>();
  /** The `updated_at` applied per stored key: the poll's overlap re-reads rows, and only newer ones count. */
  #versions = new Map<string, number>();
  #watermark: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #stopped = false;
  #lastErrorLogAt = 0;

  private storage: StorageHandle | undefined;

  constructor(private readonly logger: Logger) {}

  /** Stored keys come from this storage (set before `start`). */
  attach(storage: StorageHandle): void {
    this.storage = storage;
  }

  /** Static keys of a (new) config. */
  setPlan(plan: Plan): void {
    const next = new Map<string, KeyEntry>();
    for (const key of plan.config.keys) {
      // An empty key (`${VAR}` with the variable unset) can never be presented: it is left out (start warns).
      if (key.key === '') continue;
      const fields = { id: `config:${key.name}`, name: key.name, team: key.team ?? null, models: key.models ?? null };
      next.set(
        hashKey(key.key),
        entryOf({ ...fields, limits: key.limits ?? null, budget: key.budget ?? null, expiresAt: key.expires_at ?? null, disabled: key.disabled }, 'config', key.guardrails ?? null),
      );
    }
    this.#static = next;
    this.#reindex();
  }

  /** Whether stored keys have been read at least once (before that, an unknown key may be a stored one). */
  get loaded(): boolean {
    return this.#watermark !== undefined || this.storage === undefined;
  }

  /** For /health/ready: whether stored keys have been read, and how many keys of each origin are live. */
  describe(): { loaded: boolean; config: number; stored: number } {
    return { loaded: this.loaded, config: this.#static.size, stored: this.#stored.size };
  }

  /** Any key at all, static or stored (revoked ones are not kept). */
  get size(): number {
    return this.#static.size + this.#stored.size;
  }

  /** By the hex SHA-256 of the plaintext (the caller hashed it once for every check). */
  lookupDigest(digest: string): KeyEntry | undefined {
    return this.#static.get(digest) ?? this.#stored.get(digest);
  }

  /** Ids of the keys in a team, revoked stored keys included (a team's budget is their spend together). */
  teamKeyIds(team: string): string[] {
    const ids: string[] = [];
    for (const entry of this.#static.values()) if (entry.team === team) ids.push(entry.id);
    for (const [id, keyTeam] of this.#storedTeams) if (keyTeam === team) ids.push(id);
    return ids;
  }

  /** The name of a key id, revoked keys included (for log rows). */
  nameOf(id: string): string | undefined {
    return this.#byId.get(id)?.name ?? this.#storedNames.get(id);
  }

  /** A key id from an id or a name (`/admin/logs?key=` takes either); live keys win over revoked ones. */
  resolveId(idOrName: string): string | undefined {
    if (this.#byId.has(idOrName) || this.#storedNames.has(idOrName)) return idOrName;
    for (const entry of this.#byId.values()) if (entry.name === idOrName) return entry.id;
    for (const [id, name] of this.#storedNames) if (name === idOrName) return id;
    return undefined;
  }

  /** Reads the stored keys (resolves after the first read, or its failure), then keeps polling. */
  start(): Promise<void> {
    return this.poll();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** One refresh; then the next is scheduled. */
  async poll(): Promise<void> {
    if (this.#polling || !this.storage) return;
    this.#polling = true;
    try {
      const storage = this.storage.get();
      if (this.#watermark === undefined) {
        const all = await storage.listKeys({ includeRevoked: true });
        let watermark = 0;
        for (const record of all) {
          this.#apply(record);
          watermark = Math.max(watermark, record.updated_at);
        }
        this.#watermark = watermark;
        this.#reindex();
      } else {
        const changed = await storage.keysChangedSince(this.#watermark - POLL_OVERLAP_MS);
        let applied = false;
        for (const record of changed) {
          if (this.#apply(record)) applied = true;
          this.#watermark = Math.max(this.#watermark, record.updated_at);
        }
        // The overlap re-reads recent changes every time; the index is rebuilt only when one is new.
        if (applied) this.#reindex();
      }
    } catch (error) {
      // Storage not open yet, or down: keep the keys known so far and try again at the next tick.
      if (Date.now() - this.#lastErrorLogAt > 30_000) {
        this.#lastErrorLogAt = Date.now();
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'virtual keys could not be refreshed from storage');
      }
    } finally {
      this.#polling = false;
      clearTimeout(this.#timer);
      if (!this.#stopped) {
        this.#timer = setTimeout(() => void this.poll(), KEY_POLL_MS);
        this.#timer.unref();
      }
    }
  }

  /** A change this instance made itself, applied without waiting for the next poll. */
  apply(record: ApiKeyRecord): void {
    this.#apply(record);
    this.#reindex();
  }

  /** Applies a stored key's record unless this version (or a newer one) is already applied; says whether it did. */
  #apply(record: ApiKeyRecord): boolean {
    if ((this.#versions.get(record.id) ?? -1) >= record.updated_at) return false;
    this.#versions.set(record.id, record.updated_at);
    this.#storedNames.set(record.id, record.name);
    if (record.team === null) this.#storedTeams.delete(record.id);
    else this.#storedTeams.set(record.id, record.team);
    const previousHash = this.#storedHashById.get(record.id);
    if (previousHash !== undefined) this.#stored.delete(previousHash);
    this.#storedHashById.delete(record.id);
    if (record.revoked_at !== null) return true;
    const { id, name, team, models, limits, budget, expires_at: expiresAt, disabled } = record;
    this.#stored.set(record.key_hash, entryOf({ id, name, team, models, limits, budget, expiresAt, disabled }, 'api', record.guardrails));
    this.#storedHashById.set(record.id, record.key_hash);
    return true;
  }

  #reindex(): void {
    const byId = new Map<string, KeyEntry>();
    for (const entry of this.#static.values()) byId.set(entry.id, entry);
    for (const entry of this.#stored.values()) byId.set(entry.id, entry);
    this.#byId = byId;
  }
}
