// Run your SDK v2 MCP server on many pods, with plain node:http.
//   PORT=3000 REDIS_URL=redis://127.0.0.1:6379 node node-http.mjs
import { createServer } from 'node:http';
import { createGracefulShutdown } from '@mcp-session-store/core/v2';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createHandler } from './shared-backend.mjs';

const { handler, redis } = createHandler();
const node = toNodeHandler(handler);
const server = createServer((req, res) => {
  if (req.url?.startsWith('/mcp')) void node(req, res);
  else res.writeHead(404).end();
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`MCP endpoint: http://127.0.0.1:${server.address().port}/mcp`);
});
// /readyz, /healthz, and on SIGTERM: not ready, still serving for the grace period, then drained.
createGracefulShutdown({
  server,
  handler,
  graceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 5_000),
  onClosed: () => redis.quit(),
});
