// What the raw-key tests share: a client of their own on the Redis service (REDIS_URL), a fresh key
// prefix per file, the server clock, and a clean-up that fails the file if a key lacks an expiry.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeys } from '../examples/conformance-factory.mjs';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client that reads what the adapter left, plus the prefix its keys must live under. */
export interface RawRedis {
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** Another connection (for the adapter under test, or a raw subscriber); closed by `end`. */
  connect(options?: { connectionName: string }): Redis;
  /** The Redis server's clock in ms, the clock every script reads. */
  serverTime(): Promise<number>;
  /** Polls the server clock until it is past `ms` (for a script that must run at a later time). */
  serverTimePast(ms: number): Promise<number>;
  /** Every key under the prefix, sorted. */
  keys(): Promise<string[]>;
  /** Deletes the prefix's keys and closes the connections; throws if a key had no expiry. */
  end(): Promise<void>;
}

/** Opens the raw client for one test file; fails with how to provide Redis when there is none. */
export async function openRawRedis(label: string): Promise<RawRedis> {
  const clients: Redis[] = [];
  const connect = (options: { connectionName?: string } = {}) => {
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, ...options });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  const redis = connect();
  try {
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${(err as Error).message}). Start one (apt-get install redis-server; redis-server) or set REDIS_URL.`,
    );
  }
  const keyPrefix = `mcpss-test:${label}-${randomBytes(4).toString('hex')}:`;
  const serverTime = async () => {
    const [seconds, micros] = await redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  };
  return {
    redis,
    keyPrefix,
    connect,
    serverTime,
    async serverTimePast(ms) {
      for (;;) {
        const now = await serverTime();
        if (now > ms) return now;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    async keys() {
      return (await redis.keys(`${keyPrefix}*`)).sort();
    },
    async end() {
      const withoutExpiry = await deleteKeys(redis, keyPrefix);
      for (const client of clients) client.disconnect();
      if (withoutExpiry.length > 0) throw new Error(`keys without expiry: ${withoutExpiry.join(', ')}`);
    },
  };
}
