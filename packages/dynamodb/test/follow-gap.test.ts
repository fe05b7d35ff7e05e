// An append that stalls between claiming its sequence number and writing its event: a follower
// waits for it, then fences the number off. Whichever comes first, the event or the fence, every
// reader sees the same history: a live follower never misses an event that a replay would show.
import { randomBytes } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { isSessionStoreError, type StoredMessage } from '@mcp-session-store/core';
import { deleteNamespace, localClient } from '../examples/conformance-factory.mjs';
import { createTable, DynamoDBEventStore } from '../src/index.js';

const client = localClient(process.env.DYNAMODB_ENDPOINT);
const tableName = 'mcpss-conformance';
const namespace = `gap${randomBytes(4).toString('hex')}`;
// Longer than the follower's wait for a missing number (3 s), shorter than the call bound below.
const STALL_MS = 5_000;

beforeAll(() => createTable(client, { tableName }));
afterAll(async () => {
  await deleteNamespace(client, namespace);
  client.destroy();
});

/** The same DynamoDB, reached through a client whose next event write is held back (a stalled network). */
function stallingClient() {
  let armed = false;
  const stalling = Object.create(client) as DynamoDBClient;
  stalling.send = (async (command: unknown, options?: unknown) => {
    const item = command instanceof PutItemCommand ? command.input.Item : undefined;
    if (armed && item?.kind?.S === 'event') {
      armed = false;
      await new Promise((resolve) => setTimeout(resolve, STALL_MS));
    }
    return (client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
  }) as DynamoDBClient['send'];
  return { client: stalling, arm: () => (armed = true) };
}

test('a stalled append loses to the follower that fenced its number off: it fails, and every reader agrees', async () => {
  const reader = new DynamoDBEventStore({ client, tableName, namespace, followIntervalMs: 50 });
  const stalled = stallingClient();
  const writer = new DynamoDBEventStore({
    client: stalled.client,
    tableName,
    namespace,
    callTimeoutMs: 15_000,
  });
  const sessionId = `session-${randomBytes(4).toString('hex')}`;
  try {
    const first = await reader.forSession(sessionId).storeEvent('s', { n: 1 });
    const followed: StoredMessage[] = [];
    const controller = new AbortController();
    await reader.forSession(sessionId).follow(first, {
      signal: controller.signal,
      send: async (_id, message) => {
        followed.push(message);
      },
    });

    stalled.arm();
    // Claims number 2, then stalls before writing it.
    const late = writer.forSession(sessionId).storeEvent('s', { n: 2 });
    const lateOutcome = late.then(
      () => 'stored',
      (error: unknown) => (isSessionStoreError(error, 'BACKEND_UNAVAILABLE') ? 'refused' : String(error)),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await reader.forSession(sessionId).storeEvent('s', { n: 3 });

    // The follower waits for number 2, fences it off and moves on to 3; the stalled write then
    // finds the fence and fails instead of landing behind the follower.
    expect(await lateOutcome).toBe('refused');
    const deadline = Date.now() + 5_000;
    while (followed.length < 1 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(followed).toEqual([{ n: 3 }]);

    // A replay tells the same story: the event that was refused is nowhere.
    const replayed: StoredMessage[] = [];
    await reader.forSession(sessionId).replayEventsAfter(first, {
      send: async (_id, message) => {
        replayed.push(message);
      },
    });
    expect(replayed).toEqual([{ n: 3 }]);
  } finally {
    await reader.close();
    await writer.close();
  }
}, 30_000);
