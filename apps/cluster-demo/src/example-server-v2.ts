// The example server on SDK v2 (`@modelcontextprotocol/server` 2.x), what the pods serve with
// `--sdk 2`, for both protocol eras: the same tools, resources and prompts as example-server.ts (SDK
// 1.x), answering the same (example-content.ts), plus what the 2026-07-28 conformance scenarios
// expect: tools and a prompt written the v2 way, returning `inputRequired(...)` (on a 2025 session
// the SDK's legacy shim turns that result into real `elicitation/create`, `sampling/createMessage`
// and `roots/list` requests on the call's stream, then runs the handler again with the answers),
// multi-round state sealed with the `requestState` codec the process is given, listen triggers that
// announce changes through the `notify` the process is given, caching hints, and the diagnostic
// tools of the `server-stateless` and header-validation scenarios. Public API only: whatever spans
// processes (the answers' routing, the notifications, the codec's key) comes from what the process
// passes in.
import {
  type CallToolResult,
  completable,
  fromJsonSchema,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  McpServer,
  type McpServerOptions,
  ResourceTemplate,
  type ServerContext,
  type ServerNotifier,
} from '@modelcontextprotocol/server';
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
import { registerDiagnosticTools } from './example-diagnostics.js';
import { type ExampleRequestStateCodec, registerInputRequiredTools } from './example-input-required.js';
import type { ExampleServerContext } from './example-server.js';

export type { ExampleRequestState, ExampleRequestStateCodec } from './example-input-required.js';

/** What a process gives the v2 example server besides where it runs: the parts that span processes. */
export interface ExampleServerV2Context extends ExampleServerContext {
  /**
   * Announces list changes to every open 2026-07-28 `subscriptions/listen` stream (and, where the
   * serving entry does so, to 2025 GET streams): `createMcpHandler`'s `handler.notify` in one
   * process; on a cluster, a notifier every pod shares.
   */
  notify: ServerNotifier;
  /**
   * Seals and verifies the multi-round-trip `requestState` (its `verify` runs before the handler
   * sees a retried round). Every process of one server must hold the same keys.
   */
  requestState: ExampleRequestStateCodec;
}

/**
 * Caching hints for the 2026-07-28 cacheable results (SEP-2549; 2025 responses never carry them):
 * the lists and the server's description are the same for every client and change only with a
 * deployment, which the listen triggers announce; the watched resource changes at any time.
 */
const CACHE_HINTS: NonNullable<McpServerOptions['cacheHints']> = {
  'server/discover': { ttlMs: 60_000, cacheScope: 'public' },
  'tools/list': { ttlMs: 60_000, cacheScope: 'public' },
  'prompts/list': { ttlMs: 60_000, cacheScope: 'public' },
  'resources/list': { ttlMs: 60_000, cacheScope: 'public' },
  'resources/templates/list': { ttlMs: 60_000, cacheScope: 'public' },
  'resources/read': { ttlMs: 300_000, cacheScope: 'public' },
};

/** The watched resource may change at any moment: its reads are not to be cached. */
const UNCACHED = { ttlMs: 0, cacheScope: 'private' } as const;

type ToolResult = CallToolResult | InputRequiredResult;

