// Run your server on many pods, with plain node:http.
// Run: PORT=3000 REDIS_URL=redis://127.0.0.1:6379 node examples/node-http.mjs
import { createServer } from 'node:http';
import { createGracefulShutdown } from '@mcp-session-store/core/router';
import { createRouter } from './shared-backend.mjs';

const { router, redis } = createRouter();
const server = createServer((req, res) => {
  if (req.url?.startsWith('/mcp')) router.handle(req, res);
  else res.writeHead(404).end();
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`MCP endpoint: http://127.0.0.1:${server.address().port}/mcp`);
});
// /readyz, /healthz, and on SIGTERM: not ready, still serving for the grace period, then drained.
createGracefulShutdown({
  server,
  handler: router,
  graceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 5_000),
  onClosed: () => redis.quit(),
});
