import type http from 'node:http';
import type { FakeScript, FakeUpstream, RecordedRequest } from './types.js';
import { fakeEmbedding, pieces, sleep, startFakeServer } from './server.js';

/**
 * A fake Gemini API (generativelanguage v1beta) speaking the real wire format at the API root:
 * POST /v1beta/models/{model}:generateContent, :streamGenerateContent (`?alt=sse` → `data: …\r\n\r\n`
 * events, otherwise one streamed JSON array) and :batchEmbedContents. Auth is `x-goog-api-key` or
 * `?key=`. Bodies are validated as Google's proto parser does (unknown fields such as `$ref`,
 * `additionalProperties` or `$schema` in a schema are 400 INVALID_ARGUMENT), errors use Google's
 * `{"error":{"code","message","status"}}` envelope. The key `invalid` is refused as a bad key.
 */
export async function startFakeGemini(script: FakeScript = {}): Promise<FakeUpstream> {
  let responses = 0;
  const fake = await startFakeServer(async (request, response, current, state) => {
    const url = new URL(request.url, 'http://fake');
    const route = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(url.pathname);
    if (request.method !== 'POST' || !route) return sendError(response, 404, `Method not found: ${request.method} ${url.pathname}`);
    const key = request.headers['x-goog-api-key'] ?? url.searchParams.get('key');
    if (!key) {
      return sendError(response, 403, 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.');
    }
    if (key === 'invalid') {
      return sendError(response, 400, 'API key not valid. Please pass a valid API key.', {}, [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      ]);
    }
    if (typeof request.json !== 'object' || request.json === null) return sendError(response, 400, 'Invalid JSON payload received. Unexpected token.');
    const [, model = '', method] = route;
    const problem = method === 'batchEmbedContents' ? validateEmbeddings(request.json, model) : validateGenerate(request.json);
    if (problem) return sendError(response, 400, problem);
    if (current.hang) return;
    if (current.error) {
      // A script's `type` is used as the google.rpc status only when it is one (e.g. FAILED_PRECONDITION).
      const rpcStatus = current.error.type && /^[A-Z_]+$/.test(current.error.type) ? current.error.type : undefined;
      return sendError(response, current.error.status, current.error.message, current.error.headers, [], rpcStatus);
    }
    if (method === 'batchEmbedContents') return sendEmbeddings(response, request, current);
    const rendered = render(current, model, `fake-response-${++responses}`);
    if (method === 'generateContent') return sendJson(response, 200, rendered.whole);
    return streamChunks(response, rendered.chunks, current, state, url.searchParams.get('alt') === 'sse');
  });
  fake.script = script;
  return fake;
}

const RPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED', 499: 'CANCELLED', 500: 'INTERNAL', 501: 'UNIMPLEMENTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};

function errorBody(status: number, message: string, details: unknown[] = [], rpcStatus?: string): unknown {
  const error: Record<string, unknown> = { code: status, message, status: rpcStatus ?? RPC_STATUS[status] ?? 'UNKNOWN' };
  if (details.length > 0) error.details = details;
  return { error };
}

function sendError(response: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}, details: unknown[] = [], rpcStatus?: string): void {
  sendJson(response, status, errorBody(status, message, details, rpcStatus), headers);
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  response.end(JSON.stringify(body));
}

// ---- validation, as the API's proto parser and request checks report it ----

