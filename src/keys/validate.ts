import { z } from 'zod';
import { GatewayError } from '../errors/gateway-error.js';
import { suggestion } from '../config/did-you-mean.js';
import { formatPath, unwrapUnion } from '../config/validate.js';
import { guardrailsSchema } from '../guardrails/schema.js';
import { generateKey, newKeyId, type ApiKeyPatch, type ApiKeyRecord, type NewApiKey } from './records.js';

/**
 * What POST /admin/keys, PATCH /admin/keys/{id} and `switchyard keys create` accept. Strict, as
 * user input should be: an unknown field, a wrong type or an out-of-range value is refused with
 * its path named (`limits.rpm: expected a positive integer`), never clamped or dropped.
 */

export const METADATA_MAX_BYTES = 16 * 1024;
const NAME_MAX = 100;
const MODEL_MAX = 256;
const MODELS_MAX = 1000;

const POSITIVE_INT = 'expected a positive integer';
const INSTANT = 'expected an ISO 8601 time with a zone (2030-01-31T12:00:00Z), a date (2030-01-31) or epoch milliseconds';
/** A date, or a date and time with an explicit zone: a time without one would mean whatever the server's zone is. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/i;

function label(max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : 'expected a string') })
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `at most ${max} characters` })
    .regex(/^[^\p{Cc}]*$/u, { error: 'must not contain control characters' });
}

const positiveInt = z.number({ error: POSITIVE_INT }).int({ error: POSITIVE_INT }).positive({ error: POSITIVE_INT });

const limitsSchema = z.strictObject(
  { rpm: positiveInt.optional(), tpm: positiveInt.optional(), concurrency: positiveInt.optional() },
  { error: 'expected an object with rpm, tpm and/or concurrency (or null for none)' },
);

const budgetSchema = z.strictObject(
  {
    usd: z.number({ error: 'expected a number of US dollars above 0' }).positive({ error: 'expected a number of US dollars above 0' }),
    period: z.enum(['day', 'week', 'month', 'total'], { error: 'expected one of "day", "week", "month", "total"' }).default('month'),
  },
  { error: 'expected an object {usd, period} (or null for none)' },
);

const modelsSchema = z
  .array(label(MODEL_MAX), { error: 'expected an array of model names or globs (or null for every model)' })
  .min(1, { error: 'needs at least one model name or glob (null for every model)' })
  .max(MODELS_MAX, { error: `at most ${MODELS_MAX} entries` });

const metadataSchema = z
  .record(z.string(), z.unknown(), { error: 'expected a JSON object (or null for none)' })
  .superRefine((value, ctx) => {
    const bytes = Buffer.byteLength(JSON.stringify(value));
    if (bytes > METADATA_MAX_BYTES) ctx.addIssue({ code: 'custom', message: `at most ${METADATA_MAX_BYTES} bytes as JSON, got ${bytes}` });
  });

/** An instant as an ISO 8601 string or epoch milliseconds, read as epoch milliseconds. */
const instantSchema = z.unknown().transform((value, ctx) => {
  const ms = toEpochMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: INSTANT });
    return z.NEVER;
  }
  return ms;
});

function toEpochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !ISO_8601.test(value)) return undefined;
  const ms = Date.parse(value);
  // Date.parse rolls 2030-02-30 over to March: refuse a day the month does not have.
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return Number.isNaN(ms) ? undefined : ms;
}

const clearable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const newKeySchema = z.strictObject({
  name: label(NAME_MAX),
  team: clearable(label(NAME_MAX)),
  models: clearable(modelsSchema),
  limits: clearable(limitsSchema),
  budget: clearable(budgetSchema),
  expires_at: clearable(instantSchema),
  metadata: clearable(metadataSchema),
  guardrails: clearable(guardrailsSchema),
  disabled: z.boolean({ error: 'expected true or false' }).optional(),
});

const patchSchema = newKeySchema.extend({ name: newKeySchema.shape.name.optional() });

