// The backend of one test pod, from its environment: STORE picks the adapter (redis, the default;
// postgres; dynamodb), the URL variables say where the backend is. Every adapter gets the same
// router, so a test can run one scenario over each backend.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventStoreFactory, MessageBus, SessionStore } from '@mcp-session-store/core';
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
import { Redis } from 'ioredis';
import pg from 'pg';

/** What a pod's router needs, plus how to release the clients this module opened. */
export interface PodBackend {
  readonly store: SessionStore;
  readonly eventStore: EventStoreFactory;
  readonly bus: MessageBus;
  /** Closes the driver clients (after the router closed). */
  disconnect(): Promise<void>;
}

/** The backends {@link podBackendFromEnv} knows, as STORE spells them. */
export const POD_STORES = ['redis', 'postgres', 'dynamodb'] as const;
export type PodStore = (typeof POD_STORES)[number];

const IDLE_TTL_MS = 10 * 60_000;

/** BACKEND_TIMEOUT_MS: the bound on each backend call, for every adapter; unset keeps their defaults. */
function timeoutFrom(env: NodeJS.ProcessEnv): number | undefined {
  const value = env.BACKEND_TIMEOUT_MS;
  return value === undefined ? undefined : Number(value);
}

function redisBackend(env: NodeJS.ProcessEnv): PodBackend {
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // reconnects are ioredis's job; failures surface as 503s
  const keyPrefix = env.KEY_PREFIX ?? 'mcp:session:';
  const commandTimeoutMs = timeoutFrom(env);
  return {
    store: new RedisSessionStore({ redis, keyPrefix, idleTtlMs: IDLE_TTL_MS, commandTimeoutMs }),
    eventStore: new RedisEventStore({ redis, keyPrefix, ttlMs: IDLE_TTL_MS, commandTimeoutMs }),
    bus: new RedisMessageBus({ redis, keyPrefix, commandTimeoutMs }),
    disconnect: async () => redis.disconnect(),
  };
}

async function postgresBackend(env: NodeJS.ProcessEnv): Promise<PodBackend> {
  const connectionString = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const pool = new pg.Pool({ connectionString, max: 10 });
  pool.on('error', () => {}); // a dropped idle connection is replaced; queries report their own errors
  const schema = env.PG_SCHEMA; // unset: the adapter's default
  await migrate(pool, { schema });
  const statementTimeoutMs = timeoutFrom(env);
  return {
    store: new PostgresSessionStore({ pool, schema, idleTtlMs: IDLE_TTL_MS, statementTimeoutMs }),
    eventStore: new PostgresEventStore({
      pool,
      connectionString,
      schema,
      ttlMs: IDLE_TTL_MS,
      statementTimeoutMs,
    }),
    bus: new PostgresMessageBus({ pool, connectionString, schema, statementTimeoutMs }),
    disconnect: () => pool.end(),
  };
}

async function dynamodbBackend(env: NodeJS.ProcessEnv): Promise<PodBackend> {
  const client = new DynamoDBClient({
    endpoint: env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:8000',
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableName = env.DYNAMODB_TABLE ?? 'mcp-sessions';
  await createTable(client, { tableName });
  const namespace = env.KEY_PREFIX ?? 'mcp-test';
  const callTimeoutMs = timeoutFrom(env);
  return {
    store: new DynamoDBSessionStore({ client, tableName, namespace, callTimeoutMs }),
    eventStore: new DynamoDBEventStore({ client, tableName, namespace, callTimeoutMs }),
    bus: new DynamoDBMessageBus({ client, tableName, namespace, callTimeoutMs }),
    disconnect: async () => client.destroy(),
  };
}

/**
 * Builds the pod's store, event store and bus from `env` (STORE, REDIS_URL, DATABASE_URL,
 * PG_SCHEMA, DYNAMODB_ENDPOINT, DYNAMODB_TABLE, KEY_PREFIX, BACKEND_TIMEOUT_MS). Throws on an unknown
 * STORE.
 */
export async function podBackendFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<PodBackend> {
  const store = env.STORE ?? 'redis';
  switch (store) {
    case 'redis':
      return redisBackend(env);
    case 'postgres':
      return postgresBackend(env);
    case 'dynamodb':
      return dynamodbBackend(env);
    default:
      throw new Error(`unknown STORE '${store}' (expected one of ${POD_STORES.join(', ')})`);
  }
}