const KNOWN: Record<string, Set<string>> = {
  request: new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'labels']),
  content: new Set(['role', 'parts']),
  part: new Set(['text', 'thought', 'thoughtSignature', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult', 'videoMetadata', 'partMetadata', 'mediaResolution']),
  tool: new Set(['functionDeclarations', 'googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext', 'fileSearch']),
  declaration: new Set(['name', 'description', 'parameters', 'parametersJsonSchema', 'response', 'responseJsonSchema', 'behavior']),
  generationConfig: new Set(['stopSequences', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'responseModalities', 'candidateCount', 'maxOutputTokens', 'temperature', 'topP', 'topK', 'seed', 'presencePenalty', 'frequencyPenalty', 'responseLogprobs', 'logprobs', 'enableEnhancedCivicAnswers', 'speechConfig', 'thinkingConfig', 'mediaResolution']),
  thinkingConfig: new Set(['includeThoughts', 'thinkingBudget', 'thinkingLevel']),
  schema: new Set(['type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering', 'default', 'items', 'minimum', 'maximum']),
};
const SCHEMA_TYPES = new Set(['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL']);
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

const camel = (key: string): string => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
const isObject = (value: unknown): value is Record<string, any> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The proto parser's complaint about the first field it does not know, if any. */
function unknownField(value: Record<string, unknown>, kind: string, path: string): string | undefined {
  const name = Object.keys(value).find((key) => !KNOWN[kind]!.has(camel(key)));
  return name === undefined ? undefined : `Invalid JSON payload received. Unknown name "${name}" at '${path}': Cannot find field.`;
}

function validateGenerate(body: Record<string, any>): string | undefined {
  const problem = unknownField(body, 'request', 'request') ?? validateContents(body.contents);
  if (problem) return problem;
  if (body.systemInstruction !== undefined) {
    const parts = body.systemInstruction?.parts;
    if (!Array.isArray(parts) || parts.some((part: any) => typeof part?.text !== 'string')) return '* GenerateContentRequest.system_instruction.parts: must be text parts\n';
  }
  const declared = new Set<string>();
  for (const [t, tool] of ((body.tools ?? []) as unknown[]).entries()) {
    if (!isObject(tool)) return `Invalid value at 'tools[${t}]'`;
    const toolProblem = unknownField(tool, 'tool', `tools[${t}]`);
    if (toolProblem) return toolProblem;
    for (const [d, declaration] of ((tool.functionDeclarations ?? []) as any[]).entries()) {
      const path = `tools[${t}].function_declarations[${d}]`;
      if (!isObject(declaration)) return `Invalid value at '${path}'`;
      const declarationProblem = unknownField(declaration, 'declaration', path);
      if (declarationProblem) return declarationProblem;
      if (typeof declaration.name !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$/.test(declaration.name)) {
        return `* GenerateContentRequest.${path}.name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 128.\n`;
      }
      declared.add(declaration.name);
      if (declaration.parameters !== undefined) {
        const schemaProblem = validateSchema(declaration.parameters, `${path}.parameters`);
        if (schemaProblem) return schemaProblem;
      }
    }
  }
  const calling = body.toolConfig?.functionCallingConfig;
  if (calling !== undefined) {
    if (!['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'].includes(calling.mode)) return `Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "${calling.mode}"`;
    for (const name of calling.allowedFunctionNames ?? []) {
      if (calling.mode !== 'ANY') return '* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: only allowed when mode is ANY.\n';
      if (!declared.has(name)) return `* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: function "${name}" is not declared.\n`;
    }
  }
  return validateGenerationConfig(body.generationConfig);
}

function validateContents(contents: unknown): string | undefined {
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified\n';
  for (const [c, content] of contents.entries()) {
    if (!isObject(content)) return `Invalid value at 'contents[${c}]'`;
    const problem = unknownField(content, 'content', `contents[${c}]`);
    if (problem) return problem;
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') return 'Please use a valid role: user, model.';
    if (!Array.isArray(content.parts) || content.parts.length === 0) return `* GenerateContentRequest.contents[${c}].parts: contents.parts must not be empty.\n`;
    for (const [p, part] of (content.parts as unknown[]).entries()) {
      const partProblem = validatePart(part, `contents[${c}].parts[${p}]`);
      if (partProblem) return partProblem;
    }
  }
  return undefined;
}

function validatePart(part: unknown, path: string): string | undefined {
  if (!isObject(part)) return `Invalid value at '${path}'`;
  const problem = unknownField(part, 'part', path);
  if (problem) return problem;
  const data = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'].filter((key) => part[key] !== undefined);
  if (data.length !== 1) return `* GenerateContentRequest.${path}.data: required oneof field 'data' must have one initialized field\n`;
  if (part.text === '') return 'Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again.';
  if (part.thoughtSignature !== undefined && (typeof part.thoughtSignature !== 'string' || !BASE64.test(part.thoughtSignature))) {
    return `Invalid value at '${path}.thought_signature' (TYPE_BYTES), Base64 decoding failed for "${String(part.thoughtSignature)}"`;
  }
  if (part.inlineData && (typeof part.inlineData.mimeType !== 'string' || typeof part.inlineData.data !== 'string' || !BASE64.test(part.inlineData.data))) {
    return `* GenerateContentRequest.${path}.inline_data: mime_type and base64 data are required\n`;
  }
  if (part.fileData && typeof part.fileData.fileUri !== 'string') return `* GenerateContentRequest.${path}.file_data.file_uri: File URI is required.\n`;
  if (part.functionCall && (typeof part.functionCall.name !== 'string' || !part.functionCall.name)) return `* GenerateContentRequest.${path}.function_call.name: Name cannot be empty.\n`;
  if (part.functionCall?.args !== undefined && !isObject(part.functionCall.args)) return `Invalid value at '${path}.function_call.args' (type.googleapis.com/google.protobuf.Struct)`;
  if (part.functionResponse) {
    if (typeof part.functionResponse.name !== 'string' || !part.functionResponse.name) return `* GenerateContentRequest.${path}.function_response.name: Name cannot be empty.\n`;
    if (!isObject(part.functionResponse.response)) return `Invalid value at '${path}.function_response.response' (type.googleapis.com/google.protobuf.Struct)`;
  }
  return undefined;
}

function validateGenerationConfig(config: unknown): string | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return "Invalid value at 'generation_config'";
  const problem = unknownField(config, 'generationConfig', 'generation_config');
  if (problem) return problem;
  if (config.thinkingConfig !== undefined) {
    const thinkingProblem = unknownField(config.thinkingConfig, 'thinkingConfig', 'generation_config.thinking_config');
    if (thinkingProblem) return thinkingProblem;
  }
  if (config.responseSchema !== undefined) {
    if (config.responseMimeType !== 'application/json' && config.responseMimeType !== 'text/x.enum') {
      return '* GenerateContentRequest.generation_config.response_mime_type: must be application/json or text/x.enum when response_schema is set.\n';
    }
    return validateSchema(config.responseSchema, 'generation_config.response_schema');
  }
  return undefined;
}

