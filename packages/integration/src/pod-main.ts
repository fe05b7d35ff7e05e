// One pod process for the multi-process tests (and a template for a real deployment): a router
// over Redis on PORT, serving the test server, with /healthz for the balancer.
import { createServer } from 'node:http';
import { createMcpSessionRouter } from '@mcp-session-store/core/router';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import { Redis } from 'ioredis';
import { createTestServer } from './test-server.js';

const pod = process.env.POD_NAME ?? 'pod';
const port = Number(process.env.PORT ?? 3000);
const keyPrefix = process.env.KEY_PREFIX ?? 'mcp:session:';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
redis.on('error', () => {}); // reconnects are ioredis's job; failures surface as 503s

const router = createMcpSessionRouter({
  store: new RedisSessionStore({ redis, keyPrefix, idleTtlMs: 10 * 60_000 }),
  eventStore: new RedisEventStore({ redis, keyPrefix, ttlMs: 10 * 60_000 }),
  bus: new RedisMessageBus({ redis, keyPrefix }),
  processId: pod,
  createServer: (session) => createTestServer(pod, session),
  principal: ({ request }) => request.headers.get('x-user'),
  hooks: { onError: (error, context) => console.error(`[${pod}] ${context.operation}:`, String(error)) },
});

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200).end('ok');
    return;
  }
  if (req.url?.startsWith('/mcp')) {
    void router.handle(req, res);
    return;
  }
  res.writeHead(404).end();
});

server.listen(port, process.env.HOST ?? '127.0.0.1', () => console.log(`${pod} listening on ${port}`));

const shutdown = async () => {
  server.close();
  await router.close({ deadlineMs: 3_000 });
  redis.disconnect();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
