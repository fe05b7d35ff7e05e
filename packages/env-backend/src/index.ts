/**
 * `@mcp-session-store/env-backend` (private): the store, event store, bus and claim store of one pod,
 * built from its environment, so the demo's pods and the test pods run the same code for every
 * backend.
 *
 * | variable             | for                 | meaning                                                        |
 * | -------------------- | ------------------- | -------------------------------------------------------------- |
 * | `STORE`              | all                 | `memory`, `redis` (the default), `postgres` or `dynamodb`      |
 * | `KEY_PREFIX`         | redis, dynamodb     | key prefix (Redis) or namespace (DynamoDB)                     |
 * | `REDIS_URL`          | redis               | default `redis://127.0.0.1:6379`                               |
 * | `DATABASE_URL`       | postgres            | default `postgres://postgres@127.0.0.1:5432/postgres`          |
 * | `PG_SCHEMA`          | postgres            | schema of the tables; default the adapter's                     |
 * | `DYNAMODB_ENDPOINT`  | dynamodb            | a loopback URL is DynamoDB Local; unset: AWS (default chain)   |
 * | `DYNAMODB_TABLE`     | dynamodb            | default `mcp-sessions`                                          |
 * | `BACKEND_TIMEOUT_MS` | redis, postgres, dynamodb | the bound on each backend call; default the adapter's   |
 *
 * @packageDocumentation
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ClaimStore, EventStoreFactory, MessageBus, SessionStore } from '@mcp-session-store/core';
import {
  createTable,
  DynamoDBClaimStore,
  DynamoDBEventStore,
  DynamoDBMessageBus,
  DynamoDBSessionStore,
} from '@mcp-session-store/dynamodb';
import {
  MemoryBackend,
  MemoryClaimStore,
  MemoryEventStore,
  MemoryMessageBus,
  MemorySessionStore,
} from '@mcp-session-store/memory';
import {
  migrate,
  PostgresClaimStore,
  PostgresEventStore,
  PostgresMessageBus,
  PostgresSessionStore,
} from '@mcp-session-store/postgres';
import {
  RedisClaimStore,
  RedisEventStore,
  RedisMessageBus,
  RedisSessionStore,
} from '@mcp-session-store/redis';
import { Redis } from 'ioredis';
import pg from 'pg';

/** What a pod's router needs, plus how to release the driver clients this module opened. */
export interface EnvBackend {
  readonly store: SessionStore;
  readonly eventStore: EventStoreFactory;
  readonly bus: MessageBus;
  /** At-most-once claims shared by every pod on the backend (one process only for `memory`). */
  readonly claims: ClaimStore;
  /**
   * Closes the claim store, then the driver clients (call it after the router and the other stores
   * closed).
   */
  disconnect(): Promise<void>;
}

/** The backends `STORE` may name. */
export const ENV_STORES = ['memory', 'redis', 'postgres', 'dynamodb'] as const;
/** One of {@link ENV_STORES}. */
export type EnvStore = (typeof ENV_STORES)[number];

/** Defaults the caller picks where the environment says nothing. */
export interface EnvBackendOptions {
  /** `KEY_PREFIX` when unset. Default `'mcp:'` for Redis, `'mcp'` for DynamoDB. */
  keyPrefix?: string | undefined;
  /** Idle TTL of sessions, and TTL of their events. Default: the adapters' (1 h). */
  idleTtlMs?: number | undefined;
}

function timeoutFrom(env: NodeJS.ProcessEnv): number | undefined {
  const value = env.BACKEND_TIMEOUT_MS;
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0)
    throw new Error(`BACKEND_TIMEOUT_MS must be a positive integer, not '${value}'`);
  return ms;
}

/** Process memory: correct for one process only (the stores are not shared). */
function memoryBackend(options: EnvBackendOptions): EnvBackend {
  const shared = new MemoryBackend();
  const claims = new MemoryClaimStore({ backend: shared });
  return {
    store: new MemorySessionStore({ backend: shared, idleTtlMs: options.idleTtlMs }),
    eventStore: new MemoryEventStore({ backend: shared, ttlMs: options.idleTtlMs }),
    bus: new MemoryMessageBus({ backend: shared }),
    claims,
    disconnect: () => claims.close(),
  };
}

