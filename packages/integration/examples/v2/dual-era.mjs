// One endpoint for both protocol eras, on many pods: 2025 session clients and 2026-07-28 clients,
// any load balancer, no sticky sessions, all pods pointing at the same Redis and sharing one keyring.
//   PORT=3000 REDIS_URL=redis://127.0.0.1:6379 \
//   REQUEST_STATE_KEYRING='{"activeKeyId":"2026-12","keys":{"2026-12":"<openssl rand -base64 32>"}}' \
//   node dual-era.mjs
import {
  createGracefulShutdown,
  createMcpDualEraHandler,
  createRequestStateCodec,
} from '@mcp-session-store/core/v2';
import {
  RedisClaimStore,
  RedisEventStore,
  RedisMessageBus,
  RedisSessionStore,
} from '@mcp-session-store/redis';
import { createMcpExpressApp } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { inputRequired, McpServer } from '@modelcontextprotocol/server';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keyPrefix = process.env.KEY_PREFIX ?? 'mcp:session:';

// Multi-round state (2026-07-28 `requestState`): sealed with the keyring every pod shares (list the
// old key beside the new active one to rotate without breaking rounds in flight), and used at most
// once, on whichever pod the client's retry lands.
if (!process.env.REQUEST_STATE_KEYRING) {
  throw new Error(
    'REQUEST_STATE_KEYRING is not set: {"activeKeyId":"<id>","keys":{"<id>":"<base64 of 32 bytes>"}}',
  );
}
const requestState = createRequestStateCodec({
  keyring: JSON.parse(process.env.REQUEST_STATE_KEYRING),
  claims: new RedisClaimStore({ redis, keyPrefix }),
});

const handler = createMcpDualEraHandler(
  // Called per 2025 session on each pod that serves it, and per 2026-07-28 request.
  (ctx) => {
    const server = new McpServer(
      { name: 'my-server', version: '1.0.0' },
      { capabilities: { tools: { listChanged: true } }, requestState: { verify: requestState.verify } },
    );
    // Asks the user, then greets: a 2025 client gets a real elicitation (answered through any pod),
    // a 2026-07-28 client an input_required result whose retry may land on any pod.
    server.registerTool('greet', { description: 'Greets the user by name' }, async (toolCtx) => {
      const answer = toolCtx.mcpReq.inputResponses?.name;
      // A 2026-07-28 answer counts only with the state sealed when it was asked (the SDK verified
      // it, and the claim store let it through once, before this handler runs).
      const asked = ctx.era === 'legacy' || toolCtx.mcpReq.requestState() !== undefined;
      if (!answer || !asked) {
        return inputRequired({
          inputRequests: {
            name: inputRequired.elicit({
              message: 'What is your name?',
              requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
            }),
          },
          ...(ctx.era === 'modern' && {
            requestState: await requestState.mint({ asked: 'name' }, toolCtx),
          }),
        });
      }
      return { content: [{ type: 'text', text: `Hello, ${answer.content?.name ?? 'stranger'}!` }] };
    });
    // A change announced on this pod reaches every client of both eras, whichever pod holds its
    // stream (2026 listen streams, 2025 GET streams).
    server.registerTool('announce', { description: 'Announces a tool list change' }, async () => {
      handler.notify.toolsChanged();
      return { content: [{ type: 'text', text: 'announced' }] };
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
// Kubernetes-ready: GET /readyz and /healthz. On SIGTERM /readyz answers 503 while the pod keeps
// serving for the grace period; then 2025 GET streams end with a reconnect hint and 2026 listen
// streams with the spec's graceful result (both clients carry on with another pod), in-flight
// calls of both eras finish, and the process exits.
createGracefulShutdown({
  server,
  handler,
  graceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 5_000), // > the time your balancer takes to notice
  onClosed: () => redis.quit(),
});
