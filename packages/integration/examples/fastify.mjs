// Run your server on many pods, with Fastify.
// Run: PORT=3000 REDIS_URL=redis://127.0.0.1:6379 node examples/fastify.mjs
import { createGracefulShutdown } from '@mcp-session-store/core/router';
import Fastify from 'fastify';
import { createRouter } from './shared-backend.mjs';

const { router, redis } = createRouter();
const app = Fastify();
app.all('/mcp', async (request, reply) => {
  reply.hijack(); // the router writes the (possibly streaming) answer itself
  await router.handle(request.raw, reply.raw, request.body);
});

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`MCP endpoint: ${address}/mcp`);
// /readyz, /healthz, and on SIGTERM: not ready, still serving for the grace period, then drained.
createGracefulShutdown({
  server: app.server,
  handler: router,
  graceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 5_000),
  onClosed: () => redis.quit(),
});
