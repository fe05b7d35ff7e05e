// What every SDK v2 example pod shares: a Redis for sessions, events and messages, and the MCP
// server it serves (the same as express.mjs). A real deployment has the same three pieces.
import { createMcpSessionHandler } from '@mcp-session-store/core/v2';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import { inputRequired, McpServer } from '@modelcontextprotocol/server';
import { Redis } from 'ioredis';
import * as z from 'zod/v4';

export function buildServer() {
  const server = new McpServer({ name: 'my-server', version: '1.0.0' });
  server.registerTool(
    'add',
    { description: 'Adds two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  server.registerTool('greet', { description: 'Greets the user by name' }, async (ctx) => {
    const answer = ctx.mcpReq.inputResponses?.name;
    if (!answer) {
      return inputRequired({
        inputRequests: {
          name: inputRequired.elicit({
            message: 'What is your name?',
            requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
          }),
        },
      });
    }
    return { content: [{ type: 'text', text: `Hello, ${answer.content?.name ?? 'stranger'}!` }] };
  });
  return server;
}

export function createHandler() {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keyPrefix = process.env.KEY_PREFIX ?? 'mcp:session:';
  const handler = createMcpSessionHandler(buildServer, {
    store: new RedisSessionStore({ redis, keyPrefix, ttlSeconds: 3600 }),
    eventStore: new RedisEventStore({ redis, keyPrefix, ttlMs: 3_600_000 }),
    bus: new RedisMessageBus({ redis, keyPrefix }),
  });
  return { handler, redis };
}