function redisBackend(env: NodeJS.ProcessEnv, options: EnvBackendOptions): EnvBackend {
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // reconnects are ioredis's job; commands report their own errors (503s)
  const keyPrefix = env.KEY_PREFIX ?? options.keyPrefix ?? 'mcp:';
  const commandTimeoutMs = timeoutFrom(env);
  const claims = new RedisClaimStore({ redis, keyPrefix, commandTimeoutMs });
  return {
    store: new RedisSessionStore({ redis, keyPrefix, idleTtlMs: options.idleTtlMs, commandTimeoutMs }),
    eventStore: new RedisEventStore({ redis, keyPrefix, ttlMs: options.idleTtlMs, commandTimeoutMs }),
    bus: new RedisMessageBus({ redis, keyPrefix, commandTimeoutMs }),
    claims,
    disconnect: async () => {
      await claims.close();
      redis.disconnect();
    },
  };
}

async function postgresBackend(env: NodeJS.ProcessEnv, options: EnvBackendOptions): Promise<EnvBackend> {
  const connectionString = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const pool = new pg.Pool({ connectionString, max: 10 });
  pool.on('error', () => {}); // a dropped idle connection is replaced; queries report their own errors
  const schema = env.PG_SCHEMA; // unset: the adapter's default
  // Every pod may run it: it is idempotent and takes an advisory lock.
  await migrate(pool, { schema }).catch(async (error: unknown) => {
    await pool.end(); // the pool would otherwise keep the process alive
    throw error;
  });
  const statementTimeoutMs = timeoutFrom(env);
  // Expired claim rows are removed once a minute (PostgreSQL has no native TTL).
  const claims = new PostgresClaimStore({ pool, schema, statementTimeoutMs, sweepIntervalMs: 60_000 });
  return {
    store: new PostgresSessionStore({ pool, schema, idleTtlMs: options.idleTtlMs, statementTimeoutMs }),
    eventStore: new PostgresEventStore({
      pool,
      connectionString,
      schema,
      ttlMs: options.idleTtlMs,
      statementTimeoutMs,
    }),
    bus: new PostgresMessageBus({ pool, connectionString, schema, statementTimeoutMs }),
    claims,
    disconnect: async () => {
      await claims.close(); // stops its sweep before the pool ends
      await pool.end();
    },
  };
}

/** A loopback endpoint is DynamoDB Local, which takes any credentials. */
const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/;

async function dynamodbBackend(env: NodeJS.ProcessEnv, options: EnvBackendOptions): Promise<EnvBackend> {
  const endpoint = env.DYNAMODB_ENDPOINT;
  const local = endpoint !== undefined && LOOPBACK.test(endpoint);
  // Anything but a loopback endpoint (AWS) gets the SDK's default credential chain and region
  // (AWS_REGION, profiles, roles); never fake credentials.
  const client = new DynamoDBClient({
    ...(endpoint && { endpoint }),
    ...(local && { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
  const tableName = env.DYNAMODB_TABLE ?? 'mcp-sessions';
  // Idempotent; on AWS the table comes from your infrastructure code.
  await createTable(client, { tableName }).catch((error: unknown) => {
    client.destroy();
    throw error;
  });
  const namespace = env.KEY_PREFIX ?? options.keyPrefix ?? 'mcp';
  const callTimeoutMs = timeoutFrom(env);
  const claims = new DynamoDBClaimStore({ client, tableName, namespace, callTimeoutMs });
  return {
    store: new DynamoDBSessionStore({
      client,
      tableName,
      namespace,
      idleTtlMs: options.idleTtlMs,
      callTimeoutMs,
    }),
    eventStore: new DynamoDBEventStore({
      client,
      tableName,
      namespace,
      ttlMs: options.idleTtlMs,
      callTimeoutMs,
    }),
    bus: new DynamoDBMessageBus({ client, tableName, namespace, callTimeoutMs }),
    claims,
    disconnect: async () => {
      await claims.close();
      client.destroy();
    },
  };
}

/**
 * Builds a pod's store, event store, bus and claim store from `env` (see the table above). Throws on an
 * unknown `STORE` or a malformed variable.
 *
 * @example
 * ```ts
 * const backend = await backendFromEnv(process.env, { keyPrefix: 'mcp:demo:' });
 * const { store, eventStore, bus, claims } = backend;
 * const router = createMcpSessionRouter({ store, eventStore, bus, createServer });
 * // on shutdown:
 * await router.close();
 * await backend.disconnect();
 * ```
 */
export async function backendFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: EnvBackendOptions = {},
): Promise<EnvBackend> {
  const store = env.STORE ?? 'redis';
  switch (store) {
    case 'memory':
      return memoryBackend(options);
    case 'redis':
      return redisBackend(env, options);
    case 'postgres':
      return postgresBackend(env, options);
    case 'dynamodb':
      return dynamodbBackend(env, options);
    default:
      throw new Error(`unknown STORE '${store}' (expected one of ${ENV_STORES.join(', ')})`);
  }
}
