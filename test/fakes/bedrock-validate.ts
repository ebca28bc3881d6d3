/**
 * The checks Bedrock's Converse API makes on a request body that translator bugs would trip,
 * answered with Bedrock's own ValidationException wording. Returns the message, or undefined.
 */

const TOP_LEVEL = new Set([
  'messages', 'system', 'inferenceConfig', 'toolConfig', 'guardrailConfig', 'additionalModelRequestFields',
  'additionalModelResponseFieldPaths', 'promptVariables', 'requestMetadata', 'performanceConfig', 'serviceTier',
]);
const BLOCK_KINDS = new Set([
  'text', 'image', 'document', 'video', 'audio', 'toolUse', 'toolResult', 'guardContent', 'cachePoint',
  'reasoningContent', 'citationsContent', 'searchResult',
]);
const IMAGE_FORMATS = ['gif', 'jpeg', 'png', 'webp'];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const constraint = (value: unknown, path: string, rule: string) =>
  `1 validation error detected: Value '${typeof value === 'string' ? value : JSON.stringify(value)}' at '${path}' failed to satisfy constraint: ${rule}`;

/** Validates a Converse / ConverseStream body. */
export function validateConverseBody(body: any): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'Malformed input request, please reformat your input and try again.';
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) return `Malformed input request: extraneous key [${key}] is not permitted, please reformat your input and try again.`;
  if (!Array.isArray(body.messages)) return "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null";
  return validateSystem(body.system) ?? validateInference(body.inferenceConfig) ?? validateTools(body) ?? validateMessages(body.messages, body.toolConfig !== undefined);
}

function validateSystem(system: unknown): string | undefined {
  if (system === undefined) return undefined;
  if (!Array.isArray(system)) return 'Malformed input request: system must be an array.';
  for (const [index, block] of system.entries()) {
    if (block?.cachePoint !== undefined) continue;
    if (typeof block?.text !== 'string') return `Malformed input request: system.${index} must have a text or cachePoint member.`;
    if (block.text.trim() === '') return `The text field in the SystemContentBlock object at system.${index} is blank. Add text to the text field, and try again.`;
  }
  return undefined;
}

function validateInference(config: any): string | undefined {
  if (config === undefined) return undefined;
  const allowed = new Set(['maxTokens', 'temperature', 'topP', 'stopSequences']);
  for (const key of Object.keys(config)) if (!allowed.has(key)) return `Malformed input request: extraneous key [${key}] in inferenceConfig is not permitted.`;
  if (config.maxTokens !== undefined && !(Number.isInteger(config.maxTokens) && config.maxTokens >= 1)) {
    return constraint(config.maxTokens, 'inferenceConfig.maxTokens', 'Member must have value greater than or equal to 1');
  }
  if (config.temperature !== undefined && !(config.temperature >= 0 && config.temperature <= 1)) {
    return constraint(config.temperature, 'inferenceConfig.temperature', 'Member must have value less than or equal to 1');
  }
  if (config.topP !== undefined && !(config.topP >= 0 && config.topP <= 1)) {
    return constraint(config.topP, 'inferenceConfig.topP', 'Member must have value less than or equal to 1');
  }
  if (config.stopSequences !== undefined && !(Array.isArray(config.stopSequences) && config.stopSequences.every((s: unknown) => typeof s === 'string' && s !== ''))) {
    return constraint(config.stopSequences, 'inferenceConfig.stopSequences', 'Member must satisfy constraint: [Member must have length greater than or equal to 1]');
  }
  return undefined;
}

