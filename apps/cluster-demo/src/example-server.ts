// The server every pod of the demo runs on SDK 1.x (`--sdk 1`, the default): the tools, resources and
// prompts that the official MCP conformance runner (`@modelcontextprotocol/conformance server`)
// expects, plus the demo's own tools that say which pod ran them. Written with the SDK's public API
// only; nothing here knows it runs on several processes, which is the point: the router makes that
// invisible. What it answers is shared with the SDK v2 twin (example-server-v2.ts) in
// example-content.ts.
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
import {
  ARG1_VALUES,
  audioContent,
  describeElicitation,
  embeddedResourceContent,
  type FormSchema,
  imageContent,
  JSON_SCHEMA_2020_12,
  LOG_LINES,
  multipleContent,
  NAME_QUESTION,
  PROGRESS_STEPS,
  PROMPTS,
  podElicitation,
  RESPONSE_SCHEMA,
  SAMPLING_PROMPT,
  SEP1034_DEFAULTS,
  SEP1330_ENUMS,
  SERVER_CAPABILITIES,
  SERVER_INFO,
  STATIC_RESOURCES,
  sampledText,
  sleep,
  subscriptionKey,
  TEMPLATE_RESOURCE,
  TOOL_TEXT,
  text,
  WATCHED_URI,
} from './example-content.js';

/** The JSON Schema of each tool, as tools/list shows it: the same for every session, so computed once. */
const LISTED_SCHEMAS = new Map<string, Tool['inputSchema']>();

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

/** Builds the example server for one session. */
export function createExampleServer({ pod, sessionId, store }: ExampleServerContext): McpServer {
  const server = new McpServer(SERVER_INFO, { capabilities: SERVER_CAPABILITIES });
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
  tool('test_simple_text', 'Returns simple text content', {}, async () => text(TOOL_TEXT.simple));
  tool('test_image_content', 'Returns image content', {}, async () => imageContent());
  tool('test_audio_content', 'Returns audio content', {}, async () => audioContent());
  tool('test_embedded_resource', 'Returns an embedded resource', {}, async () => embeddedResourceContent());
  tool('test_multiple_content_types', 'Returns text, image and resource content', {}, async () =>
    multipleContent(),
  );
  tool('test_error_handling', 'Always fails (the result has isError: true)', {}, async () => {
    throw new Error(TOOL_TEXT.error);
  });

  // --- notifications during a call ------------------------------------------------------------------
  tool('test_tool_with_logging', 'Sends log messages while it runs', {}, async (_args, extra) => {
    for (const data of LOG_LINES) {
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data } });
      await sleep(20);
    }
    return text(TOOL_TEXT.logging);
  });
  tool('test_tool_with_progress', 'Reports progress while it runs', {}, async (_args, extra) => {
    const progressToken = extra._meta?.progressToken ?? 0;
    for (const progress of PROGRESS_STEPS) {
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
      return text(TOOL_TEXT.reconnection);
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
      return text(`LLM response: ${sampledText(result.content) ?? '(non-text content)'}`);
    },
  );
  const elicit = async (
    extra: { requestId: string | number },
    message: string,
    requestedSchema: FormSchema,
  ) =>
    describeElicitation(
      await server.server.elicitInput(
        { mode: 'form', message, requestedSchema: requestedSchema as never },
        { relatedRequestId: extra.requestId },
      ),
    );
  tool(
    'test_elicitation',
    'Asks the user for input',
    { message: z.string().describe('The message to show the user') },
    async ({ message }, extra) => text(`User response: ${await elicit(extra, message, RESPONSE_SCHEMA)}`),
  );
  tool(
    'test_elicitation_sep1034_defaults',
    'Elicitation with defaults (SEP-1034)',
    {},
    async (_args, extra) =>
      text(
        `Elicitation completed: ${await elicit(extra, SEP1034_DEFAULTS.message, SEP1034_DEFAULTS.requestedSchema)}`,
      ),
  );
  tool(
    'test_elicitation_sep1330_enums',
    'Elicitation with every enum form (SEP-1330)',
    {},
    async (_args, extra) =>
      text(
        `Elicitation completed: ${await elicit(extra, SEP1330_ENUMS.message, SEP1330_ENUMS.requestedSchema)}`,
      ),
  );
  tool(
    'json_schema_2020_12_tool',
    'A tool whose input schema uses JSON Schema 2020-12 features (SEP-1613, SEP-2106)',
    // What the SDK validates calls with; tools/list shows JSON_SCHEMA_2020_12 as written.
    {
      name: z.string().optional(),
      address: z.object({ street: z.string().optional(), city: z.string().optional() }).optional(),
      contactMethod: z.enum(['phone', 'email']).optional(),
      phone: z.string().optional(),
      email: z.string().optional(),
    },
    async (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
    JSON_SCHEMA_2020_12,
  );

  // --- the demo's own tools: each says which pod ran it -------------------------------------------
  tool('whoami', 'Which pod ran this call', {}, async () => text(pod));
  tool('ask', 'Elicits a name from the user', {}, async () =>
    text(
      podElicitation(
        pod,
        await server.server.elicitInput({
          message: NAME_QUESTION.message,
          requestedSchema: NAME_QUESTION.requestedSchema as never,
        }),
      ),
    ),
  );
  tool('sample', 'Asks the client LLM to say hi', {}, async () => {
    const result = await server.server.createMessage({
      messages: [{ role: 'user', content: { type: 'text', text: SAMPLING_PROMPT } }],
      maxTokens: 10,
    });
    return text(`${pod}:${sampledText(result.content) ?? '?'}`);
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
  for (const { name, uri, metadata, read } of STATIC_RESOURCES) {
    server.registerResource(name, uri, metadata, async (href) => read(href));
  }
  server.registerResource(
    TEMPLATE_RESOURCE.name,
    new ResourceTemplate(TEMPLATE_RESOURCE.uriTemplate, { list: undefined }),
    TEMPLATE_RESOURCE.metadata,
    async (uri, { id }) => TEMPLATE_RESOURCE.read(uri, id),
  );
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
  server.registerPrompt(PROMPTS.simple.name, PROMPTS.simple.metadata, () => PROMPTS.simple.render());
  server.registerPrompt(
    PROMPTS.withArguments.name,
    {
      ...PROMPTS.withArguments.metadata,
      argsSchema: {
        arg1: completable(z.string().describe(PROMPTS.withArguments.arg1), (value) =>
          ARG1_VALUES.filter((v) => v.startsWith(value)),
        ),
        arg2: z.string().describe(PROMPTS.withArguments.arg2),
      },
    },
    ({ arg1, arg2 }) => PROMPTS.withArguments.render(arg1, arg2),
  );
  server.registerPrompt(
    PROMPTS.embeddedResource.name,
    {
      ...PROMPTS.embeddedResource.metadata,
      argsSchema: { resourceUri: z.string().describe(PROMPTS.embeddedResource.resourceUri) },
    },
    ({ resourceUri }) => PROMPTS.embeddedResource.render(resourceUri),
  );
  server.registerPrompt(PROMPTS.image.name, PROMPTS.image.metadata, () => PROMPTS.image.render());

  return server;
}
