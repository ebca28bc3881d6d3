import { parseArgs } from 'node:util';
import { formatProblems, loadConfigFile, loadQuickStart, resolveConfigPath } from '../config/load.js';
import { presentKey, type ApiKeyRecord, type NewApiKey } from '../keys/records.js';
import { checkNewKey, formatKeyProblem, newKeyRecord, type KeyFieldProblem } from '../keys/validate.js';
import { GatewayError } from '../errors/gateway-error.js';
import { describeStorage } from '../storage/spec.js';
import type { Storage } from '../storage/store.js';

export const KEYS_USAGE = `  switchyard keys create --name NAME [--team T] [--models a,b] [--rpm N] [--tpm N] [--concurrency N]
      [--budget-usd X] [--budget-period day|week|month|total] [--expires ISO|EPOCH_MS]
      [--json] [--config FILE]                              create a key; its plaintext is printed once
  switchyard keys list [--all] [--json] [--config FILE]     list keys (--all: revoked ones too)
  switchyard keys revoke ID_OR_NAME [--json] [--config FILE] revoke a key for good (the row stays)
`;

/** A command-line mistake: exit 2 with the usage. */
class UsageError extends Error {}

/** The flag each field of a key comes from, so a problem names what the user typed. */
const FLAGS: Record<string, string> = {
  name: '--name',
  team: '--team',
  models: '--models',
  'limits.rpm': '--rpm',
  'limits.tpm': '--tpm',
  'limits.concurrency': '--concurrency',
  'budget.usd': '--budget-usd',
  'budget.period': '--budget-period',
  expires_at: '--expires',
};

/**
 * `switchyard keys create|list|revoke`: acts on the configured storage directly (config from
 * --config, else ./switchyard.yaml, else the quick start, as `start` does), so it works with the
 * gateway stopped; a running gateway picks the change up from the same storage. Returns the exit
 * code: 0 done, 1 failed, 2 usage error.
 */
