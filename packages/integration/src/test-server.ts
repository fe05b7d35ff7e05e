import type { SessionContext } from '@mcp-session-store/core/router';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/**
 * The server the integration tests run on every pod: each tool says which pod ran it, so tests can
 * prove a session really moved between processes.
 */
export function createTestServer(pod: string, _session: SessionContext): McpServer {
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
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
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

  server.registerTool(
    'count',
    {
      description: 'Progress and log messages, then a result',
      inputSchema: { steps: z.number(), delayMs: z.number() },
    },
    async ({ steps, delayMs }, extra) => {
      for (let i = 1; i <= steps; i++) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        // A cancelled call stops (the SDK aborts this signal on notifications/cancelled).
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

  server.registerTool('debug-log', { description: 'Logs at debug level' }, async (extra) => {
    await server.sendLoggingMessage({ level: 'debug', data: `debug from ${pod}` }, extra.sessionId);
    return text(pod);
  });

  server.registerTool('announce', { description: 'Notifies the session, outside any request' }, async () => {
    // No relatedRequestId: this goes to the session's GET stream, wherever it is open.
    await server.server.sendResourceUpdated({ uri: `test://updated-by/${pod}` });
    return text(pod);
  });

  // A separate tool, not an optional argument of `announce`: the oldest supported SDK (1.30)
  // refuses a call without arguments to a tool that declares an input schema.
  server.registerTool(
    'announce-numbered',
    {
      description: 'Like announce, numbered: the notification carries `seq`',
      inputSchema: { seq: z.number().int() },
    },
    async ({ seq }) => {
      await server.server.sendResourceUpdated({ uri: `test://updated-by/${pod}?seq=${seq}` });
      return text(pod);
    },
  );

  server.registerTool(
    'close-stream',
    { description: 'Closes its own SSE stream mid-call (SEP-1699); the result comes after', inputSchema: {} },
    async (_args, extra) => {
      extra.closeSSEStream?.();
      await new Promise((resolve) => setTimeout(resolve, 100));
      return text(`${pod}:after-close`);
    },
  );

  return server;
}
