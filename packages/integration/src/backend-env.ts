// The environment that points test pods (pod-main.ts, through @mcp-session-store/env-backend) at
// a fresh namespace of one real backend, and the clean-up that removes it afterwards.
import { randomBytes } from 'node:crypto';
import type { EnvStore } from '@mcp-session-store/env-backend';
import { type DynamoDBLocalHandle, startDynamoDBLocal } from '@mcp-session-store/testing';
import pg from 'pg';
import { deleteRedisKeys, REDIS_URL } from './redis-pod-cluster.js';

/** The shared backends pods can use across processes (memory cannot). */
export type SharedStore = Exclude<EnvStore, 'memory'>;
export const SHARED_STORES: readonly SharedStore[] = ['redis', 'postgres', 'dynamodb'];

/** The PostgreSQL service: `DATABASE_URL`, or the local one. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A backend namespace for one test: its pods' environment, and how to remove it. */
export interface BackendNamespace {
  readonly env: Record<string, string>;
  cleanUp(): Promise<void>;
}

/**
 * A fresh namespace on `store`, named after `name`: a Redis key prefix, a PostgreSQL schema, or a
 * DynamoDB Local (started here, stopped by `cleanUp`).
 *
 * @example
 * ```ts
 * const backend = await backendNamespace('postgres', 'deletion');
 * const cluster = await startPodCluster({ command, pods: 3, env: backend.env });
 * // ...
 * await cluster.stop();
 * await backend.cleanUp();
 * ```
 */
export async function backendNamespace(store: SharedStore, name: string): Promise<BackendNamespace> {
  const id = `${name}_${randomBytes(4).toString('hex')}`;
  switch (store) {
    case 'redis': {
      const keyPrefix = `mcpss-test:${id}:`;
      return {
        env: { STORE: 'redis', REDIS_URL, KEY_PREFIX: keyPrefix },
        cleanUp: () => deleteRedisKeys(keyPrefix),
      };
    }
    case 'postgres': {
      const schema = `mcpss_${id}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
      return {
        env: { STORE: 'postgres', DATABASE_URL, PG_SCHEMA: schema },
        async cleanUp() {
          const client = new pg.Client({ connectionString: DATABASE_URL });
          await client.connect();
          try {
            await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          } finally {
            await client.end();
          }
        },
      };
    }
    case 'dynamodb': {
      const dynamodb: DynamoDBLocalHandle = await startDynamoDBLocal();
      return {
        env: {
          STORE: 'dynamodb',
          DYNAMODB_ENDPOINT: dynamodb.endpoint,
          DYNAMODB_TABLE: 'mcp-sessions',
          KEY_PREFIX: id,
        },
        cleanUp: () => dynamodb.stop(),
      };
    }
  }
}
