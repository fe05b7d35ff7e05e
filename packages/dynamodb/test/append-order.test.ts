// One request per stored event, and still one order with no gap on every process: a stream's first
// event is written in its head, each later one by a transaction that moves the head from n - 1 to n
// beside event n. Two clients (two
// processes) write one stream, one of them stalled mid-request; a follower on a third sees exactly
// what a replay shows. Counted with the event stores' own call counters.
import { randomBytes } from 'node:crypto';
import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { StoredMessage } from '@mcp-session-store/core';
import { deleteNamespace, localClient } from '../examples/conformance-factory.mjs';
import { createTable, DynamoDBEventStore, DynamoKeys } from '../src/index.js';

const tableName = 'mcpss-conformance';
const namespace = `order${randomBytes(4).toString('hex')}`;
const clients = [localClient(process.env.DYNAMODB_ENDPOINT), localClient(process.env.DYNAMODB_ENDPOINT)];
const stores: DynamoDBEventStore[] = [];

beforeAll(() => createTable(clients[0]!, { tableName }));
afterAll(async () => {
  for (const store of stores) await store.close();
  await deleteNamespace(clients[0]!, namespace);
  for (const client of clients) client.destroy();
});

/** An event store on `client`, as one more process; closed after the file. */
function open(client: DynamoDBClient, options: { maxEventsPerStream?: number } = {}): DynamoDBEventStore {
  const store = new DynamoDBEventStore({ client, tableName, namespace, followIntervalMs: 20, ...options });
  stores.push(store);
  return store;
}

/** Polls `check` until it returns true, or `timeoutMs` passes; returns whether it did. */
async function until(check: () => boolean, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

const sid = () => `order-${randomBytes(6).toString('hex')}`;
const note = (n: number | string): StoredMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/n',
  params: { n },
});

/** Runs `fn` on `store`; resolves with how many requests it sent. */
async function requests(store: DynamoDBEventStore, fn: () => Promise<unknown>): Promise<number> {
  const before = store.backendCalls;
  await fn();
  return store.backendCalls - before;
}

/**
 * `client`, whose next transaction writing a message that contains `marker` is held back (a stalled
 * network) until `release()` returns true; `state.stalled` says it has been reached.
 */
