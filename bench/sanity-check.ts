// One plain request of each kind before measuring, so a target that answers wrongly is visible
// up front instead of showing up only as a suspiciously fast row.
import { requestBody } from './scenarios.js';

interface Answer {
  status: number;
  type: string;
  text: string;
  /** `x-ratelimit-remaining-requests`, present when a request-rate limit applied. */
  remainingRequests: string | null;
}

async function post(port: number, stream: boolean, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: requestBody(stream),
  });
  const remainingRequests = response.headers.get('x-ratelimit-remaining-requests');
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text(), remainingRequests };
}

/**
 * Describes what the target answers to one non-streaming and one streaming request (with
 * `headers`); flags problems with "!". With `expectLimits` (the keys targets) it also checks that
 * the limits ran (an `x-ratelimit-remaining-requests` header) and that a request without the
 * headers is refused with 401.
 */
export async function sanityCheck(port: number, headers: Record<string, string> = {}, expectLimits = false): Promise<string> {
  try {
    const json = await post(port, false, headers);
    let content: unknown;
    try {
      content = (JSON.parse(json.text) as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content;
    } catch {
      content = undefined;
    }
    const stream = await post(port, true, headers);
    const events = stream.text.split('\n\n').filter((event) => event.startsWith('data:')).length;
    const jsonOk = json.status === 200 && typeof content === 'string';
    const streamOk = stream.status === 200 && stream.type.startsWith('text/event-stream') && stream.text.includes('data: [DONE]');
    let summary =
      `non-stream ${json.status} (${json.text.length} B)${jsonOk ? '' : ' !unexpected body'}, ` +
      `stream ${stream.status} (${events} events, ${stream.text.length} B)${streamOk ? '' : ' !unexpected stream'}`;
    let limitsOk = true;
    if (expectLimits) {
      const anonymous = await post(port, false, {});
      limitsOk = json.remainingRequests !== null && anonymous.status === 401;
      summary += `; remaining-requests ${json.remainingRequests ?? '!missing'}, without key ${anonymous.status}${anonymous.status === 401 ? '' : ' !expected 401'}`;
    }
    return jsonOk && streamOk && limitsOk ? `ok: ${summary}` : `! ${summary}: ${json.text.slice(0, 200)}`;
  } catch (error) {
    return `! request failed: ${(error as Error).message}`;
  }
}
