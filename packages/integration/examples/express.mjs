// Run your MCP server on many pods, with Express: start as many copies as you like behind any
// load balancer (no sticky sessions), all pointing at the same Redis.
//   PORT=3000 REDIS_URL=redis://127.0.0.1:6379 node express.mjs
import { createGracefulShutdown, createMcpSessionRouter } from '@mcp-session-store/core/router';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import express from 'express';
import { Redis } from 'ioredis';
import { z } from 'zod';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keyPrefix = process.env.KEY_PREFIX ?? 'mcp:session:';

const router = createMcpSessionRouter({
  store: new RedisSessionStore({ redis, keyPrefix, ttlSeconds: 3600 }),
  eventStore: new RedisEventStore({ redis, keyPrefix, ttlMs: 3_600_000 }),
  bus: new RedisMessageBus({ redis, keyPrefix }),
  // Called once per session on each pod that serves it: build your server as usual.
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

const app = express();
app.use(express.json({ limit: '4mb' }));
app.all('/mcp', (req, res) => router.handle(req, res, req.body));

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`MCP endpoint: http://127.0.0.1:${server.address().port}/mcp`);
});
// Kubernetes-ready: GET /readyz (readiness) and /healthz (liveness). On SIGTERM /readyz answers 503
// while the pod keeps serving for the grace period, so the balancer takes it out; then open
// streams are told to reconnect elsewhere, in-flight calls finish, and the process exits.
createGracefulShutdown({
  server,
  handler: router,
  graceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 5_000), // > the time your balancer takes to notice
  onClosed: () => redis.quit(),
});