/** The 400 message Gemini gives for a Schema object it rejects, or undefined when it accepts it. */
export function validateSchema(schema: unknown, path: string): string | undefined {
  if (!isObject(schema)) return `Invalid value at '${path}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Schema)`;
  const problem = unknownField(schema, 'schema', path);
  if (problem) return problem;
  const type = typeof schema.type === 'string' ? schema.type.toUpperCase() : undefined;
  if (schema.type !== undefined && (type === undefined || !SCHEMA_TYPES.has(type))) {
    return `Invalid value at '${path}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ${JSON.stringify(schema.type)}`;
  }
  if (schema.enum !== undefined && (!Array.isArray(schema.enum) || schema.enum.some((value) => typeof value !== 'string'))) {
    return `Invalid value at '${path}.enum' (TYPE_STRING), ${JSON.stringify(schema.enum)}`;
  }
  if (type === 'STRING' && schema.format !== undefined && !['enum', 'date-time'].includes(schema.format)) {
    return `* GenerateContentRequest.${path}.format: only 'enum' and 'date-time' are supported for STRING type\n`;
  }
  if (schema.properties !== undefined && type !== 'OBJECT') return `* GenerateContentRequest.${path}.properties: only allowed for OBJECT type\n`;
  if (type === 'OBJECT' && (!isObject(schema.properties) || Object.keys(schema.properties).length === 0)) {
    return `* GenerateContentRequest.${path}.properties: should be non-empty for OBJECT type\n`;
  }
  for (const name of schema.required ?? []) {
    if (!isObject(schema.properties) || !(name in schema.properties)) return `* GenerateContentRequest.${path}.required[${name}]: property is not defined\n`;
  }
  if (type === 'ARRAY' && schema.items === undefined) return `* GenerateContentRequest.${path}.items: missing field.\n`;
  if (schema.items !== undefined && type !== 'ARRAY') return `* GenerateContentRequest.${path}.items: only allowed for ARRAY type\n`;
  const children: Array<[unknown, string]> = [
    ...Object.entries(isObject(schema.properties) ? schema.properties : {}).map(([name, child]): [unknown, string] => [child, `${path}.properties[${name}].value`]),
    ...(schema.items !== undefined ? [[schema.items, `${path}.items`] as [unknown, string]] : []),
    ...(Array.isArray(schema.anyOf) ? schema.anyOf.map((child, index): [unknown, string] => [child, `${path}.any_of[${index}]`]) : []),
  ];
  for (const [child, childPath] of children) {
    const childProblem = validateSchema(child, childPath);
    if (childProblem) return childProblem;
  }
  return undefined;
}

function validateEmbeddings(body: Record<string, any>, model: string): string | undefined {
  if (!Array.isArray(body.requests) || body.requests.length === 0) return '* BatchEmbedContentsRequest.requests: at least one request is required\n';
  for (const [index, item] of (body.requests as any[]).entries()) {
    if (item?.model !== `models/${model}`) {
      return `* BatchEmbedContentsRequest.requests[${index}].model: Model names should match the batch request model "models/${model}".\n`;
    }
    const parts = item?.content?.parts;
    if (!Array.isArray(parts) || parts.length === 0 || parts.some((part: any) => typeof part?.text !== 'string')) {
      return `* BatchEmbedContentsRequest.requests[${index}].content.parts: contents.parts must not be empty.\n`;
    }
    if (item.outputDimensionality !== undefined && !(Number.isInteger(item.outputDimensionality) && item.outputDimensionality > 0)) {
      return `* BatchEmbedContentsRequest.requests[${index}].output_dimensionality: must be a positive integer\n`;
    }
  }
  return undefined;
}