/** Builds the v2 example server for one session (or one session-less 2026-07-28 request). */
export function createExampleServerV2({
  pod,
  sessionId,
  store,
  notify,
  requestState,
}: ExampleServerV2Context): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: SERVER_CAPABILITIES,
    cacheHints: CACHE_HINTS,
    // Runs before a retried round reaches its handler: a tampered or expired state is answered -32602.
    requestState: { verify: (state, ctx) => requestState.verify(state, ctx) },
  });
  const tool = <Shape extends z.ZodRawShape>(
    name: string,
    description: string,
    inputSchema: Shape,
    handler: (args: z.infer<z.ZodObject<Shape>>, ctx: ServerContext) => Promise<ToolResult>,
  ) => server.registerTool(name, { description, inputSchema: z.object(inputSchema) }, handler);

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
  tool('test_tool_with_logging', 'Sends log messages while it runs', {}, async (_args, ctx) => {
    for (const data of LOG_LINES) {
      await ctx.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data } });
      await sleep(20);
    }
    return text(TOOL_TEXT.logging);
  });
  tool('test_tool_with_progress', 'Reports progress while it runs', {}, async (_args, ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    // No token, no progress: the spec forbids progress notifications the client did not ask for.
    for (const progress of progressToken === undefined ? [] : PROGRESS_STEPS) {
      await ctx.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken, progress, total: 100, message: `Completed step ${progress} of 100` },
      });
      await sleep(20);
    }
    return text(String(progressToken ?? 'no-progress-token'));
  });
  tool(
    'test_reconnection',
    'Closes its SSE stream mid-call (SEP-1699); the result arrives when the client resumes',
    {},
    async (_args, ctx) => {
      // Offered by the SDK when the client can resume (an event store and protocol >= 2025-11-25).
      ctx.http?.closeSSE?.();
      await sleep(100);
      return text(TOOL_TEXT.reconnection);
    },
  );

  // --- server -> client requests, 2025 style: pushed on the call's own stream ----------------------
  // `ctx.mcpReq.elicitInput` and `requestSampling` do not tie the request to the call by themselves
  // (SDK 2.4.0 forwards no relatedRequestId): without `related`, it would go to the session's GET
  // stream, which the client may not have opened yet (a request sent before that is never delivered,
  // on one process as on several; the runner opens it while it calls the tool).
  const related = (ctx: ServerContext) => ({ relatedRequestId: ctx.mcpReq.id });
  tool(
    'test_sampling',
    'Asks the client LLM to complete a prompt',
    { prompt: z.string().describe('The prompt to send to the LLM') },
    async ({ prompt }, ctx) => {
      const result = await ctx.mcpReq.requestSampling(
        { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 },
        related(ctx),
      );
      return text(`LLM response: ${sampledText(result.content) ?? '(non-text content)'}`);
    },
  );
  const elicit = async (ctx: ServerContext, message: string, requestedSchema: FormSchema) =>
    describeElicitation(
      await ctx.mcpReq.elicitInput({ mode: 'form', message, requestedSchema } as never, related(ctx)),
    );
  tool(
    'test_elicitation',
    'Asks the user for input',
    { message: z.string().describe('The message to show the user') },
    async ({ message }, ctx) => text(`User response: ${await elicit(ctx, message, RESPONSE_SCHEMA)}`),
  );
  tool('test_elicitation_sep1034_defaults', 'Elicitation with defaults (SEP-1034)', {}, async (_args, ctx) =>
    text(
      `Elicitation completed: ${await elicit(ctx, SEP1034_DEFAULTS.message, SEP1034_DEFAULTS.requestedSchema)}`,
    ),
  );
  tool(
    'test_elicitation_sep1330_enums',
    'Elicitation with every enum form (SEP-1330)',
    {},
    async (_args, ctx) =>
      text(
        `Elicitation completed: ${await elicit(ctx, SEP1330_ENUMS.message, SEP1330_ENUMS.requestedSchema)}`,
      ),
  );
  // v2 passes a JSON Schema given through fromJsonSchema to tools/list verbatim.
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'A tool whose input schema uses JSON Schema 2020-12 features (SEP-1613, SEP-2106)',
      inputSchema: fromJsonSchema(JSON_SCHEMA_2020_12),
    },
    async (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  );

  // --- server -> client requests, v2 style: inputRequired(...), written once for both eras -------
  // (The names and answers of the 2026-07-28 runner's input-required scenarios.)
  registerInputRequiredTools(server, requestState);
  // --- the 2026-07-28 runner's diagnostics: listen triggers, stateless probes, header validation -
  registerDiagnosticTools(server, notify);

  // --- the demo's own tools: each says which pod ran it -------------------------------------------
  tool('whoami', 'Which pod ran this call', {}, async () => text(pod));
  tool('ask', 'Elicits a name from the user (pushed, 2025 style)', {}, async () =>
    text(podElicitation(pod, await server.server.elicitInput(NAME_QUESTION as never))),
  );
  tool('sample', 'Asks the client LLM to say hi (pushed, 2025 style)', {}, async () => {
    const result = await server.server.createMessage({
      messages: [{ role: 'user', content: { type: 'text', text: SAMPLING_PROMPT } }],
      maxTokens: 10,
    });
    return text(`${pod}:${sampledText(result.content) ?? '?'}`);
  });
  // The pod named in the result is the one that ran the handler's last round, which is the one that
  // asked: the shim keeps the call on the pod that received it while it waits for the answer.
  tool('ask_input', 'Elicits a name from the user with inputRequired', {}, async (_args, ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, 'name');
    if (answer.kind !== 'elicit') {
      return inputRequired({ inputRequests: { name: inputRequired.elicit(NAME_QUESTION as never) } });
    }
    return text(podElicitation(pod, answer));
  });
  tool('sample_input', 'Asks the client LLM to say hi with inputRequired', {}, async (_args, ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, 'llm');
    if (answer.kind !== 'sampling') {
      return inputRequired({
        inputRequests: {
          llm: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: SAMPLING_PROMPT } }],
            maxTokens: 10,
          }),
        },
      });
    }
    return text(`${pod}:${sampledText(answer.result.content) ?? '?'}`);
  });
  tool(
    'count',
    'Progress and log messages, then a result',
    { steps: z.number().int().min(1).max(1_000), delayMs: z.number().int().min(0).max(10_000) },
    async ({ steps, delayMs }, ctx) => {
      for (let i = 1; i <= steps; i++) {
        await sleep(delayMs);
        if (ctx.mcpReq.signal.aborted) throw new Error('cancelled');
        const token = ctx.mcpReq._meta?.progressToken;
        if (token !== undefined) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken: token, progress: i, total: steps },
          });
        }
        await ctx.mcpReq.notify({
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

  // --- resources ----------------------------------------------------------------------------------
  for (const { name, uri, metadata, read } of STATIC_RESOURCES) {
    const cacheHint = uri === WATCHED_URI ? { cacheHint: UNCACHED } : {};
    server.registerResource(name, uri, { ...metadata, ...cacheHint }, async (href) => read(href));
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
  server.server.setRequestHandler('resources/subscribe', async ({ params }) => {
    if (store && sessionId)
      await store.update(sessionId, { metadata: { [subscriptionKey(params.uri)]: true } });
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', async ({ params }) => {
    if (store && sessionId) await store.update(sessionId, { unsetMetadata: [subscriptionKey(params.uri)] });
    return {};
  });

  // --- prompts ------------------------------------------------------------------------------------
  server.registerPrompt(PROMPTS.simple.name, PROMPTS.simple.metadata, () => PROMPTS.simple.render());
  server.registerPrompt(
    PROMPTS.withArguments.name,
    {
      ...PROMPTS.withArguments.metadata,
      argsSchema: z.object({
        arg1: completable(z.string().describe(PROMPTS.withArguments.arg1), (value) =>
          ARG1_VALUES.filter((v) => v.startsWith(value)),
        ),
        arg2: z.string().describe(PROMPTS.withArguments.arg2),
      }),
    },
    ({ arg1, arg2 }) => PROMPTS.withArguments.render(arg1, arg2),
  );
  server.registerPrompt(
    PROMPTS.embeddedResource.name,
    {
      ...PROMPTS.embeddedResource.metadata,
      argsSchema: z.object({ resourceUri: z.string().describe(PROMPTS.embeddedResource.resourceUri) }),
    },
    ({ resourceUri }) => PROMPTS.embeddedResource.render(resourceUri),
  );
  server.registerPrompt(PROMPTS.image.name, PROMPTS.image.metadata, () => PROMPTS.image.render());

  return server;
}
