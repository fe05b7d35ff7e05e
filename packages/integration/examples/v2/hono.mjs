// Run your SDK v2 MCP server on many pods, with Hono (web-standard Request/Response).
//   PORT=3000 REDIS_URL=redis://127.0.0.1:6379 node hono.mjs

import { serve } from '@hono/node-server';
import { createGracefulShutdown } from '@mcp-session-store/core/v2';
import { createMcpHonoApp } from '@modelcontextprotocol/hono';
import { createHandler } from './shared-backend.mjs';

const { handler, redis } = createHandler();
const app = createMcpHonoApp();
app.all('/mcp', (c) => handler.fetch(c.req.raw, { parsedBody: c.get('parsedBody') }));

const port = Number(process.env.PORT ?? 3000);
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`MCP endpoint: http://127.0.0.1:${info.port}/mcp`);
});
// /readyz, /healthz, and on SIGTERM: not ready, still serving for the grace period, then drained.
createGracefulShutdown({
  server,
  handler,
  graceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 5_000),
  onClosed: () => redis.quit(),
});