export async function runKeysCommand(args: string[]): Promise<number> {
  try {
    const [subcommand, ...rest] = args;
    if (subcommand === 'create') return await createCommand(rest);
    if (subcommand === 'list') return await listCommand(rest);
    if (subcommand === 'revoke') return await revokeCommand(rest);
    if (subcommand === 'help' || subcommand === '--help' || subcommand === '-h') {
      process.stdout.write(`Usage:\n${KEYS_USAGE}`);
      return 0;
    }
    throw new UsageError(subcommand === undefined ? 'keys: give a subcommand' : `keys: unknown subcommand "${subcommand}"`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\nUsage:\n${KEYS_USAGE}`);
      return 2;
    }
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const COMMON = { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } } as const;

async function createCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ...COMMON,
      name: { type: 'string' },
      team: { type: 'string' },
      models: { type: 'string' },
      rpm: { type: 'string' },
      tpm: { type: 'string' },
      concurrency: { type: 'string' },
      'budget-usd': { type: 'string' },
      'budget-period': { type: 'string' },
      expires: { type: 'string' },
    },
  });
  if (values.name === undefined) throw new UsageError('keys create: --name is required');
  if (values['budget-period'] !== undefined && values['budget-usd'] === undefined) throw new UsageError('--budget-period needs --budget-usd');
  const body: Record<string, unknown> = { name: values.name };
  if (values.team !== undefined) body.team = values.team;
  if (values.models !== undefined) body.models = values.models.trim().split(/\s*,\s*/);
  const limits = Object.fromEntries(
    (['rpm', 'tpm', 'concurrency'] as const).filter((flag) => values[flag] !== undefined).map((flag) => [flag, number(values[flag]!)]),
  );
  if (Object.keys(limits).length > 0) body.limits = limits;
  if (values['budget-usd'] !== undefined) {
    body.budget = { usd: number(values['budget-usd']), ...(values['budget-period'] !== undefined && { period: values['budget-period'] }) };
  }
  if (values.expires !== undefined) body.expires_at = /^\d+$/.test(values.expires) ? Number(values.expires) : values.expires;
  const checked = checkNewKey(body);
  if (!checked.ok) throw new UsageError(checked.problems.map(describeFlagProblem).join('\n'));

  return withStorage(values.config, async (storage) => {
    const { record, plaintext } = await createKey(storage, checked.value);
    if (values.json) process.stdout.write(`${JSON.stringify({ ...presentKey(record), key: plaintext }, null, 2)}\n`);
    else {
      process.stdout.write(
        `Created key "${record.name}" (${record.id}).\n\n  ${plaintext}\n\n` +
          'This is the only time the key is shown: store it now (only its SHA-256 is kept).\n\n' +
          `${describeKey(record)}\n`,
      );
    }
    return 0;
  });
}

async function listCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { ...COMMON, all: { type: 'boolean', short: 'a' } } });
  return withStorage(values.config, async (storage) => {
    const keys = await storage.listKeys({ includeRevoked: values.all === true });
    if (values.json) process.stdout.write(`${JSON.stringify({ data: keys.map(presentKey) }, null, 2)}\n`);
    else if (keys.length === 0) process.stdout.write(values.all ? 'No keys.\n' : 'No active keys (--all shows revoked ones).\n');
    else process.stdout.write(keyTable(keys, Date.now()));
    return 0;
  });
}

async function revokeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: COMMON });
  if (positionals.length !== 1) throw new UsageError('keys revoke: give exactly one key id or name');
  const wanted = positionals[0]!;
  return withStorage(values.config, async (storage) => {
    const key = await findKey(storage, wanted);
    const revoked = await storage.revokeKey(key.id);
    if (!revoked) throw new Error(`key "${wanted}" was revoked meanwhile`);
    if (values.json) process.stdout.write(`${JSON.stringify(presentKey(revoked), null, 2)}\n`);
    else process.stdout.write(`Revoked key "${revoked.name}" (${revoked.id}, ${revoked.prefix}…).\n`);
    return 0;
  });
}

/** A key by id, else the active key by that name; a key revoked already is a failure, not a no-op. */
async function findKey(storage: Storage, wanted: string): Promise<ApiKeyRecord> {
  const byId = await storage.getKey(wanted);
  if (byId && byId.revoked_at === null) return byId;
  const keys = await storage.listKeys({ includeRevoked: true });
  const byName = keys.find((key) => key.name === wanted && key.revoked_at === null);
  if (byName) return byName;
  const revoked = byId ?? keys.findLast((key) => key.name === wanted);
  if (revoked) throw new Error(`key "${wanted}" is already revoked (since ${new Date(revoked.revoked_at!).toISOString()})`);
  throw new Error(`no key with id or name "${wanted}"`);
}

async function createKey(storage: Storage, fields: NewApiKey): Promise<{ record: ApiKeyRecord; plaintext: string }> {
  const { record, plaintext } = newKeyRecord(fields);
  return { record: await storage.createKey(record), plaintext };
}

/** Opens the configured storage (running its migrations), acts, and closes it whatever happened. */
async function withStorage(configFlag: string | undefined, act: (storage: Storage) => Promise<number>): Promise<number> {
  const path = resolveConfigPath(configFlag);
  const loaded = path ? loadConfigFile(path) : loadQuickStart();
  if (!loaded.ok) throw new Error(`invalid config ${path ?? '(quick start)'}:\n${formatProblems(loaded.problems)}`);
  const spec = loaded.plan.storage;
  if (spec.kind === 'memory') {
    throw new Error(`storage is "memory" in ${path ?? 'the quick start'}: a key made here would vanish when this command ends; use POST /admin/keys on the running gateway`);
  }
  // Loaded here, not with the CLI: `switchyard start` should not pay for the drivers at startup.
  const { SqlStorage } = await import('../storage/store.js');
  let storage: Storage;
  try {
    storage = await SqlStorage.open(spec);
  } catch (error) {
    throw new Error(`cannot open storage ${describeStorage(spec)}: ${(error as Error).message}`);
  }
  try {
    return await act(storage);
  } catch (error) {
    // A duplicate name (409) and the like: the message already says which field.
    if (error instanceof GatewayError && error.param && FLAGS[error.param]) throw new Error(error.message.replace(`${error.param}:`, `${FLAGS[error.param]}:`));
    throw error;
  } finally {
    await storage.close();
  }
}

/** Numbers from flags; anything else is passed on as is, for the validation to name. */
function number(text: string): number | string {
  const value = Number(text);
  return text.trim() === '' || Number.isNaN(value) ? text : value;
}

function describeFlagProblem(problem: KeyFieldProblem): string {
  const flag = FLAGS[problem.path] ?? FLAGS[problem.path.replace(/\[\d+\]$/, '')];
  return flag ? `${flag}: ${problem.message}` : formatKeyProblem(problem);
}

type Row = Record<(typeof COLUMNS)[number], string>;
const COLUMNS = ['id', 'name', 'prefix', 'team', 'models', 'limits', 'budget', 'expires', 'state'] as const;

function row(key: ApiKeyRecord, now: number): Row {
  const limits = key.limits ? Object.entries(key.limits).map(([name, value]) => `${name} ${value}`).join(', ') : '';
  return {
    id: key.id,
    name: key.name,
    prefix: `${key.prefix}…`,
    team: key.team ?? '-',
    models: key.models ? key.models.join(',') : 'all',
    limits: limits || '-',
    budget: key.budget ? `$${key.budget.usd}/${key.budget.period}` : '-',
    expires: key.expires_at === null ? 'never' : new Date(key.expires_at).toISOString(),
    state: stateOf(key, now),
  };
}

function stateOf(key: ApiKeyRecord, now: number): string {
  if (key.revoked_at !== null) return 'revoked';
  if (key.expires_at !== null && key.expires_at <= now) return 'expired';
  return key.disabled ? 'disabled' : 'active';
}

/** Aligned columns, one key per line. */
function keyTable(keys: readonly ApiKeyRecord[], now: number): string {
  const rows = keys.map((key) => row(key, now));
  const widths = COLUMNS.map((column) => Math.max(column.length, ...rows.map((r) => r[column].length)));
  const line = (cells: readonly string[]): string => `${cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ').trimEnd()}\n`;
  return line(COLUMNS.map((column) => column.toUpperCase())) + rows.map((r) => line(COLUMNS.map((column) => r[column]))).join('');
}

/** The record as `field  value` lines, for `create`. */
function describeKey(key: ApiKeyRecord): string {
  const fields = row(key, Date.now());
  const lines = COLUMNS.map((column) => `  ${column.padEnd(10)}${fields[column]}`);
  if (key.metadata) lines.push(`  ${'metadata'.padEnd(10)}${JSON.stringify(key.metadata)}`);
  return lines.join('\n');
}
