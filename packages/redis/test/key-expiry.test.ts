// Raw read-back: after every operation, every key this package wrote carries a native expiry.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeys } from '../examples/conformance-factory.mjs';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '../src/index.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keyPrefix = `mcpss-test:ttl-${randomBytes(4).toString('hex')}:`;

afterAll(async () => {
  await deleteKeys(redis, keyPrefix);
  redis.disconnect();
});

async function keysWithoutExpiry(): Promise<string[]> {
  const keys = await redis.keys(`${keyPrefix}*`);
  expect(keys.length).toBeGreaterThan(0);
  const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
  return keys.filter((_, i) => !(ttls[i]! > 0));
}

test('every key under the prefix has a positive PTTL after each operation', async () => {
  const store = new RedisSessionStore({ redis, keyPrefix, idleTtlMs: 60_000 });
  const events = new RedisEventStore({ redis, keyPrefix, ttlMs: 60_000, maxEventsPerStream: 3 });
  const bus = new RedisMessageBus({ redis, keyPrefix });
  const session = {
    id: 'sess-1',
    principal: 'alice',
    protocolVersion: '2025-11-25',
    clientInfo: { name: 'c', version: '1' },
  };
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['create', () => store.create(session)],
    ['create of a principal-less session', () => store.create({ ...session, id: 'sess-2', principal: null })],
    ['update', () => store.update('sess-1', { metadata: { a: 1 }, logLevel: 'debug' })],
    ['touch', () => store.touch('sess-1')],
    ['list', () => store.list('alice')],
    ['store events', () => events.forSession('sess-1').storeEvent('_GET_stream', { n: 1 })],
    ['store on a second stream', () => events.forSession('sess-1').storeEvent('post-1', {})],
    ['publish', () => bus.publish('ch', { x: 1 })],
    ['delete one of two', () => store.delete('sess-2')],
  ];
  for (const [name, step] of steps) {
    await step();
    expect({ after: name, keysWithoutExpiry: await keysWithoutExpiry() }).toEqual({
      after: name,
      keysWithoutExpiry: [],
    });
  }
  await Promise.all([store.close(), events.close(), bus.close()]);
});

test('refuses a key prefix that would break hash tags', () => {
  for (const keyPrefix of ['mcp:{x}:', '', 'has space']) {
    expect(() => new RedisSessionStore({ redis, keyPrefix })).toThrow(/keyPrefix/);
  }
});
