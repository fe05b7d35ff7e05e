// Run your MCP server on many pods, with Hono (web-standard Request/Response).
//   PORT=3000 REDIS_URL=redis://127.0.0.1:6379 node hono.mjs
import { serve } from '@hono/node-server';
import { createGracefulShutdown, createMcpSessionRouter } from '@mcp-session-store/core/router';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { z } from 'zod';

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

const app = new Hono();
app.all('/mcp', (c) => router.fetch(c.req.raw));

const port = Number(process.env.PORT ?? 3000);
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`MCP endpoint: http://127.0.0.1:${info.port}/mcp`);
});
// /readyz, /healthz, and on SIGTERM: not ready, still serving for the grace period, then drained.
createGracefulShutdown({
  server,
  handler: router,
  graceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 5_000),
  onClosed: () => redis.quit(),
});
