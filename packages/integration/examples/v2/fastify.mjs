// Run your SDK v2 MCP server on many pods, with Fastify.
//   PORT=3000 REDIS_URL=redis://127.0.0.1:6379 node fastify.mjs
import { createGracefulShutdown } from '@mcp-session-store/core/v2';
import { createMcpFastifyApp } from '@modelcontextprotocol/fastify';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createHandler } from './shared-backend.mjs';

const { handler, redis } = createHandler();
const node = toNodeHandler(handler);
const app = createMcpFastifyApp();
app.all('/mcp', async (request, reply) => {
  reply.hijack(); // the handler writes the (possibly streaming) answer itself
  await node(request.raw, reply.raw, request.body);
});

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`MCP endpoint: ${address}/mcp`);
// /readyz, /healthz, and on SIGTERM: not ready, still serving for the grace period, then drained.
createGracefulShutdown({
  server: app.server,
  handler,
  graceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 5_000),
  onClosed: () => redis.quit(),
});
