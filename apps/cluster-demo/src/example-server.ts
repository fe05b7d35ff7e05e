// The server every pod of the demo runs: the tools, resources and prompts that the official MCP
// conformance runner (`@modelcontextprotocol/conformance server`) expects, plus the demo's own tools
// that say which pod ran them. Written with the SDK's public API only; nothing here knows it runs on
// several processes, which is the point: the router makes that invisible.
import type { SessionStore } from '@mcp-session-store/core';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { McpServer, ResourceTemplate, type ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  type CallToolResult,
  ListToolsRequestSchema,
  SubscribeRequestSchema,
  type Tool,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** The JSON Schema of each tool, as tools/list shows it: the same for every session, so computed once. */
const LISTED_SCHEMAS = new Map<string, Tool['inputSchema']>();

/** The resource clients subscribe to; `update_watched_resource` notifies them. */
const WATCHED_URI = 'test://watched-resource';

/** A 1x1 red PNG. */
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
/** A WAV header with two bytes of silence. */
const WAV_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

/** SEP-1613: a tool schema that must reach the client as written ($schema, $defs, additionalProperties). */
const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object' as const,
  $defs: {
    address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } },
  },
  properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
  additionalProperties: false,
};

/** What a pod tells the server about where it runs. */
export interface ExampleServerContext {
  /** The pod's name, returned by the demo tools so a client can see which process answered. */
  pod: string;
  /** The session this server instance serves (null for session-less requests). */
  sessionId: string | null;
  /**
   * The shared session store: resource subscriptions are kept in the session's metadata, so every
   * pod knows them (the SDK keeps no subscription state; it is the application's).
   */
  store?: SessionStore | undefined;
}

