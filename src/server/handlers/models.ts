import type { Plan } from '../../config/plan.js';
import { sendJson } from '../respond.js';
import type { Handler } from '../types.js';
import { mayUseModel } from '../auth.js';

/**
 * GET /v1/models: the configured model names plus the models providers declare they serve, in
 * OpenAI's list shape, or Anthropic's when the client sends `anthropic-version`.
 */
export const modelsHandler: Handler = async ({ request, response, plan, requestId, caller }) => {
  const names = modelNames(plan).filter((name) => mayUseModel(caller, name));
  const created = Math.floor(plan.loadedAt / 1000);
  const payload = request.headers['anthropic-version']
    ? {
        data: names.map((id) => ({ type: 'model', id, display_name: id, created_at: new Date(plan.loadedAt).toISOString() })),
        has_more: false,
        first_id: names[0] ?? null,
        last_id: names.at(-1) ?? null,
      }
    : { object: 'list', data: names.map((id) => ({ id, object: 'model', created, owned_by: 'switchyard' })) };
  sendJson(response, 200, { 'x-request-id': requestId }, JSON.stringify(payload));
};

/** Model names a client may send: configured models, then `provider/model` for models providers declare. */
function modelNames(plan: Plan): string[] {
  const names = [...plan.models.keys()];
  for (const [name, provider] of plan.providers) {
    for (const model of provider.knownModels ?? []) names.push(`${name}/${model}`);
  }
  return names;
}
