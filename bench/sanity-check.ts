// One plain request of each kind before measuring, so a target that answers wrongly is visible
// up front instead of showing up only as a suspiciously fast row.
import { requestBody } from './scenarios.js';

async function post(port: number, stream: boolean): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: requestBody(stream),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** Describes what the target answers to one non-streaming and one streaming request; flags problems with "!". */
export async function sanityCheck(port: number): Promise<string> {
  try {
    const json = await post(port, false);
    let content: unknown;
    try {
      content = (JSON.parse(json.text) as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content;
    } catch {
      content = undefined;
    }
    const stream = await post(port, true);
    const events = stream.text.split('\n\n').filter((event) => event.startsWith('data:')).length;
    const jsonOk = json.status === 200 && typeof content === 'string';
    const streamOk = stream.status === 200 && stream.type.startsWith('text/event-stream') && stream.text.includes('data: [DONE]');
    const summary =
      `non-stream ${json.status} (${json.text.length} B)${jsonOk ? '' : ' !unexpected body'}, ` +
      `stream ${stream.status} (${events} events, ${stream.text.length} B)${streamOk ? '' : ' !unexpected stream'}`;
    return jsonOk && streamOk ? `ok: ${summary}` : `! ${summary}: ${json.text.slice(0, 200)}`;
  } catch (error) {
    return `! request failed: ${(error as Error).message}`;
  }
}
