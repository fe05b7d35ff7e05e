// Starts the run's own backends: counters (commandstats, statements, requests) and memory figures
// then belong to this run alone, and the shared services are never touched.
import { startDynamoDBLocal, startEmbeddedPostgres, startRedisServer } from '@mcp-session-store/testing';
import type { BenchContext } from './context.js';

export interface RunningBackends {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly dynamodbEndpoint: string;
  stop(): Promise<void>;
}

export async function startBackends(log: (line: string) => void): Promise<RunningBackends> {
  log('backends: starting redis-server, an embedded PostgreSQL and DynamoDB Local...');
  const [redis, postgres, dynamodb] = await Promise.all([
    startRedisServer(),
    startEmbeddedPostgres(),
    startDynamoDBLocal(),
  ]);
  return {
    redisUrl: redis.url,
    databaseUrl: postgres.url,
    dynamodbEndpoint: dynamodb.endpoint,
    async stop() {
      await Promise.allSettled([redis.stop(), postgres.stop(), dynamodb.stop()]);
    },
  };
}

/** For running one section on its own while developing it: `node --import tsx src/x.ts`. */
export async function withContext<T>(quick: boolean, run: (ctx: BenchContext) => Promise<T>): Promise<T> {
  const log = (line: string) => console.log(line);
  const backends = await startBackends(log);
  try {
    return await run({ quick, ...backends, log });
  } finally {
    await backends.stop();
  }
}
