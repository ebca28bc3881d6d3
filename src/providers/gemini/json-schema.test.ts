import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toGeminiParameters, toGeminiSchema } from './json-schema.js';
import { validateSchema } from '../../../test/fakes/gemini.js';

/** Converts, asserts the exact result, and checks the fake (which validates like Gemini) accepts it. */
function expectConverted(input: Record<string, unknown>, expected: Record<string, unknown>): void {
  const converted = toGeminiSchema(input);
  assert.deepEqual(converted, expected);
  assert.equal(validateSchema(converted, 'schema'), undefined, 'Gemini accepts the rewritten schema');
}

describe('real-world schemas', () => {
  test('zod-to-json-schema (draft-07): $schema, additionalProperties, nullable type list, format, default', () => {
    const input = {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        age: { type: 'integer', exclusiveMinimum: 0 },
        email: { type: 'string', format: 'email' },
        tags: { type: 'array', items: { type: 'string' }, default: [] },
        role: { type: 'string', enum: ['admin', 'user'] },
        nickname: { type: ['string', 'null'] },
      },
      required: ['name', 'age', 'role', 'nickname'],
      additionalProperties: false,
      $schema: 'http://json-schema.org/draft-07/schema#',
    };
    assert.match(validateSchema(input, 'schema') ?? '', /Unknown name "additionalProperties"/);
    expectConverted(input, {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        age: { type: 'integer' },
        email: { type: 'string', description: 'Format: email.' },
        tags: { type: 'array', items: { type: 'string' } },
        role: { type: 'string', enum: ['admin', 'user'] },
        nickname: { type: 'string', nullable: true },
      },
      required: ['name', 'age', 'role', 'nickname'],
    });
  });

  test('zod-to-json-schema reuse: $ref to another property path', () => {
    const address = { type: 'object', properties: { street: { type: 'string' } }, required: ['street'], additionalProperties: false };
    const input = {
      type: 'object',
      properties: { home: address, work: { $ref: '#/properties/home', description: 'Office' } },
      required: ['home'],
      $schema: 'http://json-schema.org/draft-07/schema#',
    };
    assert.match(validateSchema(input, 'schema') ?? '', /Unknown name/);
    const street = { type: 'object', properties: { street: { type: 'string' } }, required: ['street'] };
    expectConverted(input, {
      type: 'object',
      properties: { home: street, work: { type: 'object', description: 'Office', properties: { street: { type: 'string' } }, required: ['street'] } },
      required: ['home'],
    });
  });

  test('zod 4 toJSONSchema (2020-12): $defs, const literals, anyOf unions, null branches', () => {
    const input = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        kind: { type: 'string', const: 'search' },
        query: { $ref: '#/$defs/Query' },
        limit: { anyOf: [{ type: 'integer', minimum: 1, maximum: 50 }, { type: 'null' }] },
        target: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      },
      required: ['kind', 'query', 'limit', 'target'],
      additionalProperties: false,
      $defs: { Query: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false } },
    };
    expectConverted(input, {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['search'] },
        query: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
        limit: { type: 'integer', nullable: true, minimum: 1, maximum: 50 },
        target: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      },
      required: ['kind', 'query', 'limit', 'target'],
    });
  });

  test('pydantic v2: $defs refs with siblings, Optional as anyOf-null, dict as additionalProperties', () => {
    const input = {
      $defs: {
        Address: {
          properties: { street: { title: 'Street', type: 'string' }, zip: { anyOf: [{ type: 'string' }, { type: 'null' }], default: null, title: 'Zip' } },
          required: ['street'],
          title: 'Address',
          type: 'object',
        },
        Color: { enum: ['red', 'green'], title: 'Color', type: 'string' },
      },
      properties: {
        name: { title: 'Name', type: 'string' },
        address: { $ref: '#/$defs/Address' },
        color: { $ref: '#/$defs/Color', default: 'red' },
        tags: { items: { type: 'string' }, title: 'Tags', type: 'array' },
        scores: { additionalProperties: { type: 'number' }, title: 'Scores', type: 'object' },
      },
      required: ['name', 'address'],
      title: 'Person',
      type: 'object',
    };
    assert.match(validateSchema(input, 'schema') ?? '', /Unknown name "\$defs"/);
    expectConverted(input, {
      type: 'object',
      title: 'Person',
      properties: {
        name: { type: 'string', title: 'Name' },
        address: {
          type: 'object',
          title: 'Address',
          properties: { street: { type: 'string', title: 'Street' }, zip: { type: 'string', title: 'Zip', nullable: true } },
          required: ['street'],
        },
        color: { type: 'string', title: 'Color', enum: ['red', 'green'] },
        tags: { type: 'array', title: 'Tags', items: { type: 'string' } },
        // A dict has no Gemini form: any value, described.
        scores: { title: 'Scores' },
      },
      required: ['name', 'address'],
    });
  });

  test('pydantic v1: allOf wrapping a $ref to carry a description', () => {
    const input = {
      title: 'Order',
      type: 'object',
      properties: { status: { description: 'Current status', allOf: [{ $ref: '#/definitions/Status' }] } },
      definitions: { Status: { title: 'Status', description: 'An enumeration.', enum: ['open', 'closed'], type: 'string' } },
    };
    expectConverted(input, {
      type: 'object',
      title: 'Order',
      properties: { status: { type: 'string', title: 'Status', description: 'Current status', enum: ['open', 'closed'] } },
    });
  });

  test('recursive pydantic model: the self-reference becomes an unconstrained item', () => {
    const input = {
      $defs: {
        Node: {
          properties: { value: { type: 'integer' }, children: { items: { $ref: '#/$defs/Node' }, type: 'array' } },
          required: ['value'],
          type: 'object',
        },
      },
      $ref: '#/$defs/Node',
    };
    expectConverted(input, {
      type: 'object',
      properties: { value: { type: 'integer' }, children: { type: 'array', items: {} } },
      required: ['value'],
    });
  });

  test('pydantic Optional self-reference (linked list) becomes a nullable unconstrained field', () => {
    const input = {
      $defs: { Node: { type: 'object', properties: { value: { type: 'integer' }, next: { anyOf: [{ $ref: '#/$defs/Node' }, { type: 'null' }], default: null } }, required: ['value'] } },
      type: 'object',
      properties: { head: { $ref: '#/$defs/Node' } },
    };
    expectConverted(input, {
      type: 'object',
      properties: { head: { type: 'object', properties: { value: { type: 'integer' }, next: { nullable: true } }, required: ['value'] } },
    });
  });

  test('zod lazy recursion through "#" stops at the root', () => {
    const input = { type: 'object', properties: { name: { type: 'string' }, parent: { $ref: '#', description: 'Parent' } }, required: ['name'] };
    expectConverted(input, { type: 'object', properties: { name: { type: 'string' }, parent: { description: 'Parent' } }, required: ['name'] });
  });

  test('Claude Code TodoWrite tool', () => {
    const input = {
      type: 'object',
      properties: {
        todos: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              content: { type: 'string', minLength: 1 },
              status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] },
              activeForm: { type: 'string', minLength: 1 },
            },
            required: ['content', 'status', 'activeForm'],
            additionalProperties: false,
          },
          description: 'The updated todo list',
        },
      },
      required: ['todos'],
      additionalProperties: false,
      $schema: 'http://json-schema.org/draft-07/schema#',
    };
    expectConverted(input, {
      type: 'object',
      properties: {
        todos: {
          type: 'array',
          description: 'The updated todo list',
          items: {
            type: 'object',
            properties: {
              content: { type: 'string', minLength: 1 },
              status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] },
              activeForm: { type: 'string', minLength: 1 },
            },
            required: ['content', 'status', 'activeForm'],
          },
        },
      },
      required: ['todos'],
    });
  });

  test('Claude Code Bash, Edit and WebFetch tools: defaults dropped, uri format described', () => {
    const bash = {
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The command to execute' },
        timeout: { type: 'number', description: 'Optional timeout in milliseconds (max 600000)' },
        run_in_background: { type: 'boolean', description: 'Run in the background' },
      },
      required: ['command'],
      additionalProperties: false,
      $schema: 'http://json-schema.org/draft-07/schema#',
    };
    expectConverted(bash, {
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The command to execute' },
        timeout: { type: 'number', description: 'Optional timeout in milliseconds (max 600000)' },
        run_in_background: { type: 'boolean', description: 'Run in the background' },
      },
      required: ['command'],
    });
    const edit = {
      type: 'object',
      properties: { file_path: { type: 'string' }, replace_all: { type: 'boolean', default: false, description: 'Replace all' } },
      required: ['file_path'],
      additionalProperties: false,
    };
    expectConverted(edit, {
      type: 'object',
      properties: { file_path: { type: 'string' }, replace_all: { type: 'boolean', description: 'Replace all' } },
      required: ['file_path'],
    });
    const webFetch = { type: 'object', properties: { url: { type: 'string', format: 'uri', description: 'The URL' } }, required: ['url'] };
    expectConverted(webFetch, { type: 'object', properties: { url: { type: 'string', description: 'The URL Format: uri.' } }, required: ['url'] });
  });

  test('MCP-style schema: bare arrays, nested empty objects, required naming missing properties', () => {
    const input = {
      type: 'object',
      properties: { ids: { type: 'array' }, options: { type: 'object', description: 'Free-form options' }, rows: { type: 'array', items: { type: 'array' } } },
      required: ['ids', 'ghost'],
    };
    assert.match(validateSchema(input, 'schema') ?? '', /required\[ghost\]: property is not defined/);
    assert.match(validateSchema({ type: 'array' }, 'schema') ?? '', /items: missing field/);
    expectConverted(input, {
      type: 'object',
      properties: { ids: { type: 'array', items: {} }, options: { description: 'Free-form options' }, rows: { type: 'array', items: { type: 'array', items: {} } } },
      required: ['ids'],
    });
  });
});

