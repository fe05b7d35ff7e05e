// One backend instance per fault test, owned by the test (never the shared services), reached by
// the pods through a latency proxy: the test can stop the backend itself (an outage) or slow its
// traffic down (a slow backend) while the pods run.
import { randomBytes } from 'node:crypto';
import { backendFromEnv, type EnvBackend, type EnvStore } from '@mcp-session-store/env-backend';
import {
  type LatencyProxyHandle,
  sendRedisCommand,
  startDynamoDBLocal,
  startEmbeddedPostgres,
  startLatencyProxy,
  startRedisServer,
} from '@mcp-session-store/testing';
import pg from 'pg';

/** The backends a fault test can stop: every shared one (memory dies with its process). */
export type FaultStore = Exclude<EnvStore, 'memory'>;

/** A backend the test owns, with the means to break it. */
export interface FaultBackend {
  readonly store: FaultStore;
  /** Environment for the pods: they reach the backend through the proxy. */
  readonly podEnv: Record<string, string>;
  /** The proxy in front of the backend (latency, cuts). */
  readonly proxy: LatencyProxyHandle;
  /** Stops the backend process itself (its data is kept on disk). */
  outage(): Promise<void>;
  /** Starts it again, with the data it had. */
  recover(): Promise<void>;
  /** Client connections the backend holds now, or undefined where it cannot tell (DynamoDB: HTTP). */
  clientConnections(): Promise<number | undefined>;
  /** A store, event store and bus of the test's own, straight to the backend (no proxy). */
  direct(): Promise<EnvBackend>;
  /** Stops everything and removes the data. */
  dispose(): Promise<void>;
}

const HOST = '127.0.0.1';

async function redisFaultBackend(): Promise<FaultBackend> {
  // AOF with fsync on every write: a SIGKILL loses nothing, so "sessions intact" is a fair check.
  const server = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  const proxy = await startLatencyProxy({ host: HOST, port: server.port });
  const keyPrefix = `mcpss-fault:${randomBytes(4).toString('hex')}:`;
  const env = { STORE: 'redis', KEY_PREFIX: keyPrefix };
  return {
    store: 'redis',
    podEnv: { ...env, REDIS_URL: `redis://${HOST}:${proxy.port}` },
    proxy,
    outage: () => server.kill(),
    recover: () => server.start(),
    async clientConnections() {
      const list = await sendRedisCommand({ host: HOST, port: server.port }, ['CLIENT', 'LIST']);
      // Minus the connection that asks.
      return String(list).trim().split('\n').length - 1;
    },
    direct: () => backendFromEnv({ ...env, REDIS_URL: server.url }),
    async dispose() {
      await proxy.stop();
      await server.stop();
    },
  };
}

async function postgresFaultBackend(): Promise<FaultBackend> {
  const server = await startEmbeddedPostgres();
  const url = new URL(server.url);
  const proxy = await startLatencyProxy({ host: HOST, port: Number(url.port) });
  const viaProxy = new URL(server.url);
  viaProxy.port = String(proxy.port);
  return {
    store: 'postgres',
    podEnv: { STORE: 'postgres', DATABASE_URL: viaProxy.href },
    proxy,
    outage: () => server.halt(),
    recover: () => server.start(),
    async clientConnections() {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
        );
        return Number(rows[0]?.n);
      } finally {
        await client.end();
      }
    },
    direct: () => backendFromEnv({ STORE: 'postgres', DATABASE_URL: server.url }),
    async dispose() {
      await proxy.stop();
      await server.stop();
    },
  };
}

async function dynamodbFaultBackend(): Promise<FaultBackend> {
  const local = await startDynamoDBLocal({ persistent: true });
  const proxy = await startLatencyProxy({ host: HOST, port: local.port });
  const env = { STORE: 'dynamodb', DYNAMODB_TABLE: 'mcp-fault-test', KEY_PREFIX: 'fault' };
  return {
    store: 'dynamodb',
    podEnv: { ...env, DYNAMODB_ENDPOINT: `http://${HOST}:${proxy.port}` },
    proxy,
    outage: () => local.stop(),
    recover: () => local.start(),
    clientConnections: async () => undefined,
    direct: () => backendFromEnv({ ...env, DYNAMODB_ENDPOINT: local.endpoint }),
    async dispose() {
      await proxy.stop();
      await local.stop();
    },
  };
}

/** Starts a fresh instance of `store` on free ports, with a latency proxy in front of it. */
export function startFaultBackend(store: FaultStore): Promise<FaultBackend> {
  switch (store) {
    case 'redis':
      return redisFaultBackend();
    case 'postgres':
      return postgresFaultBackend();
    case 'dynamodb':
      return dynamodbFaultBackend();
  }
}