/** The fields each object accepts, for did-you-mean on an unknown one. */
const KNOWN_FIELDS: Record<string, string[]> = {
  '': Object.keys(newKeySchema.shape),
  limits: Object.keys(limitsSchema.shape),
  budget: Object.keys(budgetSchema.shape),
};

/** One thing wrong with a body: the field's path (`limits.rpm`; '' for the body itself) and what. */
export interface KeyFieldProblem {
  path: string;
  message: string;
}

export type KeyCheck<T> = { ok: true; value: T } | { ok: false; problems: KeyFieldProblem[] };

/** Checks a create body; `expires_at` must be after `now`. */
export function checkNewKey(body: unknown, now = Date.now()): KeyCheck<NewApiKey> {
  const parsed = newKeySchema.safeParse(body);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.flatMap(describeIssue) };
  const { expires_at: expiresAt } = parsed.data;
  if (typeof expiresAt === 'number' && expiresAt <= now) {
    return { ok: false, problems: [{ path: 'expires_at', message: `must be in the future, got ${new Date(expiresAt).toISOString()}` }] };
  }
  return { ok: true, value: parsed.data };
}

/** Checks a PATCH body: every field optional, `null` clears team, models, limits, budget, metadata and expires_at. */
export function checkKeyPatch(body: unknown): KeyCheck<ApiKeyPatch> {
  const parsed = patchSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.flatMap(describeIssue) };
  const patch = Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined)) as ApiKeyPatch;
  if (Object.keys(patch).length === 0) {
    return { ok: false, problems: [{ path: '', message: `nothing to change: give at least one of ${KNOWN_FIELDS['']!.join(', ')}` }] };
  }
  return { ok: true, value: patch };
}

/** `path: message`, or the message alone for the body itself. */
export function formatKeyProblem(problem: KeyFieldProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}

/** A 400 `invalid_request` naming every problem, with the first one's path as `param`. */
export function keyProblemsError(problems: readonly KeyFieldProblem[]): GatewayError {
  const first = problems[0];
  const message = problems.map(formatKeyProblem).join('; ');
  return new GatewayError('invalid_request', message, first?.path ? { param: first.path } : {});
}

/** checkNewKey, throwing keyProblemsError on a bad body. */
export function parseNewKey(body: unknown, now = Date.now()): NewApiKey {
  const checked = checkNewKey(body, now);
  if (!checked.ok) throw keyProblemsError(checked.problems);
  return checked.value;
}

/** checkKeyPatch, throwing keyProblemsError on a bad body. */
export function parseKeyPatch(body: unknown): ApiKeyPatch {
  const checked = checkKeyPatch(body);
  if (!checked.ok) throw keyProblemsError(checked.problems);
  return checked.value;
}

/** A checked create body as the row to store, with a fresh id and key; the plaintext is returned, never stored. */
export function newKeyRecord(fields: NewApiKey): { record: Omit<ApiKeyRecord, 'created_at' | 'updated_at' | 'revoked_at'>; plaintext: string } {
  const secret = generateKey();
  return {
    plaintext: secret.plaintext,
    record: {
      id: newKeyId(),
      name: fields.name,
      key_hash: secret.hash,
      prefix: secret.prefix,
      team: fields.team ?? null,
      models: fields.models ?? null,
      limits: fields.limits ?? null,
      budget: fields.budget ?? null,
      metadata: fields.metadata ?? null,
      guardrails: fields.guardrails ?? null,
      expires_at: fields.expires_at ?? null,
      disabled: fields.disabled ?? false,
    },
  };
}

function describeIssue(issue: z.core.$ZodIssue): KeyFieldProblem[] {
  if (issue.code === 'invalid_union') {
    const unwrapped = unwrapUnion(issue);
    if (unwrapped[0] !== issue) return unwrapped.flatMap(describeIssue);
  }
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_FIELDS[path] ?? [];
    return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: `unknown field${suggestion(key, known)}` }));
  }
  // A body that is not an object at all (the CLI and the handler always pass one, but be plain about it).
  if (path === '' && issue.code === 'invalid_type') return [{ path: '', message: 'expected a JSON object' }];
  return [{ path, message: issue.message }];
}
