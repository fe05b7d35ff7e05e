// Conformance factory for @mcp-session-store/redis: what the CLI loads.
//   REDIS_URL=redis://127.0.0.1:6379 npx mcp-session-store-conformance examples/conformance-factory.mjs
// `createFactory(connect)` builds the same factory on any client (the tests pass a Cluster).
import {
  RedisClaimStore,
  RedisEventStore,
  RedisMessageBus,
  RedisSessionStore,
} from '@mcp-session-store/redis';
import { Redis } from 'ioredis';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Fails fast, saying how to get a Redis, instead of letting every test time out. */
async function assertReachable(redis, where) {
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error('no answer within 3 s')), 3_000).unref(),
  );
  try {
    await Promise.race([redis.ping(), timeout]);
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `Redis is not reachable at ${where} (${err.message}). Start one (apt-get install redis-server; redis-server) or set REDIS_URL.`,
    );
  }
}

/** Every key of a test lives under this prefix, so cleanup never touches anything else. */
export const testPrefix = (namespace) => `mcpss-test:${namespace}:`;

/** Every key under `prefix` (SCAN is fine in tests; the adapter itself never scans). */
async function keysUnder(redis, prefix) {
  const nodes = typeof redis.nodes === 'function' ? redis.nodes('master') : [redis];
  const found = [];
  for (const node of nodes) {
    for await (const keys of node.scanStream({ match: `${prefix}*`, count: 500 })) found.push(...keys);
  }
  return found;
}

/** Removes every key under `prefix`; returns the ones that had no expiry (there must be none). */
export async function deleteKeys(redis, prefix) {
  const withoutExpiry = [];
  for (const key of await keysUnder(redis, prefix)) {
    if ((await redis.pttl(key)) === -1) withoutExpiry.push(key);
    await redis.del(key);
  }
  return withoutExpiry;
}

/**
 * @param {() => import('ioredis').Redis | import('ioredis').Cluster} connect a new client per call
 * @param {string} where where Redis is, for the error message
 * @returns {import('@mcp-session-store/core/conformance').AdapterFactory}
 */
export function createFactory(connect, where = REDIS_URL) {
  return async (ctx) => {
    const redis = connect();
    redis.on('error', () => {}); // reconnects are ioredis's job; failures surface as typed errors
    await assertReachable(redis, where);
    const keyPrefix = testPrefix(ctx.namespace);
    const sessionStore = new RedisSessionStore({
      redis,
      keyPrefix,
      idleTtlMs: ctx.idleTtlMs,
      maxLifetimeMs: ctx.maxLifetimeMs,
      maxRecordBytes: ctx.maxRecordBytes,
      onError: ctx.onError,
    });
    const eventStore = new RedisEventStore({
      redis,
      keyPrefix,
      ttlMs: ctx.eventTtlMs,
      maxEventsPerStream: ctx.maxEventsPerStream,
    });
    const bus = new RedisMessageBus({ redis, keyPrefix, onError: ctx.onError });
    const claimStore = new RedisClaimStore({ redis, keyPrefix, onError: ctx.onError });
    // The key layout, written out here rather than taken from the adapter: the read-backs check it.
    const hashTag = (value) => `{${value.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}}`;
    const sessionKey = (id) => `${keyPrefix}${hashTag(id)}`;
    return {
      sessionStore,
      eventStore,
      bus,
      claimStore,
      inspect: {
        backendCalls: () => sessionStore.backendCalls + eventStore.backendCalls + claimStore.backendCalls,
        async sessionTtlMs(id) {
          const ttl = await redis.pttl(sessionKey(id));
          return ttl >= 0 ? ttl : null;
        },
        async eventTtlMs(sessionId) {
          const eventsKey = `${sessionKey(sessionId)}:events`;
          const streams = (await redis.hkeys(eventsKey)).filter((f) => f.startsWith('s:'));
          const keys = [eventsKey, ...streams.map((f) => `${sessionKey(sessionId)}:stream:${f.slice(2)}`)];
          const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
          return ttls.some((t) => t < 0) ? null : Math.min(...ttls);
        },
        async claimTtlMs(key) {
          const ttl = await redis.pttl(`${keyPrefix}claim:${hashTag(key)}`);
          return ttl >= 0 ? ttl : null;
        },
        async corruptSession(id) {
          await redis.hset(sessionKey(id), 'ci', '{"name": not json');
        },
      },
      // After every test: no key may be left without a native expiry, whatever the test did.
      async dispose() {
        const withoutExpiry = await deleteKeys(redis, keyPrefix);
        redis.disconnect();
        if (withoutExpiry.length > 0) throw new Error(`keys without expiry: ${withoutExpiry.join(', ')}`);
      },
    };
  };
}

export default createFactory(() => new Redis(REDIS_URL, { maxRetriesPerRequest: 1 }));
