import type { McpSessionContext } from '@mcp-session-store/core/v2';
import { inputRequired, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';

const NAME_SCHEMA = {
  type: 'object' as const,
  properties: { name: { type: 'string' as const } },
  required: ['name'],
};

/**
 * The SDK v2 twin of test-server.ts (same tools, same answers), so every router test runs on both
 * SDK majors. `ask-input` and `sample-input` are the v2 way of asking the client: an
 * `inputRequired(...)` handler, which the SDK's legacy shim turns into real server->client
 * requests on a 2025 session.
 */
export function createTestServerV2(pod: string, _ctx: McpSessionContext): McpServer {
  const server = new McpServer(
    { name: 'integration-test-server', version: '1.0.0' },
    { capabilities: { logging: {}, resources: { subscribe: true, listChanged: true } } },
  );
  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

  server.registerTool('whoami', { description: 'Which pod ran this call' }, async () => text(pod));

  server.registerTool('client-info', { description: 'What this pod knows about the client' }, async () => {
    const caps = server.server.getClientCapabilities();
    const info = server.server.getClientVersion();
    return text(JSON.stringify({ pod, caps, info }));
  });

  server.registerTool('ask', { description: 'Elicits a name from the user' }, async () => {
    const answer = await server.server.elicitInput({
      message: 'What is your name?',
      requestedSchema: NAME_SCHEMA,
    });
    return text(`${pod}:${answer.action}:${JSON.stringify(answer.content ?? {})}`);
  });

  server.registerTool('sample', { description: 'Asks the client LLM' }, async () => {
    const result = await server.server.createMessage({
      messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }],
      maxTokens: 10,
    });
    return text(`${pod}:${result.content.type === 'text' ? result.content.text : '?'}`);
  });

  // Written once for both protocol eras: on a 2025 session the SDK sends `elicitation/create`.
  server.registerTool('ask-input', { description: 'Elicits a name, the inputRequired way' }, async (ctx) => {
    const answer = ctx.mcpReq.inputResponses?.name as { action: string; content?: unknown } | undefined;
    if (!answer) {
      return inputRequired({
        inputRequests: {
          name: inputRequired.elicit({ message: 'What is your name?', requestedSchema: NAME_SCHEMA }),
        },
      });
    }
    return text(`${pod}:${answer.action}:${JSON.stringify(answer.content ?? {})}`);
  });

  server.registerTool(
    'sample-input',
    { description: 'Asks the client LLM, the inputRequired way' },
    async (ctx) => {
      const result = ctx.mcpReq.inputResponses?.llm as
        | { content?: { type: string; text?: string } }
        | undefined;
      if (!result) {
        return inputRequired({
          inputRequests: {
            llm: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }],
              maxTokens: 10,
            }),
          },
        });
      }
      return text(`${pod}:${result.content?.type === 'text' ? result.content.text : '?'}`);
    },
  );

  server.registerTool(
    'count',
    {
      description: 'Progress and log messages, then a result',
      inputSchema: z.object({ steps: z.number(), delayMs: z.number() }),
    },
    async ({ steps, delayMs }, ctx) => {
      for (let i = 1; i <= steps; i++) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        // A cancelled call stops (the SDK aborts this signal on notifications/cancelled).
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

  server.registerTool('debug-log', { description: 'Logs at debug level' }, async (ctx) => {
    await server.sendLoggingMessage({ level: 'debug', data: `debug from ${pod}` }, ctx.sessionId);
    return text(pod);
  });

  server.registerTool('announce', { description: 'Notifies the session, outside any request' }, async () => {
    // No relatedRequestId: this goes to the session's GET stream, wherever it is open.
    await server.server.sendResourceUpdated({ uri: `test://updated-by/${pod}` });
    return text(pod);
  });

  server.registerTool(
    'announce-numbered',
    {
      description: 'Like announce, numbered: the notification carries `seq`',
      inputSchema: z.object({ seq: z.number().int() }),
    },
    async ({ seq }) => {
      await server.server.sendResourceUpdated({ uri: `test://updated-by/${pod}?seq=${seq}` });
      return text(pod);
    },
  );

  server.registerTool(
    'close-stream',
    {
      description: 'Closes its own SSE stream mid-call (SEP-1699); the result comes after',
      inputSchema: z.object({}),
    },
    async (_args, ctx) => {
      ctx.http?.closeSSE?.();
      await new Promise((resolve) => setTimeout(resolve, 100));
      return text(`${pod}:after-close`);
    },
  );

  return server;
}
