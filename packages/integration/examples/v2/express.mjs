// Run your SDK v2 MCP server on many pods, with Express: start as many copies as you like behind
// any load balancer (no sticky sessions), all pointing at the same Redis.
//   PORT=3000 REDIS_URL=redis://127.0.0.1:6379 node express.mjs
import { createGracefulShutdown, createMcpSessionHandler } from '@mcp-session-store/core/v2';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import { createMcpExpressApp } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { inputRequired, McpServer } from '@modelcontextprotocol/server';
import { Redis } from 'ioredis';
import * as z from 'zod/v4';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keyPrefix = process.env.KEY_PREFIX ?? 'mcp:session:';

// Called once per session on each pod that serves it: the same factory as for createMcpHandler.
const handler = createMcpSessionHandler(
  () => {
    const server = new McpServer({ name: 'my-server', version: '1.0.0' });
    server.registerTool(
      'add',
      { description: 'Adds two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) },
      async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
    );
    // Asks the user: a 2025 session client gets a real elicitation, answered through any pod.
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
  },
  {
    store: new RedisSessionStore({ redis, keyPrefix, ttlSeconds: 3600 }),
    eventStore: new RedisEventStore({ redis, keyPrefix, ttlMs: 3_600_000 }),
    bus: new RedisMessageBus({ redis, keyPrefix }),
  },
);

const app = createMcpExpressApp();
const node = toNodeHandler(handler);
app.all('/mcp', (req, res) => void node(req, res, req.body));

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`MCP endpoint: http://127.0.0.1:${server.address().port}/mcp`);
});
// Kubernetes-ready: GET /readyz (readiness) and /healthz (liveness). On SIGTERM /readyz answers 503
// while the pod keeps serving for the grace period, so the balancer takes it out; then open
// streams are told to reconnect elsewhere, in-flight calls finish, and the process exits.
createGracefulShutdown({
  server,
  handler,
  graceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 5_000), // > the time your balancer takes to notice
  onClosed: () => redis.quit(),
});