describe('keyword rewrites', () => {
  test('oneOf becomes anyOf; a discriminated union keeps each branch', () => {
    expectConverted(
      {
        oneOf: [
          { type: 'object', properties: { kind: { const: 'circle' }, radius: { type: 'number' } }, required: ['kind', 'radius'] },
          { type: 'object', properties: { kind: { const: 'square' }, side: { type: 'number' } }, required: ['kind', 'side'] },
        ],
        description: 'A shape',
      },
      {
        description: 'A shape',
        anyOf: [
          { type: 'object', properties: { kind: { type: 'string', enum: ['circle'] }, radius: { type: 'number' } }, required: ['kind', 'radius'] },
          { type: 'object', properties: { kind: { type: 'string', enum: ['square'] }, side: { type: 'number' } }, required: ['kind', 'side'] },
        ],
      },
    );
  });

  test('type lists: several types become anyOf branches with their own keywords', () => {
    expectConverted(
      { type: ['string', 'integer', 'null'], description: 'An id', minLength: 2, minimum: 0 },
      { description: 'An id', anyOf: [{ type: 'string', minLength: 2 }, { type: 'integer', minimum: 0 }], nullable: true },
    );
    expectConverted(
      { type: ['object', 'null'], properties: { a: { type: 'string' } }, required: ['a'] },
      { type: 'object', nullable: true, properties: { a: { type: 'string' } }, required: ['a'] },
    );
  });

  test('non-string enums and consts are described, null members make it nullable', () => {
    expectConverted({ type: 'integer', enum: [1, 2, 3] }, { type: 'integer', description: 'Allowed values: 1, 2, 3.' });
    expectConverted({ const: true, description: 'Must be set.' }, { type: 'boolean', description: 'Must be set. Allowed values: true.' });
    expectConverted({ enum: ['a', 'b', null] }, { type: 'string', nullable: true, enum: ['a', 'b'] });
  });

  test('formats Gemini knows are kept, others described', () => {
    expectConverted({ type: 'string', format: 'date-time' }, { type: 'string', format: 'date-time' });
    expectConverted({ type: 'integer', format: 'int64' }, { type: 'integer', format: 'int64' });
    expectConverted({ type: 'number', format: 'double' }, { type: 'number', format: 'double' });
    expectConverted({ type: 'string', format: 'uuid' }, { type: 'string', description: 'Format: uuid.' });
  });

  test('allOf merges properties and required lists', () => {
    expectConverted(
      {
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'number' } }, required: ['b'] },
        ],
      },
      { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a', 'b'] },
    );
  });

  test('constraint-only anyOf branches are dropped, the base kept', () => {
    expectConverted(
      { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, anyOf: [{ required: ['a'] }, { required: ['b'] }] },
      { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } },
    );
  });

  test('a union with an unconstrained branch accepts anything', () => {
    expectConverted({ anyOf: [{ type: 'string' }, {}], description: 'Anything' }, { description: 'Anything' });
  });

  test('nested unions flatten and duplicates collapse', () => {
    expectConverted(
      { anyOf: [{ type: 'string' }, { anyOf: [{ type: 'number' }, { type: 'string' }] }] },
      { anyOf: [{ type: 'string' }, { type: 'number' }] },
    );
  });

  test('tuples become arrays of the union of their members', () => {
    expectConverted(
      { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], minItems: 2, maxItems: 2 },
      { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
    );
    expectConverted({ type: 'array', items: [{ type: 'string' }, { type: 'integer' }] }, { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } });
  });

  test('types are inferred from structure and upper-case types are normalised', () => {
    expectConverted({ properties: { a: { type: 'STRING' } } }, { type: 'object', properties: { a: { type: 'string' } } });
    expectConverted({ items: { type: 'string' } }, { type: 'array', items: { type: 'string' } });
  });

  test('unknown keywords of every kind are dropped', () => {
    expectConverted(
      {
        $id: 'x',
        $comment: 'c',
        type: 'string',
        examples: ['a'],
        default: 'a',
        readOnly: true,
        deprecated: true,
        contentEncoding: 'base64',
        not: { const: 'b' },
        if: {},
        then: {},
      },
      { type: 'string' },
    );
  });

  test('unresolvable and external references accept any value', () => {
    expectConverted(
      { type: 'object', properties: { a: { $ref: '#/$defs/Missing', description: 'gone' }, b: { $ref: 'https://example.com/s.json' } } },
      { type: 'object', properties: { a: { description: 'gone' }, b: {} } },
    );
  });

  test('JSON pointer escapes in $ref are decoded', () => {
    expectConverted(
      { $defs: { 'a/b': { type: 'string' }, 'c~d': { type: 'number' } }, type: 'object', properties: { x: { $ref: '#/$defs/a~1b' }, y: { $ref: '#/$defs/c~0d' } } },
      { type: 'object', properties: { x: { type: 'string' }, y: { type: 'number' } } },
    );
  });

  test('exponential reference fan-out is cut off instead of hanging', () => {
    const defs: Record<string, unknown> = { L0: { type: 'string' } };
    for (let level = 1; level <= 30; level++) {
      defs[`L${level}`] = { type: 'object', properties: { a: { $ref: `#/$defs/L${level - 1}` }, b: { $ref: `#/$defs/L${level - 1}` } } };
    }
    const started = performance.now();
    const converted = toGeminiSchema({ $defs: defs, $ref: '#/$defs/L30' });
    assert.ok(performance.now() - started < 2000, 'bounded work');
    assert.equal(converted.type, 'object');
    assert.equal(validateSchema(converted, 'schema'), undefined);
  });
});

describe('tool parameters', () => {
  test('no declared arguments → no parameters at all', () => {
    assert.equal(toGeminiParameters({ type: 'object', properties: {} }), undefined);
    assert.equal(toGeminiParameters({ type: 'object', additionalProperties: true }), undefined);
    assert.equal(toGeminiParameters({}), undefined);
  });

  test('an object with properties is passed on, never nullable at the top', () => {
    assert.deepEqual(toGeminiParameters({ type: ['object', 'null'], properties: { q: { type: 'string' } } }), {
      type: 'object',
      properties: { q: { type: 'string' } },
    });
  });

  test('the input schema is not modified', () => {
    const input = { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'string', default: 'x' } } };
    const copy = structuredClone(input);
    toGeminiParameters(input);
    assert.deepEqual(input, copy);
  });
});
