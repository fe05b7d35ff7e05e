// What the event store's append script (src/event-scripts.ts) and purge leave in Redis, read back
// raw: the stream entry's fields, MAXLEN trimming, the expiry of the session's events hash and of
// each stream key (set and refreshed by every append), and no key left after a purge. Stryker cannot
// mutate the Lua; these tests fail when a script line is broken.
import { RedisEventStore, type RedisEventStoreOptions, RedisKeys } from '../src/index.js';
import { openRawRedis, type RawRedis } from './raw-redis.js';

let raw: RawRedis;
let keys: RedisKeys;
let serial = 0;

beforeAll(async () => {
  raw = await openRawRedis('event-scripts');
  keys = new RedisKeys(raw.keyPrefix);
});

afterAll(async () => {
  await raw?.end();
});

const TTL = 60_000;
const newSessionId = () => `s-${++serial}`;

function openEvents(options: Partial<RedisEventStoreOptions> = {}): RedisEventStore {
  return new RedisEventStore({ redis: raw.redis, keyPrefix: raw.keyPrefix, ttlMs: TTL, ...options });
}

/** The stream's entries as `{ field: value }` objects, oldest first. */
async function entries(key: string): Promise<Array<Record<string, string>>> {
  const stream = await raw.redis.xrange(key, '-', '+');
  return stream.map(([, fields]) => {
    const object: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) object[fields[i]!] = fields[i + 1]!;
    return object;
  });
}

/** Remaining expiry of `key`: set (positive) and no longer than `TTL`. */
async function ttlOf(key: string): Promise<number> {
  const ttl = await raw.redis.pttl(key);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(TTL);
  return ttl;
}

test('an append adds one stream entry holding the stream id and the message JSON', async () => {
  const sessionId = newSessionId();
  const store = openEvents().forSession(sessionId);
  const message = { jsonrpc: '2.0', id: 7, result: { text: 'héllo "x"' } } as const;
  await store.storeEvent('post-1', message);
  expect(await entries(keys.stream(sessionId, 'post-1'))).toEqual([
    { s: 'post-1', m: JSON.stringify(message) },
  ]);
});

test('each stream is trimmed to exactly maxEventsPerStream entries, the newest kept', async () => {
  const sessionId = newSessionId();
  const store = openEvents({ maxEventsPerStream: 3 }).forSession(sessionId);
  for (let n = 1; n <= 5; n++)
    await store.storeEvent('_GET_stream', { jsonrpc: '2.0', method: 'n', params: { n } });
  await store.storeEvent('post-1', { jsonrpc: '2.0', method: 'other' });
  const kept = await entries(keys.stream(sessionId, '_GET_stream'));
  expect(kept.map((entry) => JSON.parse(entry.m!).params.n)).toEqual([3, 4, 5]);
  expect(await raw.redis.xlen(keys.stream(sessionId, 'post-1'))).toBe(1);
});

test('an append gives the events hash and the stream key an expiry of ttlMs, and refreshes both', async () => {
  const sessionId = newSessionId();
  const store = openEvents().forSession(sessionId);
  const eventsKey = keys.events(sessionId);
  const streamKey = keys.stream(sessionId, 'post-1');
  await store.storeEvent('post-1', { jsonrpc: '2.0', method: 'first' });
  // Within a generous margin of the full TTL: far above the 5 s set below.
  expect(await ttlOf(eventsKey)).toBeGreaterThan(TTL / 2);
  expect(await ttlOf(streamKey)).toBeGreaterThan(TTL / 2);

  await raw.redis.pexpire(eventsKey, 5_000);
  await raw.redis.pexpire(streamKey, 5_000);
  await store.storeEvent('post-1', { jsonrpc: '2.0', method: 'second' });
  expect(await ttlOf(eventsKey)).toBeGreaterThan(TTL / 2);
  expect(await ttlOf(streamKey)).toBeGreaterThan(TTL / 2);
});

test('purgeSession removes every key of the session, and only those', async () => {
  const events = openEvents();
  const [purged, other] = [newSessionId(), newSessionId()];
  for (const streamId of ['_GET_stream', 'post-1', 'post-2']) {
    await events.forSession(purged).storeEvent(streamId, { jsonrpc: '2.0', method: streamId });
  }
  await events.forSession(other).storeEvent('post-1', { jsonrpc: '2.0', method: 'kept' });
  const sessionKeys = async (sessionId: string) =>
    (await raw.keys()).filter((key) => key.startsWith(keys.session(sessionId)));
  expect(await sessionKeys(purged)).toHaveLength(4);

  await events.purgeSession(purged);
  expect(await sessionKeys(purged)).toEqual([]);
  expect(await sessionKeys(other)).toEqual([keys.events(other), keys.stream(other, 'post-1')].sort());
});

test('a stream id of 512 characters is stored under its own key, one of 513 is refused; one call per append', async () => {
  const sessionId = newSessionId();
  const events = openEvents();
  const store = events.forSession(sessionId);
  const longest = 's'.repeat(512);
  await store.storeEvent(longest, { jsonrpc: '2.0', method: 'long' });
  expect(events.backendCalls).toBe(1);
  expect(await raw.redis.xlen(keys.stream(sessionId, longest))).toBe(1);
  await expect(store.storeEvent(`${longest}s`, { jsonrpc: '2.0', method: 'longer' })).rejects.toMatchObject({
    code: 'INVALID_ARGUMENT',
  });
  expect(events.backendCalls).toBe(1);
});
