// The three shared backends, built the same way for every section.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type EventStoreFactory,
  generateSessionId,
  type MessageBus,
  type NewSession,
  type SessionStore,
} from '@mcp-session-store/core';
import {
  createTable,
  DynamoDBEventStore,
  DynamoDBMessageBus,
  DynamoDBSessionStore,
} from '@mcp-session-store/dynamodb';
import {
  migrate,
  PostgresEventStore,
  PostgresMessageBus,
  PostgresSessionStore,
} from '@mcp-session-store/postgres';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import { DYNAMODB_LOCAL_CREDENTIALS } from '@mcp-session-store/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { BenchContext } from './context.js';

export const SHARED_BACKENDS = ['redis', 'postgres', 'dynamodb'] as const;
export type SharedBackend = (typeof SHARED_BACKENDS)[number];

/** How the report names each backend. */
export const BACKEND_LABELS: Record<SharedBackend, string> = {
  redis: 'Redis',
  postgres: 'PostgreSQL',
  dynamodb: 'DynamoDB',
};

/** What the router stores for a session without authentication (no principal). */
export function newBenchSession(): NewSession {
  return {
    id: generateSessionId(),
    principal: null,
    protocolVersion: '2025-11-25',
    clientInfo: { name: 'bench-client', version: '1.0.0' },
    clientCapabilities: { elicitation: {}, sampling: {}, roots: { listChanged: true } },
  };
}

/** The bench's DynamoDB table (created on first use). */
export const DYNAMODB_TABLE = 'mcp-bench';

/** A store, event store and bus on one backend, with the driver client(s) behind them. */
export interface Adapters {
  store: SessionStore;
  eventStore: EventStoreFactory;
  bus: MessageBus;
  /** The driver handle, for raw-driver baselines and counters. */
  driver: { redis?: Redis; pool?: pg.Pool; dynamodb?: DynamoDBClient };
  /** Closes the adapters and the driver clients. */
  close(): Promise<void>;
}

export function dynamodbClient(ctx: BenchContext): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: ctx.dynamodbEndpoint,
    region: 'local',
    credentials: { ...DYNAMODB_LOCAL_CREDENTIALS },
  });
}

let migrated: Promise<void> | undefined;
let tableCreated: Promise<void> | undefined;

/**
 * Adapters on `backend`, in a key space of their own (`namespace`): sections and variants never
 * see each other's data.
 */
export async function adaptersFor(
  ctx: BenchContext,
  backend: SharedBackend,
  namespace: string,
): Promise<Adapters> {
  if (backend === 'redis') {
    const redis = new Redis(ctx.redisUrl);
    const keyPrefix = `${namespace}:`;
    const store = new RedisSessionStore({ redis, keyPrefix });
    const eventStore = new RedisEventStore({ redis, keyPrefix });
    const bus = new RedisMessageBus({ redis, keyPrefix });
    return {
      store,
      eventStore,
      bus,
      driver: { redis },
      async close() {
        await Promise.allSettled([store.close(), eventStore.close(), bus.close()]);
        redis.disconnect();
      },
    };
  }
  if (backend === 'postgres') {
    const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 10 });
    pool.on('error', () => {});
    migrated ??= (async () => {
      const once = new pg.Pool({ connectionString: ctx.databaseUrl, max: 1 });
      try {
        await migrate(once);
      } finally {
        await once.end();
      }
    })();
    await migrated;
    // One schema for every variant: session ids are random and variants run one after another.
    const store = new PostgresSessionStore({ pool });
    const eventStore = new PostgresEventStore({ pool });
    const bus = new PostgresMessageBus({ pool, connectionString: ctx.databaseUrl });
    return {
      store,
      eventStore,
      bus,
      driver: { pool },
      async close() {
        await Promise.allSettled([store.close(), eventStore.close(), bus.close()]);
        await pool.end();
      },
    };
  }
  const client = dynamodbClient(ctx);
  tableCreated ??= createTable(client, { tableName: DYNAMODB_TABLE });
  await tableCreated;
  const store = new DynamoDBSessionStore({ client, tableName: DYNAMODB_TABLE, namespace });
  const eventStore = new DynamoDBEventStore({ client, tableName: DYNAMODB_TABLE, namespace });
  const bus = new DynamoDBMessageBus({ client, tableName: DYNAMODB_TABLE, namespace });
  return {
    store,
    eventStore,
    bus,
    driver: { dynamodb: client },
    async close() {
      await Promise.allSettled([store.close?.(), eventStore.close?.(), bus.close()]);
      client.destroy();
    },
  };
}