// ---- rendering a script ----

const FINISH: Record<string, string> = { stop: 'STOP', length: 'MAX_TOKENS', tool_calls: 'STOP', content_filter: 'SAFETY', error: 'OTHER' };

/** The script as Gemini parts, in stream order (thoughts, text, function calls). */
function renderParts(script: FakeScript, size: number, stream: boolean): Array<Record<string, unknown>> {
  const split = (text: string): string[] => (stream ? pieces(text, size) : text ? [text] : []);
  const parts: Array<Record<string, unknown>> = [];
  for (const piece of split(script.reasoning ?? '')) parts.push({ text: piece, thought: true });
  for (const piece of split(script.text ?? (script.toolCalls ? '' : 'Hello from gemini'))) parts.push({ text: piece });
  script.toolCalls?.forEach((call, index) => {
    const part: Record<string, unknown> = { functionCall: { name: call.name, args: JSON.parse(call.arguments || '{}') } };
    // Thinking models sign the first call of a turn (Gemini 3); the signature is opaque base64.
    if (index === 0 && script.reasoning) part.thoughtSignature = Buffer.from(`fake-signature:${call.name}`).toString('base64');
    parts.push(part);
  });
  return parts;
}

function usageFor(script: FakeScript): Record<string, number> {
  const text = (script.text ?? '') + (script.reasoning ?? '');
  const usage = script.usage ?? { input: 10, output: Math.max(1, Math.ceil(text.length / 4)) };
  // Thoughts are counted apart from candidates; their sum is what the script calls output.
  const thoughts = script.reasoning ? Math.floor(usage.output / 2) : 0;
  const metadata: Record<string, number> = {
    promptTokenCount: usage.input,
    candidatesTokenCount: usage.output - thoughts,
    totalTokenCount: usage.input + usage.output,
  };
  if (usage.cached) metadata.cachedContentTokenCount = usage.cached;
  if (thoughts) metadata.thoughtsTokenCount = thoughts;
  return metadata;
}

function render(script: FakeScript, model: string, responseId: string): { whole: unknown; chunks: unknown[] } {
  const finishReason = FINISH[script.finishReason ?? (script.toolCalls ? 'tool_calls' : 'stop')];
  const usageMetadata = usageFor(script);
  const envelope = { modelVersion: model, responseId };
  const whole = {
    candidates: [{ content: { parts: renderParts(script, 0, false), role: 'model' }, finishReason, index: 0 }],
    usageMetadata,
    ...envelope,
  };
  const running = { promptTokenCount: usageMetadata.promptTokenCount!, totalTokenCount: usageMetadata.promptTokenCount! };
  const chunks: unknown[] = renderParts(script, script.chunkChars ?? 4, true).map((part) => ({
    candidates: [{ content: { parts: [part], role: 'model' }, index: 0 }],
    usageMetadata: running,
    ...envelope,
  }));
  chunks.push({ candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason, index: 0 }], usageMetadata, ...envelope });
  return { whole, chunks };
}

async function streamChunks(response: http.ServerResponse, chunks: unknown[], script: FakeScript, state: { closed: boolean }, sse: boolean): Promise<void> {
  response.writeHead(200, { 'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8' });
  const frame = (value: unknown, index: number): string => (sse ? `data: ${JSON.stringify(value)}\r\n\r\n` : `${index === 0 ? '[' : ',\r\n'}${JSON.stringify(value)}`);
  let written = 0;
  for (const chunk of chunks) {
    if (state.closed) return;
    if (script.failAfterChunks !== undefined && written >= script.failAfterChunks && written < chunks.length - 1) {
      if (script.failMode === 'disconnect') return void response.socket?.destroy();
      response.end(frame(errorBody(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'), written) + (sse ? '' : ']'));
      return;
    }
    if (script.chunkDelayMs && written > 0) await sleep(script.chunkDelayMs);
    // Wait until the piece is handed to the socket, so a later disconnect cuts after it, not before.
    await new Promise<void>((resolve) => response.write(frame(chunk, written), () => resolve()));
    written += 1;
  }
  response.end(sse ? '' : ']');
}

function sendEmbeddings(response: http.ServerResponse, request: RecordedRequest, script: FakeScript): void {
  const embeddings = (request.json.requests as any[]).map((item) => ({
    values: fakeEmbedding(item.content.parts.map((part: { text: string }) => part.text).join(''), item.outputDimensionality ?? script.embeddingDimensions ?? 8),
  }));
  sendJson(response, 200, { embeddings });
}
