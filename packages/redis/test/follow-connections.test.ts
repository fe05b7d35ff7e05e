// Every follower's own Redis connection is released, however the follow ends: a resumed stream
// that ends during its replay must not leave a connection behind.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeys } from '../examples/conformance-factory.mjs';
import { RedisEventStore } from '../src/index.js';

const name = `mcpss-follow-${randomBytes(4).toString('hex')}`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { connectionName: name });
const keyPrefix = `mcpss-test:${name}:`;

afterAll(async () => {
  await deleteKeys(redis, keyPrefix);
  redis.disconnect();
});

/** Connections on the server that carry this test's name (duplicates inherit it). */
async function connections(): Promise<number> {
  const list = (await redis.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(`name=${name}`)).length;
}

async function settle(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

test('follows stopped during replay, stopped later, or left to close() release their connections', async () => {
  const events = new RedisEventStore({ redis, keyPrefix });
  const store = events.forSession('s1');
  const first = await store.storeEvent('post-1', { n: 1 });
  await store.storeEvent('post-1', { n: 2 });
  const baseline = await connections();

  // Stopped by the send of the replay itself (a resumed POST stream ending with its response).
  for (let i = 0; i < 5; i++) {
    const controller = new AbortController();
    await store.follow(first, { signal: controller.signal, send: async () => controller.abort() });
  }
  // Stopped after the replay, while tailing.
  const live = new AbortController();
  await store.follow(first, { signal: live.signal, send: async () => {} });
  expect(await settle(async () => (await connections()) === baseline + 1)).toBe(true);
  live.abort();
  // Left running until the event store closes.
  await store.follow(first, { signal: new AbortController().signal, send: async () => {} });
  await events.close();
  expect(await settle(async () => (await connections()) === baseline)).toBe(true);
});
