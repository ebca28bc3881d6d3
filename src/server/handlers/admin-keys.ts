import { toGatewayError, GatewayError } from '../../errors/gateway-error.js';
import { budgetPeriod } from '../../limits/rules.js';
import { openaiChatDialect } from '../../dialects/openai-chat/index.js';
import { presentKey, type ApiKeyRecord, type Budget } from '../../keys/records.js';
import { newKeyRecord, parseKeyPatch, parseNewKey } from '../../keys/validate.js';
import type { Storage } from '../../storage/store.js';
import { parseJsonObject, readRequestBody } from '../body.js';
import { enumParam, queryOf } from '../query.js';
import { sendError, sendJson } from '../respond.js';
import type { Handler, HandlerInput } from '../types.js';
import { openStorage } from './admin-logs.js';

/**
 * The virtual keys API (master key only):
 *   POST   /admin/keys          create → 201, the record plus `key`, the plaintext (the only time it is shown)
 *   GET    /admin/keys          `{"data": [...]}`, oldest first; `?include_revoked=true` adds revoked keys
 *   GET    /admin/keys/{id}     one key (revoked ones too)
 *   PATCH  /admin/keys/{id}     change name, team, models, limits, budget, expires_at, metadata, disabled
 *   DELETE /admin/keys/{id}     revoke for good → 200 with the record, `revoked_at` set
 * No answer ever holds the hash; only the create answer holds the plaintext.
 */

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const PREFIX = '/admin/keys/';

/** /admin/keys: GET lists, POST creates. */
export const adminKeysHandler: Handler = async (input) => {
  await adminAct(input, ['GET', 'POST'], async (storage) => {
    if (input.request.method === 'POST') {
      const fields = parseNewKey(await readJsonBody(input));
      const { record, plaintext } = newKeyRecord(fields);
      const created = await storage.createKey(record);
      // This instance knows at once; the others within a poll (KeyRegistry).
      input.runtime.keys.apply(created);
      // The plaintext exists only in this answer: keep it out of every cache on the way.
      return { status: 201, body: { ...presentKey(created), key: plaintext }, headers: { 'cache-control': 'no-store' } };
    }
    const includeRevoked = enumParam(queryOf(input.request), 'include_revoked', ['true', 'false'] as const) === 'true';
    const keys = await storage.listKeys({ includeRevoked });
    return { status: 200, body: { data: keys.map(presentKey) } };
  });
};

/** /admin/keys/{id}: GET reads, PATCH changes, DELETE revokes. */
export const adminKeyHandler: Handler = async (input) => {
  await adminAct(input, ['GET', 'PATCH', 'DELETE'], async (storage) => {
    const id = keyIdOf(input);
    const method = input.request.method;
    if (method === 'GET') {
      const record = (await storage.getKey(id)) ?? notFound(id);
      return { status: 200, body: { ...presentKey(record), ...(record.budget && { budget_status: await budgetStatus(storage, record.id, record.budget) }) } };
    }
    if (method === 'PATCH') {
      const patch = parseKeyPatch(await readJsonBody(input));
      const updated = await storage.updateKey(id, patch);
      if (updated) input.runtime.keys.apply(updated);
      return { status: 200, body: presentKey(updated ?? (await goneOrUnknown(storage, id))) };
    }
    const revoked = await storage.revokeKey(id);
    if (revoked) input.runtime.keys.apply(revoked);
    return { status: 200, body: presentKey(revoked ?? (await goneOrUnknown(storage, id))) };
  });
};

/**
 * Method check (405 with `allow`), master key, an open storage (503 while it is not), then the
 * answer as JSON; every error in the OpenAI shape.
 */
async function adminAct(input: HandlerInput, methods: readonly string[], act: (storage: Storage) => Promise<Answer>): Promise<void> {
  const headers: Record<string, string> = { 'x-request-id': input.requestId };
  try {
    const method = input.request.method ?? 'GET';
    if (!methods.includes(method)) {
      headers.allow = methods.join(', ');
      throw new GatewayError('method_not_allowed', `${pathOf(input)} accepts ${methods.join(', ')}, not ${method}`);
    }
    const answer = await act(openStorage(input));
    sendJson(input.response, answer.status, { ...headers, ...answer.headers }, JSON.stringify(answer.body));
  } catch (error) {
    sendError(input.response, toGatewayError(error), (e) => openaiChatDialect.encodeError(e), headers);
  }
}

async function readJsonBody(input: HandlerInput): Promise<Record<string, unknown>> {
  return parseJsonObject(await readRequestBody(input.request, input.plan.config.server.max_body_bytes));
}

function pathOf(input: HandlerInput): string {
  const url = input.request.url ?? '/';
  const mark = url.indexOf('?');
  return mark === -1 ? url : url.slice(0, mark);
}

/** The id from the path; a malformed escape (`%zz`) is a 400, not a thrown URIError. */
function keyIdOf(input: HandlerInput): string {
  const raw = pathOf(input).slice(PREFIX.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new GatewayError('invalid_request', `id: not a valid URL path segment: "${raw.slice(0, 40)}"`, { param: 'id' });
  }
}

function notFound(id: string): never {
  throw new GatewayError('not_found', `no key with id "${id}"`);
}

/** Why a PATCH or DELETE found nothing to change: the key is unknown, or revoked already. */
async function goneOrUnknown(storage: Storage, id: string): Promise<ApiKeyRecord> {
  const existing = await storage.getKey(id);
  if (existing?.revoked_at != null) {
    throw new GatewayError('not_found', `key "${id}" was revoked at ${new Date(existing.revoked_at).toISOString()}`);
  }
  return notFound(id);
}

/** What a key has spent in its current budget period (from the request log), and when the period resets. */
async function budgetStatus(storage: Storage, id: string, budget: Budget): Promise<Record<string, unknown>> {
  const now = Date.now();
  const { start, end } = budgetPeriod(budget.period, now);
  const spent = await storage.spendOf([id], start, now);
  return {
    spent_usd: Math.round(spent * 1e6) / 1e6,
    period_start: new Date(start).toISOString(),
    resets_at: Number.isFinite(end) ? new Date(end).toISOString() : null,
  };
}
