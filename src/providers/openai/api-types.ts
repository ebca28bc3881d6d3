/**
 * OpenAI Chat Completions wire shapes as providers send them. Everything is optional: the
 * family (OpenAI, Azure, vLLM, Ollama, DeepSeek, OpenRouter...) varies, and parsing is lenient.
 */

export interface OpenAIUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
  /** DeepSeek reports prompt-cache hits here instead. */
  prompt_cache_hit_tokens?: number | null;
}

export interface OpenAIToolCall {
  index?: number;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

export interface OpenAIMessage {
  role?: string;
  content?: string | Array<{ type?: string; text?: string }> | null;
  refusal?: string | null;
  /** DeepSeek, vLLM, Groq... */
  reasoning_content?: string | null;
  /** OpenRouter, Ollama */
  reasoning?: string | null;
  tool_calls?: OpenAIToolCall[] | null;
}

export interface OpenAIChoice {
  index?: number;
  message?: OpenAIMessage | null;
  delta?: OpenAIMessage | null;
  finish_reason?: string | null;
}

export interface OpenAIChatCompletion {
  id?: string;
  model?: string;
  created?: number;
  choices?: OpenAIChoice[] | null;
  usage?: OpenAIUsage | null;
  /** Some compatible servers answer 200 with an error body. */
  error?: unknown;
}

export interface OpenAIErrorBody {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  param?: unknown;
  /** Azure content-filter details. */
  innererror?: { code?: unknown } | null;
}
