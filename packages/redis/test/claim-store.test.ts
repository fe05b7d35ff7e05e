// RedisClaimStore on the Redis service (REDIS_URL): what a claim stores (one key with a native
// expiry), one winner among claimers on separate connections, and a claim taken again once Redis
// expired it.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeys } from '../examples/conformance-factory.mjs';
import { RedisClaimStore, RedisKeys } from '../src/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `mcpss-test:claims-${randomBytes(4).toString('hex')}:`;
const keys = new RedisKeys(keyPrefix);
const clients: Redis[] = [];

function connect(): Redis {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  clients.push(redis);
  return redis;
}

const redis = connect();

beforeAll(async () => {
  try {
    await redis.ping();
  } catch (err) {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${(err as Error).message}). Start one (apt-get install redis-server; redis-server) or set REDIS_URL.`,
    );
  }
});

afterAll(async () => {
  const withoutExpiry = await deleteKeys(redis, keyPrefix);
  for (const client of clients) client.disconnect();
  expect(withoutExpiry).toEqual([]);
});

const newKey = (label: string) => `${label}:${randomBytes(6).toString('hex')}`;

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a claim is one key under the prefix with a native expiry of at most ttl; a losing claim changes nothing', async () => {
  const store = new RedisClaimStore({ redis, keyPrefix });
  const key = newKey('rs');
  expect(await store.claim(key, 60_000)).toBe(true);
  const stored = keys.claim(key);
  expect(stored.startsWith(`${keyPrefix}claim:`)).toBe(true);
  const ttl = await redis.pttl(stored);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(60_000);

  expect(await store.claim(key, 600_000)).toBe(false);
  const after = await redis.pttl(stored);
  expect(after).toBeGreaterThan(0);
  expect(after).toBeLessThanOrEqual(ttl);
  // One round trip per claim.
  expect(store.backendCalls).toBe(2);
  await store.close();
});

test('claimers on six separate connections: exactly one winner per key, over many keys', async () => {
  const stores = Array.from({ length: 6 }, () => new RedisClaimStore({ redis: connect(), keyPrefix }));
  const claimKeys = Array.from({ length: 50 }, () => newKey('race'));
  // 18 callers per key (3 per connection), every key at once.
  const winners = await Promise.all(
    claimKeys.map(async (key) => {
      const results = await Promise.all(
        stores.flatMap((store) => Array.from({ length: 3 }, () => store.claim(key, 60_000))),
      );
      return results.filter(Boolean).length;
    }),
  );
  expect(winners).toEqual(claimKeys.map(() => 1));
  await Promise.all(stores.map((store) => store.close()));
});

test('a claim Redis expired is gone from Redis, and taken again by one claimer', async () => {
  const a = new RedisClaimStore({ redis, keyPrefix });
  const b = new RedisClaimStore({ redis: connect(), keyPrefix });
  const key = newKey('short');
  expect(await a.claim(key, 100)).toBe(true);
  await waitFor(async () => (await redis.pttl(keys.claim(key))) === -2, 'Redis to expire the claim');
  const results = await Promise.all([a.claim(key, 60_000), b.claim(key, 60_000), b.claim(key, 60_000)]);
  expect(results.filter(Boolean)).toHaveLength(1);
  expect(await redis.pttl(keys.claim(key))).toBeGreaterThan(0);
  expect(await a.claim(key, 60_000)).toBe(false);
  await Promise.all([a.close(), b.close()]);
});