function stallingClient(client: DynamoDBClient, marker: string, release: () => boolean) {
  const state = { stalled: false };
  const stalling = Object.create(client) as DynamoDBClient;
  stalling.send = (async (command: unknown, options?: unknown) => {
    const input = command instanceof TransactWriteItemsCommand ? command.input : undefined;
    const writesMarker = (input as TransactWriteItemsCommandInput | undefined)?.TransactItems?.some((item) =>
      item.Put?.Item?.m?.S?.includes(marker),
    );
    if (writesMarker && !state.stalled) {
      state.stalled = true;
      await until(release, 15_000);
    }
    return (client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
  }) as DynamoDBClient['send'];
  return { client: stalling, state };
}

test('two processes append to one stream, one stalled mid-request: one order, no gap, no duplicate, on every reader', async () => {
  const sessionId = sid();
  const others = new Set<number>();
  const stalled = stallingClient(clients[0]!, 'stalled', () => others.size >= 3);
  const a = open(stalled.client, {});
  const b = open(clients[1]!);
  const reader = open(clients[0]!);
  const first = await b.forSession(sessionId).storeEvent('_GET_stream', note('b0'));
  await a.forSession(sessionId).storeEvent('_GET_stream', note('a0'));
  const controller = new AbortController();
  const followed: Array<{ eventId: string; message: StoredMessage }> = [];
  await reader.forSession(sessionId).follow(first, {
    signal: controller.signal,
    send: async (eventId, message) => void followed.push({ eventId, message }),
  });

  // A's next append stalls inside its request; B appends three meanwhile, then A's lands.
  const late = a.forSession(sessionId).storeEvent('_GET_stream', note('stalled'));
  expect(await until(() => stalled.state.stalled)).toBe(true);
  for (let i = 1; i <= 3; i++) {
    await b.forSession(sessionId).storeEvent('_GET_stream', note(`b${i}`));
    others.add(i);
  }
  const lateId = await late;
  const more = await a.forSession(sessionId).storeEvent('_GET_stream', note('a1'));
  expect(await until(() => followed.length >= 6)).toBe(true);
  controller.abort();

  const order = followed.map((e) => (e.message.params as { n: string }).n);
  // The stalled write was refused (another process had moved the head) and retried after B's.
  expect(order).toEqual(['a0', 'b1', 'b2', 'b3', 'stalled', 'a1']);
  expect(followed.at(-2)!.eventId).toBe(lateId);
  expect(followed.at(-1)!.eventId).toBe(more);
  // Sequence numbers (the ids' last part) are contiguous: nothing skipped, nothing claimed and lost.
  const seqs = [first, ...followed.map((e) => e.eventId)].map((id) => Number(id.split('.').at(-1)));
  expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
  const replayed: Array<{ eventId: string; message: StoredMessage }> = [];
  await b.forSession(sessionId).replayEventsAfter(first, {
    send: async (eventId, message) => void replayed.push({ eventId, message }),
  });
  expect(replayed).toEqual(followed);
});

test('one request per stored event, none per priming event; learning a head another process moved costs one more', async () => {
  const sessionId = sid();
  const a = open(clients[0]!);
  const b = open(clients[1]!);
  const onA = a.forSession(sessionId);
  const onB = b.forSession(sessionId);
  // A POST's stream: its priming event, then its response, on a stream nobody wrote yet.
  expect(await requests(a, () => onA.storeEvent('post-1', {}))).toBe(0);
  expect(await requests(a, () => onA.storeEvent('post-1', note('response')))).toBe(1);
  // The GET stream, appended by A again and again.
  expect(await requests(a, () => onA.storeEvent('_GET_stream', note(1)))).toBe(1);
  expect(await requests(a, () => onA.storeEvent('_GET_stream', note(2)))).toBe(1);
  // B's first append to it: refused once (it returns the head as it is), then written.
  expect(await requests(b, () => onB.storeEvent('_GET_stream', note(3)))).toBe(2);
  expect(await requests(b, () => onB.storeEvent('_GET_stream', note(4)))).toBe(1);
  // A's view is now stale: the same, once.
  expect(await requests(a, () => onA.storeEvent('_GET_stream', note(5)))).toBe(2);
  expect(await requests(a, () => onA.storeEvent('_GET_stream', note(6)))).toBe(1);
});

test('a stream over its cap drops its oldest event in the same request', async () => {
  const sessionId = sid();
  const store = open(clients[0]!, { maxEventsPerStream: 3 });
  const events = store.forSession(sessionId);
  const ids: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const calls = await requests(store, async () => ids.push(await events.storeEvent('s', note(i))));
    expect(calls).toBe(1);
  }
  const { Items = [] } = await clients[0]!.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
      ExpressionAttributeValues: {
        ':pk': { S: new DynamoKeys(namespace).events(sessionId) },
        ':e': { S: 'e#' },
      },
      ConsistentRead: true,
    }),
  );
  expect(Items.map((item) => Number(item.seq?.N))).toEqual([4, 5, 6]);
  // Event 1 lived in the stream's head: trimmed from there.
  const { Item: head } = await clients[0]!.send(
    new GetItemCommand({
      TableName: tableName,
      Key: {
        pk: { S: new DynamoKeys(namespace).events(sessionId) },
        sk: { S: `h#${Buffer.from('s').toString('base64url')}` },
      },
      ConsistentRead: true,
    }),
  );
  expect(head?.seq?.N).toBe('6');
  expect(head?.m).toBeUndefined();
  expect(await events.getStreamIdForEventId(ids[2]!)).toBeUndefined();
  expect(await events.getStreamIdForEventId(ids[3]!)).toBe('s');
});

test('concurrent appends on one process wait for each other: one request each, in call order', async () => {
  const sessionId = sid();
  const store = open(clients[0]!);
  const events = store.forSession(sessionId);
  await events.storeEvent('s', note(0));
  const before = store.backendCalls;
  const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => events.storeEvent('s', note(i + 1))));
  expect(store.backendCalls - before).toBe(10);
  expect(ids.map((id) => Number(id.split('.').at(-1)))).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});

test('an append sent twice (the SDK retrying after a lost answer) is stored once', async () => {
  const sessionId = sid();
  // Every transaction goes out twice, as a retry would after an answer lost on the way back.
  const twice = Object.create(clients[0]!) as DynamoDBClient;
  twice.send = (async (command: unknown, options?: unknown) => {
    const send = clients[0]!.send as (c: unknown, o?: unknown) => Promise<unknown>;
    if (command instanceof TransactWriteItemsCommand) await send.call(clients[0], command, options);
    return send.call(clients[0], command, options);
  }) as DynamoDBClient['send'];
  const store = open(twice);
  const events = store.forSession(sessionId);
  const ids = [await events.storeEvent('s', note(1)), await events.storeEvent('s', note(2))];
  const replayed: StoredMessage[] = [];
  await events.replayEventsAfter(await events.storeEvent('s', {}), {
    send: async (_id, message) => void replayed.push(message),
  });
  expect(replayed).toEqual([note(1), note(2)]);
  expect(ids.map((id) => Number(id.split('.').at(-1)))).toEqual([1, 2]);
});
