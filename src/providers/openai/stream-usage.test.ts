import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withIncludeUsage } from './stream-usage.js';
import { createOpenAIStreamObserver } from './stream-observer.js';

test('include_usage is spliced in without re-serialising, or merged into existing stream_options', () => {
  const raw = Buffer.from(' {"model":"m","stream":true,"messages":[]}');
  const spliced = withIncludeUsage(raw, JSON.parse(raw.toString()));
  assert.deepEqual(JSON.parse(spliced.toString()), { stream_options: { include_usage: true }, model: 'm', stream: true, messages: [] });
  const withOptions = { model: 'm', stream: true, stream_options: { include_usage: false, extra: 1 } };
  assert.deepEqual(JSON.parse(withIncludeUsage(JSON.stringify(withOptions), withOptions).toString()).stream_options, { include_usage: true, extra: 1 });
});

const wire =
  'data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}\n\n' +
  'data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}\n\n' +
  'data: {"id":"c","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}\n\n' +
  'data: [DONE]\n\n';

test('the observer reads usage; with hideUsage it drops only the usage event, at any chunking', () => {
  const bytes = Buffer.from(wire);
  const withoutUsage = wire.replace(/data: \{"id":"c","choices":\[\],"usage":\{[^\n]*\n\n/, '');
  for (let cut = 0; cut <= bytes.length; cut++) {
    for (const hideUsage of [false, true]) {
      const observer = createOpenAIStreamObserver('p', { hideUsage });
      const out = [observer.push(bytes.subarray(0, cut)), observer.push(bytes.subarray(cut))];
      const seen = observer.end();
      if (seen.tail) out.push(seen.tail);
      assert.equal(Buffer.concat(out).toString(), hideUsage ? withoutUsage : wire, `cut ${cut} hide ${hideUsage}`);
      assert.deepEqual(seen.usage, { inputTokens: 5, outputTokens: 2 });
    }
  }
});

test('with hideUsage, pieces of every size forward exactly the stream minus the usage event', () => {
  const bytes = Buffer.from(wire);
  const withoutUsage = wire.replace(/data: \{"id":"c","choices":\[\],"usage":\{[^\n]*\n\n/, '');
  for (let size = 1; size <= bytes.length; size++) {
    const observer = createOpenAIStreamObserver('p', { hideUsage: true });
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) out.push(observer.push(bytes.subarray(i, i + size)));
    const seen = observer.end();
    if (seen.tail) out.push(seen.tail);
    assert.equal(Buffer.concat(out).toString(), withoutUsage, `pieces of ${size}`);
  }
});

test('with hideUsage, a chunk that completes a held-back event and holds back another is not mistaken for the chunk itself', () => {
  const event = 'data: {"id":"c","choices":[{"index":0,"delta":{"content":"ab"}}],"usage":null}\n\n';
  const usage = 'data: {"id":"c","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}\n\n';
  const stream = Buffer.from(event.repeat(6) + usage + 'data: [DONE]\n\n');
  const observer = createOpenAIStreamObserver('p', { hideUsage: true });
  // 5 bytes first, then pieces of two events' length: every piece ends an event, completes the
  // next, and holds back 5 bytes again, so the held-back length before and after is the same.
  const out: Uint8Array[] = [observer.push(stream.subarray(0, 5))];
  for (let i = 5; i < stream.length; i += 2 * event.length) out.push(observer.push(stream.subarray(i, i + 2 * event.length)));
  const seen = observer.end();
  if (seen.tail) out.push(seen.tail);
  assert.equal(Buffer.concat(out).toString(), event.repeat(6) + 'data: [DONE]\n\n');
  const whole = Buffer.from(event + event);
  assert.equal(createOpenAIStreamObserver('p', { hideUsage: true }).push(whole), whole, 'a chunk of whole kept events is forwarded uncopied');
});

test('an in-stream error is reported', () => {
  const observer = createOpenAIStreamObserver('p', { hideUsage: false });
  observer.push(Buffer.from('data: {"error":{"message":"boom","type":"server_error"}}\n\n'));
  assert.match(observer.end().error!.message, /boom/);
});
