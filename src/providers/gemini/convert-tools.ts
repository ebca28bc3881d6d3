import type { ToolChoice, ToolDefinition } from '../../ir/chat.js';
import type { GeminiFunctionDeclaration, GeminiToolConfig } from './api-types.js';
import { toGeminiParameters } from './json-schema.js';

/**
 * IR tools as one Gemini tool holding every function declaration, parameters rewritten into
 * the schema subset Gemini accepts (omitted for a tool without declared arguments).
 */
export function toGeminiTools(tools: readonly ToolDefinition[]): Array<{ functionDeclarations: GeminiFunctionDeclaration[] }> {
  const functionDeclarations = tools.map((tool) => {
    const declaration: GeminiFunctionDeclaration = { name: tool.name };
    if (tool.description) declaration.description = tool.description;
    const parameters = toGeminiParameters(tool.parameters);
    if (parameters) declaration.parameters = parameters;
    return declaration;
  });
  return [{ functionDeclarations }];
}

/**
 * tool_choice as functionCallingConfig: auto → AUTO, none → NONE, required → ANY, and one named
 * tool → ANY restricted to it with allowedFunctionNames.
 */
export function toGeminiToolConfig(choice: ToolChoice): GeminiToolConfig {
  switch (choice.type) {
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'tool':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  }
}
