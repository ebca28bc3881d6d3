// Precomputed OpenAI Chat Completions answers for the bench upstream: built once at start-up so
// the mock spends its CPU on sockets, not on JSON.stringify.

const COMPLETION_ID = 'chatcmpl-BenchA1b2C3d4E5f6G7h8I9j0KlMnOp';
const FINGERPRINT = 'fp_b3f1157249';
const ANSWER_WORDS = [
  'Hello', '!', ' How', ' can', ' I', ' help', ' you', ' today', '?', ' I', "'m",
  ' happy', ' to', ' answer', ' questions', ',', ' write', ' code', ' or', ' chat', '.',
];
/** Content pieces streamed one per SSE event (20 of them). */
export const STREAM_CONTENT_PIECES: readonly string[] = ANSWER_WORDS.slice(0, 20);

const USAGE = {
  prompt_tokens: 9,
  completion_tokens: 21,
  total_tokens: 30,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

/** A realistic non-streaming `chat.completion` body (~700 bytes) for `model`. */
export function completionBody(model: string, created: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: COMPLETION_ID,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: ANSWER_WORDS.join(''), refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: USAGE,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
    }),
  );
}

/**
 * The SSE events of one streamed answer, each a complete `data: ...\n\n` frame: a role chunk, 20
 * content chunks, a finish chunk, a usage chunk (choices: []) and `data: [DONE]`.
 */
export function streamFrames(model: string, created: number): Buffer[] {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      id: COMPLETION_ID,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      choices,
      ...extra,
    });
  const choice = (delta: Record<string, unknown>, finishReason: string | null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  });
  const events = [
    chunk([choice({ role: 'assistant', content: '', refusal: null }, null)]),
    ...STREAM_CONTENT_PIECES.map((piece) => chunk([choice({ content: piece }, null)])),
    chunk([choice({}, 'stop')]),
    chunk([], { usage: USAGE }),
    '[DONE]',
  ];
  return events.map((event) => Buffer.from(`data: ${event}\n\n`));
}
