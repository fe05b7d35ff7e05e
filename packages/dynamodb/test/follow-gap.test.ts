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
// The stalled write is held until the follower has fenced its number off (the follower waits 3 s
// for a missing number first); this bounds that wait, below the writer's call bound (15 s).
const FENCE_BOUND_MS = 12_000;

/** Polls `check` until it returns true, or `timeoutMs` passes; returns whether it did. */
async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

beforeAll(() => createTable(client, { tableName }));
afterAll(async () => {
  await deleteNamespace(client, namespace);
  client.destroy();
});

/**
 * The same DynamoDB, reached through a client whose next event write is held back (a stalled
 * network) until `release()` is true or {@link FENCE_BOUND_MS} passes. `stalled` tells whether that
 * write has been reached (its sequence number is claimed), `released` whether `release()` ended the stall.
 */
function stallingClient(release: () => boolean) {
  let armed = false;
  const state = { stalled: false, released: false };
  const stalling = Object.create(client) as DynamoDBClient;
  stalling.send = (async (command: unknown, options?: unknown) => {
    const item = command instanceof PutItemCommand ? command.input.Item : undefined;
    if (armed && item?.kind?.S === 'event') {
      armed = false;
      state.stalled = true;
      state.released = await until(release, FENCE_BOUND_MS);
    }
    return (client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
  }) as DynamoDBClient['send'];
  return { client: stalling, arm: () => (armed = true), state };
}

test('a stalled append loses to the follower that fenced its number off: it fails, and every reader agrees', async () => {
  const reader = new DynamoDBEventStore({ client, tableName, namespace, followIntervalMs: 50 });
  const followed: StoredMessage[] = [];
  // The follower delivers event 3 only once it has fenced number 2 off: then the write may land.
  const stalled = stallingClient(() => followed.length > 0);
  const writer = new DynamoDBEventStore({
    client: stalled.client,
    tableName,
    namespace,
    callTimeoutMs: 15_000,
  });
  const sessionId = `session-${randomBytes(4).toString('hex')}`;
  try {
    const first = await reader.forSession(sessionId).storeEvent('s', { n: 1 });
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
    if (!(await until(() => stalled.state.stalled, 15_000)))
      throw new Error('the writer never claimed number 2');
    await reader.forSession(sessionId).storeEvent('s', { n: 3 });

    // The follower waits for number 2, fences it off and moves on to 3; the stalled write then
    // finds the fence and fails instead of landing behind the follower.
    const outcome = await lateOutcome;
    if (!stalled.state.released) throw new Error(`number 2 was not fenced off within ${FENCE_BOUND_MS} ms`);
    expect(outcome).toBe('refused');
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
}, 45_000);