function validateTools(body: any): string | undefined {
  const config = body.toolConfig;
  if (config === undefined) return undefined;
  if (!Array.isArray(config.tools) || config.tools.length === 0) {
    return constraint(config.tools ?? null, 'toolConfig.tools', 'Member must have length greater than or equal to 1');
  }
  const names: string[] = [];
  for (const [index, tool] of config.tools.entries()) {
    if (tool?.cachePoint !== undefined) continue;
    const spec = tool?.toolSpec;
    if (!spec || typeof spec.name !== 'string' || !TOOL_NAME.test(spec.name)) {
      return constraint(spec?.name ?? null, `toolConfig.tools.${index + 1}.member.toolSpec.name`, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+');
    }
    if (!spec.inputSchema || typeof spec.inputSchema.json !== 'object' || spec.inputSchema.json === null) {
      return `The value at toolConfig.tools.${index}.toolSpec.inputSchema.json is invalid. Provide a JSON object for the input schema.`;
    }
    names.push(spec.name);
  }
  const choice = config.toolChoice;
  if (choice !== undefined) {
    const kinds = Object.keys(choice ?? {});
    if (kinds.length !== 1 || !['auto', 'any', 'tool'].includes(kinds[0]!)) return 'Malformed input request: toolChoice must set exactly one of auto, any, tool.';
    if (choice.tool && !names.includes(choice.tool.name)) return `The tool ${String(choice.tool.name)} in toolChoice was not found in toolConfig.tools.`;
  }
  return undefined;
}

function validateMessages(messages: any[], hasToolConfig: boolean): string | undefined {
  if (messages.length === 0) return constraint([], 'messages', 'Member must have length greater than or equal to 1');
  if (messages[0]?.role !== 'user') return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
  let pendingToolUses: string[] = [];
  for (const [i, message] of messages.entries()) {
    if (message?.role !== 'user' && message?.role !== 'assistant') {
      return constraint(message?.role ?? null, `messages.${i + 1}.member.role`, 'Member must satisfy enum value set: [user, assistant]');
    }
    if (i > 0 && messages[i - 1].role === message.role) {
      return 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';
    }
    if (!Array.isArray(message.content) || message.content.length === 0) {
      return constraint(message.content ?? null, `messages.${i + 1}.member.content`, 'Member must have length greater than or equal to 1');
    }
    const toolUses: string[] = [];
    const toolResults: string[] = [];
    for (const [j, block] of message.content.entries()) {
      const problem = validateBlock(block, `messages.${i}.content.${j}`, message.role);
      if (problem) return problem;
      if (block.toolUse || block.toolResult) {
        if (!hasToolConfig) return 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
      }
      if (block.toolUse) toolUses.push(block.toolUse.toolUseId);
      if (block.toolResult) toolResults.push(block.toolResult.toolUseId);
    }
    if (message.role === 'user') {
      const unknown = toolResults.filter((id) => !pendingToolUses.includes(id));
      if (unknown.length > 0) {
        return `The number of toolResult blocks at messages.${i}.content exceeds the number of toolUse blocks of previous turn.`;
      }
      const unanswered = pendingToolUses.filter((id) => !toolResults.includes(id));
      if (unanswered.length > 0) return `Expected toolResult blocks at messages.${i}.content for the following Ids: ${unanswered.join(', ')}`;
      pendingToolUses = [];
    } else {
      pendingToolUses = toolUses;
    }
  }
  return undefined;
}

function validateBlock(block: any, path: string, role: string): string | undefined {
  const kinds = Object.keys(block ?? {}).filter((key) => BLOCK_KINDS.has(key));
  if (kinds.length !== 1 || Object.keys(block).length !== 1) {
    return `Malformed input request: ContentBlock at ${path} must set exactly one member, please reformat your input and try again.`;
  }
  if (block.text !== undefined) {
    if (typeof block.text !== 'string' || block.text.trim() === '') return `The text field in the ContentBlock object at ${path} is blank. Add text to the text field, and try again.`;
  }
  if (block.image) return validateImage(block.image, path);
  if (block.toolUse) {
    const { toolUseId, name, input } = block.toolUse;
    if (role !== 'assistant') return `The content field in the Message object at ${path} contains a toolUse block, which is only allowed in assistant messages.`;
    if (typeof toolUseId !== 'string' || typeof name !== 'string' || input === undefined) return `Malformed input request: toolUse at ${path} needs toolUseId, name and input.`;
  }
  if (block.toolResult) {
    const { toolUseId, content, status } = block.toolResult;
    if (role !== 'user') return `The content field in the Message object at ${path} contains a toolResult block, which is only allowed in user messages.`;
    if (typeof toolUseId !== 'string' || !Array.isArray(content)) return `Malformed input request: toolResult at ${path} needs toolUseId and content.`;
    if (status !== undefined && status !== 'success' && status !== 'error') return constraint(status, `${path}.toolResult.status`, 'Member must satisfy enum value set: [success, error]');
    for (const [k, item] of content.entries()) {
      if (item.image) {
        const problem = validateImage(item.image, `${path}.toolResult.content.${k}`);
        if (problem) return problem;
      } else if (typeof item.text !== 'string' && item.json === undefined) {
        return `Malformed input request: toolResult content at ${path}.toolResult.content.${k} must set text, json or image.`;
      }
    }
  }
  if (block.cachePoint && block.cachePoint.type !== 'default') return constraint(block.cachePoint.type, `${path}.cachePoint.type`, 'Member must satisfy enum value set: [default]');
  if (block.reasoningContent) {
    const reasoning = block.reasoningContent;
    if (role !== 'assistant') return `Malformed input request: reasoningContent at ${path} is only allowed in assistant messages.`;
    if (!reasoning.reasoningText && typeof reasoning.redactedContent !== 'string') return `Malformed input request: reasoningContent at ${path} must set reasoningText or redactedContent.`;
    if (reasoning.reasoningText && typeof reasoning.reasoningText.text !== 'string') return `Malformed input request: reasoningText at ${path} needs text.`;
  }
  return undefined;
}

function validateImage(image: any, path: string): string | undefined {
  if (!IMAGE_FORMATS.includes(image?.format)) return constraint(image?.format ?? null, `${path}.image.format`, `Member must satisfy enum value set: [${IMAGE_FORMATS.join(', ')}]`);
  const bytes = image.source?.bytes;
  if (typeof bytes !== 'string' || bytes === '' || bytes.length % 4 !== 0 || !BASE64.test(bytes)) {
    return `Malformed input request: the image bytes at ${path}.image.source.bytes are not valid base64, please reformat your input and try again.`;
  }
  return undefined;
}