type Text = { content: Array<{ type: 'text'; text: string }> };
const text = (value: string): Text => ({ content: [{ type: 'text', text: value }] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Builds the example server for one session. */
export function createExampleServer({ pod, sessionId, store }: ExampleServerContext): McpServer {
  const server = new McpServer(
    { name: 'mcp-session-store-example-server', version: '1.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
      },
    },
  );
  // tools/list answers from this table: one tool's schema must be passed through verbatim, which the
  // SDK's zod conversion (draft-07) cannot do.
  const listed: Tool[] = [];
  const tool = <Shape extends z.ZodRawShape>(
    name: string,
    description: string,
    inputSchema: Shape,
    handler: ToolCallback<Shape>,
    listedSchema?: Tool['inputSchema'],
  ) => {
    server.registerTool(name, { description, inputSchema }, handler);
    let schema = LISTED_SCHEMAS.get(name);
    if (!schema) {
      schema =
        listedSchema ?? (z.toJSONSchema(z.object(inputSchema), { io: 'input' }) as Tool['inputSchema']);
      LISTED_SCHEMAS.set(name, schema);
    }
    listed.push({ name, description, inputSchema: schema });
  };

  // --- content types ------------------------------------------------------------------------------
  tool('test_simple_text', 'Returns simple text content', {}, async () =>
    text('This is a simple text response for testing.'),
  );
  tool('test_image_content', 'Returns image content', {}, async () => ({
    content: [{ type: 'image', data: PNG_BASE64, mimeType: 'image/png' }],
  }));
  tool('test_audio_content', 'Returns audio content', {}, async () => ({
    content: [{ type: 'audio', data: WAV_BASE64, mimeType: 'audio/wav' }],
  }));
  tool('test_embedded_resource', 'Returns an embedded resource', {}, async () => ({
    content: [
      {
        type: 'resource',
        resource: {
          uri: 'test://embedded-resource',
          mimeType: 'text/plain',
          text: 'This is an embedded resource content.',
        },
      },
    ],
  }));
  tool('test_multiple_content_types', 'Returns text, image and resource content', {}, async () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: PNG_BASE64, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: {
          uri: 'test://mixed-content-resource',
          mimeType: 'application/json',
          text: JSON.stringify({ test: 'data', value: 123 }),
        },
      },
    ],
  }));
  tool('test_error_handling', 'Always fails (the result has isError: true)', {}, async () => {
    throw new Error('This tool intentionally returns an error for testing');
  });

  // --- notifications during a call ------------------------------------------------------------------
  tool('test_tool_with_logging', 'Sends log messages while it runs', {}, async (_args, extra) => {
    for (const data of ['Tool execution started', 'Tool processing data', 'Tool execution completed']) {
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data } });
      await sleep(20);
    }
    return text('Tool with logging executed successfully');
  });
  tool('test_tool_with_progress', 'Reports progress while it runs', {}, async (_args, extra) => {
    const progressToken = extra._meta?.progressToken ?? 0;
    for (const progress of [0, 50, 100]) {
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress, total: 100, message: `Completed step ${progress} of 100` },
      });
      await sleep(20);
    }
    return text(String(progressToken));
  });
  tool(
    'test_reconnection',
    'Closes its SSE stream mid-call (SEP-1699); the result arrives when the client resumes',
    {},
    async (_args, extra) => {
      // Offered by the SDK when the client can resume (an event store and protocol >= 2025-11-25).
      extra.closeSSEStream?.();
      await sleep(100);
      return text('Reconnection test completed successfully.');
    },
  );

  // --- server -> client requests ------------------------------------------------------------------
  tool(
    'test_sampling',
    'Asks the client LLM to complete a prompt',
    { prompt: z.string().describe('The prompt to send to the LLM') },
    async ({ prompt }, extra) => {
      // Related to the call: the request travels on the call's own stream, which is open now. (The
      // GET stream may not be: a message for it sent before the client opens it is not delivered.)
      const result = await server.server.createMessage(
        { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 },
        { relatedRequestId: extra.requestId },
      );
      const content = Array.isArray(result.content) ? result.content[0] : result.content;
      return text(`LLM response: ${content?.type === 'text' ? content.text : '(non-text content)'}`);
    },
  );
  const elicit = async (
    extra: { requestId: string | number },
    message: string,
    properties: Record<string, unknown>,
    required: string[] = [],
  ) => {
    const result = await server.server.elicitInput(
      { mode: 'form', message, requestedSchema: { type: 'object', properties, required } as never },
      { relatedRequestId: extra.requestId },
    );
    return `action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  };
  tool(
    'test_elicitation',
    'Asks the user for input',
    { message: z.string().describe('The message to show the user') },
    async ({ message }, extra) =>
      text(
        `User response: ${await elicit(
          extra,
          message,
          { response: { type: 'string', description: "User's response" } },
          ['response'],
        )}`,
      ),
  );
  tool(
    'test_elicitation_sep1034_defaults',
    'Elicitation with defaults (SEP-1034)',
    {},
    async (_args, extra) =>
      text(
        `Elicitation completed: ${await elicit(
          extra,
          'Please review and update the form fields with defaults',
          {
            name: { type: 'string', description: 'User name', default: 'John Doe' },
            age: { type: 'integer', description: 'User age', default: 30 },
            score: { type: 'number', description: 'User score', default: 95.5 },
            status: {
              type: 'string',
              description: 'User status',
              enum: ['active', 'inactive', 'pending'],
              default: 'active',
            },
            verified: { type: 'boolean', description: 'Verification status', default: true },
          },
        )}`,
      ),
  );
  const titled = (prefix: string) =>
    ['First', 'Second', 'Third'].map((title, i) => ({ const: `value${i + 1}`, title: `${title} ${prefix}` }));
  tool(
    'test_elicitation_sep1330_enums',
    'Elicitation with every enum form (SEP-1330)',
    {},
    async (_args, extra) =>
      text(
        `Elicitation completed: ${await elicit(extra, 'Please select options from the enum fields', {
          untitledSingle: {
            type: 'string',
            description: 'Select one option',
            enum: ['option1', 'option2', 'option3'],
          },
          titledSingle: {
            type: 'string',
            description: 'Select one option with titles',
            oneOf: titled('Option'),
          },
          legacyEnum: {
            type: 'string',
            description: 'Select one option (legacy)',
            enum: ['opt1', 'opt2', 'opt3'],
            enumNames: ['Option One', 'Option Two', 'Option Three'],
          },
          untitledMulti: {
            type: 'array',
            description: 'Select multiple options',
            minItems: 1,
            maxItems: 3,
            items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
          },
          titledMulti: {
            type: 'array',
            description: 'Select multiple options with titles',
            minItems: 1,
            maxItems: 3,
            items: { anyOf: titled('Choice') },
          },
        })}`,
      ),
  );
  tool(
    'json_schema_2020_12_tool',
    'A tool whose input schema uses JSON Schema 2020-12 features (SEP-1613)',
    {
      name: z.string().optional(),
      address: z.object({ street: z.string().optional(), city: z.string().optional() }).optional(),
    },
    async (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
    JSON_SCHEMA_2020_12,
  );

  // --- the demo's own tools: each says which pod ran it -------------------------------------------
  tool('whoami', 'Which pod ran this call', {}, async () => text(pod));
  tool('ask', 'Elicits a name from the user', {}, async () => {
    const answer = await server.server.elicitInput({
      message: 'What is your name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    });
    return text(`${pod}:${answer.action}:${JSON.stringify(answer.content ?? {})}`);
  });
  tool('sample', 'Asks the client LLM to say hi', {}, async () => {
    const result = await server.server.createMessage({
      messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }],
      maxTokens: 10,
    });
    return text(`${pod}:${result.content.type === 'text' ? result.content.text : '?'}`);
  });
  tool(
    'count',
    'Progress and log messages, then a result',
    { steps: z.number().int().min(1).max(1_000), delayMs: z.number().int().min(0).max(10_000) },
    async ({ steps, delayMs }, extra): Promise<CallToolResult> => {
      for (let i = 1; i <= steps; i++) {
        await sleep(delayMs);
        if (extra.signal.aborted) throw new Error('cancelled');
        const token = extra._meta?.progressToken;
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: i, total: steps },
          });
        }
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level: 'info', data: `step ${i}` },
        });
      }
      return text(`${pod}:counted ${steps}`);
    },
  );
  tool('announce', 'Notifies the session outside any request (it reaches the GET stream)', {}, async () => {
    await server.server.sendResourceUpdated({ uri: `test://updated-by/${pod}` });
    return text(pod);
  });

  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));

  // --- resources ----------------------------------------------------------------------------------
  server.registerResource(
    'static-text',
    'test://static-text',
    { title: 'Static Text Resource', description: 'A static text resource', mimeType: 'text/plain' },
    async (uri) => ({
      contents: [
        { uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' },
      ],
    }),
  );
  server.registerResource(
    'static-binary',
    'test://static-binary',
    {
      title: 'Static Binary Resource',
      description: 'A static binary resource (image)',
      mimeType: 'image/png',
    },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG_BASE64 }] }),
  );
  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { title: 'Resource Template', description: 'Parameter substitution', mimeType: 'application/json' },
    async (uri, { id }) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
        },
      ],
    }),
  );
  server.registerResource(
    'watched-resource',
    WATCHED_URI,
    { title: 'Watched Resource', description: 'A resource clients can subscribe to', mimeType: 'text/plain' },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content' }],
    }),
  );
  // Subscriptions live in the session record, one metadata key per URI: any pod sees them, and
  // concurrent subscribes never overwrite each other (update merges by key).
  const subscriptionKey = (uri: string) => `subscription:${uri}`;
  tool(
    'update_watched_resource',
    'Changes test://watched-resource; the session is notified if it subscribed (on any pod)',
    {},
    async () => {
      if (!store || !sessionId) return text(`${pod}:no store`);
      // Read from the store, not from this pod: the subscribe may have landed on another one.
      const record = await store.get(sessionId);
      if (record?.metadata[subscriptionKey(WATCHED_URI)] !== true) return text(`${pod}:not subscribed`);
      await server.server.sendResourceUpdated({ uri: WATCHED_URI });
      return text(`${pod}:notified`);
    },
  );
  server.server.setRequestHandler(SubscribeRequestSchema, async ({ params }) => {
    if (store && sessionId)
      await store.update(sessionId, { metadata: { [subscriptionKey(params.uri)]: true } });
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async ({ params }) => {
    if (store && sessionId) await store.update(sessionId, { unsetMetadata: [subscriptionKey(params.uri)] });
    return {};
  });

  // --- prompts ------------------------------------------------------------------------------------
  server.registerPrompt(
    'test_simple_prompt',
    { title: 'Simple Test Prompt', description: 'A prompt without arguments' },
    () => ({
      messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
    }),
  );
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      title: 'Prompt With Arguments',
      description: 'A prompt with required arguments (arg1 completes)',
      argsSchema: {
        arg1: completable(z.string().describe('First test argument'), (value) =>
          ['test', 'testing', 'tested'].filter((v) => v.startsWith(value)),
        ),
        arg2: z.string().describe('Second test argument'),
      },
    },
    ({ arg1, arg2 }) => ({
      messages: [
        {
          role: 'user',
          content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
        },
      ],
    }),
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      title: 'Prompt With Embedded Resource',
      description: 'A prompt that embeds a resource',
      argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') },
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: {
              uri: resourceUri,
              mimeType: 'text/plain',
              text: 'Embedded resource content for testing.',
            },
          },
        },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );
  server.registerPrompt(
    'test_prompt_with_image',
    { title: 'Prompt With Image', description: 'A prompt with image content' },
    () => ({
      messages: [
        { role: 'user', content: { type: 'image', data: PNG_BASE64, mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
      ],
    }),
  );

  return server;
}
