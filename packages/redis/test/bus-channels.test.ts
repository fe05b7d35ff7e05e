// What the message bus does on the Redis server, seen by a raw client: a publish is the payload's JSON
// text on `<prefix>bus:<channel>` and writes no key; a channel holds one server subscription while any
// handler listens on it, released by the last unsubscribe and by close(); a raw PUBLISH reaches the
// handlers (the wire format is the contract between processes of different versions).
import type { JsonValue } from '@mcp-session-store/core';
import { RedisKeys, RedisMessageBus } from '../src/index.js';
import { openRawRedis, type RawRedis } from './raw-redis.js';

let raw: RawRedis;
let keys: RedisKeys;

beforeAll(async () => {
  raw = await openRawRedis('bus-channels');
  keys = new RedisKeys(raw.keyPrefix);
});

afterAll(async () => {
  await raw?.end();
});

const openBus = () => new RedisMessageBus({ redis: raw.connect(), keyPrefix: raw.keyPrefix });

/** Server-side subscriptions of `channel` (any client). */
async function subscribers(channel: string): Promise<number> {
  const [, count] = (await raw.redis.pubsub('NUMSUB', keys.channel(channel))) as [string, number];
  return Number(count);
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('a publish is the JSON text on <prefix>bus:<channel>, and no key', async () => {
  const listener = raw.connect();
  const received: Array<[string, string]> = [];
  listener.on('message', (channel: string, text: string) => void received.push([channel, text]));
  await listener.subscribe(keys.channel('inbox:pod-1'));
  const bus = openBus();
  const payload = { kind: 'answer', text: 'héllo "x"', n: [1, null] };
  await bus.publish('inbox:pod-1', payload);
  await waitFor(() => received.length > 0, 'the raw subscriber to receive the message');
  expect(received).toEqual([[`${raw.keyPrefix}bus:inbox:pod-1`, JSON.stringify(payload)]]);
  expect(await raw.keys()).toEqual([]);
  await bus.close();
});

test('a raw PUBLISH of JSON text reaches the handler as the parsed value', async () => {
  const bus = openBus();
  const received: JsonValue[] = [];
  await bus.subscribe('events', (message) => void received.push(message));
  await raw.redis.publish(keys.channel('events'), '{"from":"another version","n":2}');
  await waitFor(() => received.length > 0, 'the handler to receive the raw message');
  expect(received).toEqual([{ from: 'another version', n: 2 }]);
  await bus.close();
});

test('one server subscription per channel while a handler listens; the last unsubscribe releases it', async () => {
  const bus = openBus();
  expect(await subscribers('shared')).toBe(0);
  const first = await bus.subscribe('shared', () => {});
  const second = await bus.subscribe('shared', () => {});
  expect(await subscribers('shared')).toBe(1);
  await first();
  expect(await subscribers('shared')).toBe(1);
  await second();
  expect(await subscribers('shared')).toBe(0);
  // Subscribing again after the release subscribes on the server again.
  const again = await bus.subscribe('shared', () => {});
  expect(await subscribers('shared')).toBe(1);
  await again();
  await bus.close();
});

test('close() releases every server subscription of the bus', async () => {
  const bus = openBus();
  await bus.subscribe('a', () => {});
  await bus.subscribe('b', () => {});
  expect([await subscribers('a'), await subscribers('b')]).toEqual([1, 1]);
  await bus.close();
  await waitFor(
    async () => (await subscribers('a')) + (await subscribers('b')) === 0,
    'the server to drop the closed subscriber connection',
  );
});

test('unsubscribing after close() opens no connection', async () => {
  const connectionName = `mcpss-bus-${raw.keyPrefix.split(':')[1]}`;
  /** Connections on the server under this test's name (the bus's subscriber inherits it). */
  const connections = async () =>
    ((await raw.redis.client('LIST')) as string)
      .split('\n')
      .filter((line) => line.includes(`name=${connectionName}`)).length;
  const bus = new RedisMessageBus({ redis: raw.connect({ connectionName }), keyPrefix: raw.keyPrefix });
  const off = await bus.subscribe('late', () => {});
  await waitFor(async () => (await connections()) === 2, 'the client and the subscriber connection');
  await bus.close();
  await waitFor(async () => (await connections()) === 1, 'the subscriber connection to close');
  await off();
  expect(await connections()).toBe(1);
});
