import { z } from 'zod';

/** The PII entity names of the config (PRODUCT.md), plus `person_name` (with a name list). */
export const PII_ENTITY_NAMES = ['email', 'phone', 'credit_card', 'ssn', 'iban', 'ip_address', 'api_key', 'person_name'] as const;
export type PiiEntityName = (typeof PII_ENTITY_NAMES)[number];

/** What happens to a finding: replaced by `[EMAIL]`, by `<EMAIL_1>` (restored in the answer), the request refused, or only counted. */
export const GUARDRAIL_ACTIONS = ['redact', 'mask', 'block', 'log'] as const;
export type GuardrailAction = (typeof GUARDRAIL_ACTIONS)[number];

const modelList = z.array(z.string().min(1)).min(1);
const entity = z.enum(PII_ENTITY_NAMES);
const action = z.enum(GUARDRAIL_ACTIONS);

const piiSchema = z.strictObject({
  /** Every entity's action unless `actions` names another. */
  action: action.default('redact'),
  /** Absent: every entity but `person_name`, which needs `names`. */
  entities: z.array(entity).min(1).optional(),
  actions: z.partialRecord(entity, action).optional(),
  /** Person names to find (`person_name`). */
  names: z.array(z.string().min(1)).optional(),
  /** Scan requests (all roles, tool calls and results) and answers (streams included). */
  input: z.boolean().default(true),
  output: z.boolean().default(true),
  /** Only for these model names (as clients send them); absent: every model. */
  models: modelList.optional(),
});

const denyRuleSchema = z
  .strictObject({
    name: z.string().min(1),
    /** Whole words, case-insensitive. */
    words: z.array(z.string().min(1)).min(1).optional(),
    /** A JavaScript regular expression, case-insensitive. */
    pattern: z
      .string()
      .min(1)
      .optional()
      .refine((value) => value === undefined || validRegex(value), 'not a valid regular expression'),
    on: z.enum(['input', 'output', 'both']).default('input'),
    action: z.enum(['block', 'redact']).default('block'),
    models: modelList.optional(),
  })
  .refine((rule) => rule.words !== undefined || rule.pattern !== undefined, { message: 'needs `words` or `pattern`', path: ['words'] });

const webhookSchema = z.strictObject({
  url: z.string().refine((value) => URL.canParse(value) && /^https?:\/\//.test(value), 'must be an http(s) URL'),
  timeout_ms: z.number().int().positive().default(1000),
  /** When the webhook fails or times out: `allow` (fail open) or `block` (fail closed, the default). */
  on_error: z.enum(['allow', 'block']).default('block'),
  on: z.enum(['input', 'output', 'both']).default('input'),
  headers: z.record(z.string(), z.string()).default({}),
  models: modelList.optional(),
});

const maxInputTokensSchema = z.union([
  z.number().int().positive(),
  z.strictObject({ tokens: z.number().int().positive(), models: modelList.optional() }),
]);

/**
 * `guardrails:` (docs/GUARDRAILS.md), the same shape globally, per model (`models.X.guardrails`) and
 * per key (`keys[].guardrails`). A more specific layer replaces `pii`, `webhook` and
 * `max_input_tokens` (`false` turns one off) and adds its `deny` rules (a rule of the same name replaces).
 */
export const guardrailsSchema = z.strictObject({
  pii: z.union([piiSchema, z.literal(false)]).optional(),
  deny: z.array(denyRuleSchema).optional(),
  max_input_tokens: z.union([maxInputTokensSchema, z.literal(false)]).optional(),
  webhook: z.union([webhookSchema, z.literal(false)]).optional(),
});

export type GuardrailsConfig = z.infer<typeof guardrailsSchema>;
export type PiiConfig = z.infer<typeof piiSchema>;
export type DenyRuleConfig = z.infer<typeof denyRuleSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;

function validRegex(source: string): boolean {
  try {
    new RegExp(source, 'iu');
    return true;
  } catch {
    return false;
  }
}
