// One pod of the demo cluster: the router over the chosen backend, serving the example server, with
// /healthz for the balancer. Started by main.ts as its own process (PORT, POD_NAME, STORE, URLs).
import { createServer } from 'node:http';
import type { EventStoreFactory, MessageBus, SessionStore } from '@mcp-session-store/core';
import { createMcpSessionRouter } from '@mcp-session-store/core/router';
import { createTestServer } from '@mcp-session-store/integration/src/test-server.ts';
import {
  migrate,
  PostgresEventStore,
  PostgresMessageBus,
  PostgresSessionStore,
} from '@mcp-session-store/postgres';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import { Redis } from 'ioredis';
import pg from 'pg';

const pod = process.env.POD_NAME ?? 'pod';
const port = Number(process.env.PORT ?? 3000);

async function backend(): Promise<{ store: SessionStore; eventStore: EventStoreFactory; bus: MessageBus }> {
  if (process.env.STORE === 'redis') {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    const keyPrefix = process.env.KEY_PREFIX ?? 'mcp:demo:';
    return {
      store: new RedisSessionStore({ redis, keyPrefix }),
      eventStore: new RedisEventStore({ redis, keyPrefix }),
      bus: new RedisMessageBus({ redis, keyPrefix }),
    };
  }
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
  pool.on('error', () => {}); // a dropped idle connection is replaced; queries report their own errors
  await migrate(pool); // every pod may run it: it is idempotent and takes an advisory lock
  return {
    store: new PostgresSessionStore({ pool }),
    eventStore: new PostgresEventStore({ pool, connectionString: process.env.DATABASE_URL }),
    bus: new PostgresMessageBus({ pool, connectionString: process.env.DATABASE_URL }),
  };
}

const router = createMcpSessionRouter({
  ...(await backend()),
  processId: pod,
  createServer: (session) => createTestServer(pod, session),
});

const server = createServer((req, res) => {
  if (req.url === '/healthz') res.writeHead(200).end('ok');
  else if (req.url?.startsWith('/mcp')) void router.handle(req, res);
  else res.writeHead(404).end();
});
server.listen(port, '127.0.0.1', () => console.log(`${pod} listening on ${port}`));

const shutdown = async () => {
  server.close();
  await router.close({ deadlineMs: 3_000 });
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
