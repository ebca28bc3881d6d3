import type { AssistantPart, ChatChoice, ChatResponse, FinishReason, ReasoningPart, ToolCallPart, Usage } from '../ir/chat.js';
import type { StreamEvent } from '../ir/stream.js';

/**
 * The events a provider stream decoder would have produced for this complete answer, so a cached
 * answer streams through any dialect's encoder: start, each choice's parts then its finish, usage last.
 */
export function responseToEvents(response: ChatResponse): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'start', id: response.id, model: response.model }];
  for (const choice of response.choices) {
    const at = choice.index;
    let toolIndex = 0;
    for (const part of choice.content) {
      switch (part.type) {
        case 'text':
          events.push({ type: 'text', choice: at, text: part.text });
          break;
        case 'reasoning': {
          const event: StreamEvent = { type: 'reasoning', choice: at, text: part.text };
          if (part.signature !== undefined) event.signature = part.signature;
          if (part.redacted !== undefined) event.redacted = part.redacted;
          events.push(event);
          break;
        }
        case 'tool_call': {
          const index = toolIndex++;
          events.push({ type: 'tool_call_start', choice: at, index, id: part.id, name: part.name });
          events.push({ type: 'tool_call_delta', choice: at, index, arguments: part.arguments });
          break;
        }
      }
    }
    const finish: StreamEvent = { type: 'finish', choice: at, reason: choice.finishReason };
    if (choice.stopSequence !== undefined) finish.stopSequence = choice.stopSequence;
    events.push(finish);
  }
  // Decoders report usage after the finishes (OpenAI's usage chunk, Anthropic's message_delta).
  if (response.usage) events.push({ type: 'usage', usage: { ...response.usage } });
  return events;
}

/** One choice while its stream is read: parts in arrival order, tool calls also by their index. */
interface ChoiceDraft {
  content: AssistantPart[];
  toolCalls: Map<number, ToolCallPart>;
  finish?: { reason: FinishReason; stopSequence?: string };
}

/**
 * Gathers a stream's events into the complete answer, keeping only the answer itself (its text),
 * never the events. `result()` is undefined unless the stream was a complete, successful answer.
 */
export class ResponseAccumulator {
  #created: number | undefined;
  #started = false;
  #id = '';
  #model = '';
  #usage: Usage | undefined;
  readonly #choices = new Map<number, ChoiceDraft>();
  /** Set by an `error` event or by events no decoder produces for a whole answer; sticky. */
  #failed = false;

  /** Takes the next events of the stream, in order. */
  push(events: readonly StreamEvent[]): void {
    this.#created ??= Math.floor(Date.now() / 1000);
    for (const event of events) {
      if (this.#failed) return;
      this.#take(event);
    }
  }

  /**
   * The complete answer, or undefined when the stream must not be cached: it carried an `error`,
   * had no `start`, had no choice, skipped a choice index, left a choice unfinished, ended a choice
   * with reason `error` (malformed output, often transient), or broke the event order (a tool-call
   * delta before its start, a call started twice, content or a second finish after a choice's finish).
   */
  result(): ChatResponse | undefined {
    if (this.#failed || !this.#started || this.#choices.size === 0) return undefined;
    const choices: ChatChoice[] = [];
    // Choices are numbered from 0; a missing number is a choice whose events never came.
    for (let index = 0; index < this.#choices.size; index++) {
      const draft = this.#choices.get(index);
      if (!draft?.finish || draft.finish.reason === 'error') return undefined;
      const choice: ChatChoice = { index, content: draft.content.map((part) => ({ ...part })), finishReason: draft.finish.reason };
      if (draft.finish.stopSequence !== undefined) choice.stopSequence = draft.finish.stopSequence;
      choices.push(choice);
    }
    const response: ChatResponse = { id: this.#id, model: this.#model, created: this.#created ?? Math.floor(Date.now() / 1000), choices };
    if (this.#usage) response.usage = { ...this.#usage };
    return response;
  }

  #take(event: StreamEvent): void {
    switch (event.type) {
      case 'start':
        // Only the first start names the answer (the encoders also ignore later ones).
        if (this.#started) return;
        this.#started = true;
        this.#id = event.id ?? '';
        this.#model = event.model ?? '';
        return;
      case 'usage':
        this.#usage = event.usage;
        return;
      case 'error':
        return this.#fail();
    }
    const choice = this.#openChoice(event.choice);
    if (!choice) return this.#fail();
    switch (event.type) {
      case 'text': {
        if (event.text === '') return;
        const last = choice.content.at(-1);
        if (last?.type === 'text') last.text += event.text;
        else choice.content.push({ type: 'text', text: event.text });
        return;
      }
      case 'reasoning':
        return addReasoning(choice, event);
      case 'tool_call_start': {
        if (choice.toolCalls.has(event.index)) return this.#fail();
        const call: ToolCallPart = { type: 'tool_call', id: event.id, name: event.name, arguments: '' };
        choice.toolCalls.set(event.index, call);
        choice.content.push(call);
        return;
      }
      case 'tool_call_delta': {
        // Keyed by index, not by position: a late delta for an earlier call still lands on it.
        const call = choice.toolCalls.get(event.index);
        if (!call) return this.#fail();
        call.arguments += event.arguments;
        return;
      }
      case 'finish':
        choice.finish = event.stopSequence === undefined ? { reason: event.reason } : { reason: event.reason, stopSequence: event.stopSequence };
        return;
    }
  }

  /** The draft for a choice that is still open; undefined once it has finished. */
  #openChoice(index: number): ChoiceDraft | undefined {
    let draft = this.#choices.get(index);
    if (!draft) this.#choices.set(index, (draft = { content: [], toolCalls: new Map() }));
    return draft.finish ? undefined : draft;
  }

  /** The answer will never be stored: drop what was gathered so a failed stream holds no memory. */
  #fail(): void {
    this.#failed = true;
    this.#choices.clear();
    this.#usage = undefined;
  }
}

/**
 * Reasoning arrives as text deltas then, for signed reasoning, a signature that ends the part
 * (Anthropic's signature_delta, Bedrock's signature); a redacted block arrives whole in one event.
 */
function addReasoning(choice: ChoiceDraft, event: Extract<StreamEvent, { type: 'reasoning' }>): void {
  if (event.redacted !== undefined) {
    const part: ReasoningPart = { type: 'reasoning', text: event.text, redacted: event.redacted };
    if (event.signature !== undefined) part.signature = event.signature;
    choice.content.push(part);
    return;
  }
  if (event.text === '' && event.signature === undefined) return;
  const last = choice.content.at(-1);
  let part: ReasoningPart;
  if (last?.type === 'reasoning' && last.signature === undefined && last.redacted === undefined) {
    part = last;
    part.text += event.text;
  } else {
    part = { type: 'reasoning', text: event.text };
    choice.content.push(part);
  }
  if (event.signature !== undefined) part.signature = event.signature;
}
