import { toGatewayError, GatewayError } from '../../errors/gateway-error.js';
import { openaiChatDialect } from '../../dialects/openai-chat/index.js';
import { presentLogRecord, type LogQuery } from '../../storage/records.js';
import type { Storage } from '../../storage/store.js';
import { intParam, queryOf, stringParam, timeParam } from '../query.js';
import { sendError, sendJson } from '../respond.js';
import type { Handler, HandlerInput } from '../types.js';

/**
 * GET /admin/logs?limit=&cursor=&model=&key=&provider=&status=&tag=&from=&to= : the request log,
 * newest first, paged by an opaque cursor (`next_cursor`, null on the last page).
 * `status` is a code (`429`) or `error` (>= 400) / `success`.
 */
export const adminLogsHandler: Handler = async (input) => {
  await adminRead(input, async (storage) => {
    const query = queryOf(input.request);
    const logQuery: LogQuery = { limit: intParam(query, 'limit', 50, 1, 1000) };
    const set = <K extends keyof LogQuery>(key: K, value: LogQuery[K] | undefined): void => {
      if (value !== undefined) logQuery[key] = value;
    };
    set('cursor', stringParam(query, 'cursor'));
    set('model', stringParam(query, 'model'));
    const key = stringParam(query, 'key');
    // An id or a name; a name no key has matches nothing (not an error: the key may be gone).
    if (key !== undefined) set('keyId', input.runtime.keys.resolveId(key) ?? key);
    set('provider', stringParam(query, 'provider'));
    set('tag', stringParam(query, 'tag'));
    set('from', timeParam(query, 'from'));
    set('to', timeParam(query, 'to'));
    set('status', statusParam(stringParam(query, 'status')));
    const page = await storage.listRequests(logQuery);
    const keyName = (id: string) => input.runtime.keys.nameOf(id);
    return { data: page.rows.map((row) => presentLogRecord(row, keyName)), next_cursor: page.nextCursor };
  });
};

/** GET /admin/logs/{id}: one request with its attempts (and bodies when they were logged). */
export const adminLogHandler: Handler = async (input) => {
  await adminRead(input, async (storage) => {
    const id = decodeId(pathOf(input).slice('/admin/logs/'.length));
    const row = await storage.getRequest(id);
    if (!row) throw new GatewayError('not_found', `no logged request with id "${id}" (rows are written within a second of the request ending)`);
    return presentLogRecord(row, (keyId) => input.runtime.keys.nameOf(keyId));
  });
};

function pathOf(input: HandlerInput): string {
  const url = input.request.url ?? '/';
  const mark = url.indexOf('?');
  return mark === -1 ? url : url.slice(0, mark);
}

/** The id from the path; a malformed escape (`%zz`) is a 400, not a thrown URIError. */
function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new GatewayError('invalid_request', `id: not a valid URL path segment: "${raw.slice(0, 40)}"`, { param: 'id' });
  }
}

function statusParam(value: string | undefined): LogQuery['status'] | undefined {
  if (value === undefined) return undefined;
  if (value === 'error' || value === 'success') return value;
  const code = Number(value);
  if (!Number.isInteger(code) || code < 100 || code > 599) {
    throw new GatewayError('invalid_request', `status: an HTTP status code, "error" or "success", got "${value}"`, { param: 'status' });
  }
  return code;
}

/** The open storage, or a 503 while there is none (not configured, not open yet, down). */
export function openStorage(input: HandlerInput): Storage {
  const handle = input.runtime.storage;
  if (!handle) throw new GatewayError('service_unavailable', 'no storage is configured');
  try {
    return handle.get();
  } catch (error) {
    throw new GatewayError('service_unavailable', (error as Error).message);
  }
}

/** An open storage (503 while it is not), then the answer as JSON (dispatch has checked the master key). */
export async function adminRead(input: HandlerInput, read: (storage: Storage) => Promise<unknown>): Promise<void> {
  const headers = { 'x-request-id': input.requestId };
  try {
    sendJson(input.response, 200, headers, JSON.stringify(await read(openStorage(input))));
  } catch (error) {
    sendError(input.response, toGatewayError(error), (e) => openaiChatDialect.encodeError(e), headers);
  }
}
