// What every example pod shares: a Redis for sessions, events and messages, and the MCP server it
// serves. A real deployment has the same three pieces.
import { createMcpSessionRouter } from '@mcp-session-store/core/router';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Redis } from 'ioredis';
import { z } from 'zod';

export function createRouter() {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keyPrefix = process.env.KEY_PREFIX ?? 'mcp:session:';
  const router = createMcpSessionRouter({
    store: new RedisSessionStore({ redis, keyPrefix, ttlSeconds: 3600 }),
    eventStore: new RedisEventStore({ redis, keyPrefix, ttlMs: 3_600_000 }),
    bus: new RedisMessageBus({ redis, keyPrefix }),
    createServer: () => {
      const server = new McpServer({ name: 'my-server', version: '1.0.0' });
      server.registerTool(
        'add',
        { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
        async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
      );
      return server;
    },
  });
  return { router, redis };
}
