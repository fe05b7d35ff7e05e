// One pod of the demo cluster: the router over the chosen backend, serving the example server, with
// /healthz for the balancer. Started by main.ts as its own process (PORT, POD_NAME, STORE, URLs).
import { createServer } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type EventStoreFactory,
  type MessageBus,
  redactSessionId,
  type SessionStore,
} from '@mcp-session-store/core';
import { createMcpSessionRouter, LOCALHOST_HOSTS } from '@mcp-session-store/core/router';
import {
  createTable,
  DynamoDBEventStore,
  DynamoDBMessageBus,
  DynamoDBSessionStore,
} from '@mcp-session-store/dynamodb';
import {
  MemoryBackend,
  MemoryEventStore,
  MemoryMessageBus,
  MemorySessionStore,
} from '@mcp-session-store/memory';
import {
  migrate,
  PostgresEventStore,
  PostgresMessageBus,
  PostgresSessionStore,
} from '@mcp-session-store/postgres';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createExampleServer } from './example-server.js';

const pod = process.env.POD_NAME ?? 'pod';
const port = Number(process.env.PORT ?? 3000);

interface Backend {
  store: SessionStore;
  eventStore: EventStoreFactory;
  bus: MessageBus;
}

async function redisBackend(): Promise<Backend> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // reconnects on its own; commands report their own errors
  const keyPrefix = process.env.KEY_PREFIX ?? 'mcp:demo:';
  return {
    store: new RedisSessionStore({ redis, keyPrefix }),
    eventStore: new RedisEventStore({ redis, keyPrefix }),
    bus: new RedisMessageBus({ redis, keyPrefix }),
  };
}

async function postgresBackend(): Promise<Backend> {
  const connectionString = process.env.DATABASE_URL;
  const pool = new pg.Pool({ connectionString });
  pool.on('error', () => {}); // a dropped idle connection is replaced; queries report their own errors
  await migrate(pool); // every pod may run it: it is idempotent and takes an advisory lock
  return {
    store: new PostgresSessionStore({ pool }),
    eventStore: new PostgresEventStore({ pool, connectionString }),
    bus: new PostgresMessageBus({ pool, connectionString }),
  };
}

async function dynamodbBackend(): Promise<Backend> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  // A loopback endpoint is DynamoDB Local, which accepts any credentials; anything else (AWS) gets
  // the SDK's default credential chain and region (AWS_REGION, profiles, roles).
  const local =
    endpoint !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(endpoint);
  const client = new DynamoDBClient({
    ...(endpoint && { endpoint }),
    ...(local && { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
  const tableName = process.env.DYNAMODB_TABLE ?? 'mcp-sessions';
  await createTable(client, { tableName }); // idempotent; on AWS the table comes from your infrastructure code
  const namespace = process.env.KEY_PREFIX ?? 'mcp-demo';
  return {
    store: new DynamoDBSessionStore({ client, tableName, namespace }),
    eventStore: new DynamoDBEventStore({ client, tableName, namespace }),
    bus: new DynamoDBMessageBus({ client, tableName, namespace }),
  };
}

/** Process memory: correct for one pod only (main.ts refuses more). */
async function memoryBackend(): Promise<Backend> {
  const shared = new MemoryBackend();
  return {
    store: new MemorySessionStore({ backend: shared }),
    eventStore: new MemoryEventStore({ backend: shared }),
    bus: new MemoryMessageBus({ backend: shared }),
  };
}

const backends: Record<string, () => Promise<Backend>> = {
  memory: memoryBackend,
  redis: redisBackend,
  postgres: postgresBackend,
  dynamodb: dynamodbBackend,
};
const backend = backends[process.env.STORE ?? 'postgres'];
if (!backend) throw new Error(`unknown STORE '${process.env.STORE}'`);
const { store, eventStore, bus } = await backend();

const router = createMcpSessionRouter({
  store,
  eventStore,
  bus,
  processId: pod,
  createServer: ({ sessionId }) => createExampleServer({ pod, sessionId, store }),
  // Clients reconnect a stream closed mid-call (SEP-1699) after this long.
  retryIntervalMs: 500,
  // Each live session holds its own McpServer (this one registers the conformance suite's ~40
  // tools, resources and prompts: ~100 KiB). Any pod can bring a session back from the store in a
  // few ms, so pods let go of idle ones after a minute and keep at most 2 000: memory stays bounded
  // however many clients abandon their sessions without a DELETE.
  localIdleMs: 60_000,
  maxLocalSessions: 2_000,
  // Loopback only, no TLS, no authentication: refuse DNS-rebinding requests.
  allowedHosts: LOCALHOST_HOSTS,
  // Errors answered with 5xx or raised outside a request; session ids are redacted, and messages
  // (which may quote client input) escaped and bounded before logging.
  hooks: {
    onError: (error, { operation, sessionId }) =>
      console.error(
        `${pod} ${operation}${sessionId ? ` session ${redactSessionId(sessionId)}` : ''}: ${JSON.stringify((error instanceof Error ? error.message : String(error)).slice(0, 300))}`,
      ),
  },
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
