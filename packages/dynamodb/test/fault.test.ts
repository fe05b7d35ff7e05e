// Fault test on a DynamoDB Local of its own (never the shared one): kill it mid-run, every operation
// must fail with a typed, retryable BACKEND_UNAVAILABLE in bounded time instead of hanging (a claim
// never resolves, true or false); restart it on the same port, and the same store, event store, bus
// and claim store work again without being rebuilt.
import { isSessionStoreError } from '@mcp-session-store/core';
import { localClient } from '../examples/conformance-factory.mjs';
import {
  createTable,
  DynamoDBClaimStore,
  DynamoDBEventStore,
  DynamoDBMessageBus,
  DynamoDBSessionStore,
} from '../src/index.js';
import { type DynamoDBLocalHandle, startDynamoDBLocal } from './support/dynamodb-local.js';

const CALL_TIMEOUT_MS = 2_000;
const tableName = 'mcpss-fault';
let local: DynamoDBLocalHandle;
let client: ReturnType<typeof localClient>;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  local = await startDynamoDBLocal();
  client = localClient(local.endpoint);
  await createTable(client, { tableName });
}, 60_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  client?.destroy();
  await local?.stop();
});

const session = (id: string) => ({
  id,
  principal: 'alice',
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'c', version: '1' },
});

async function eventually<T>(what: string, attempt: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} did not recover within ${timeoutMs} ms: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

test('a killed DynamoDB gives typed retryable errors that settle; after a restart everything works again', async () => {
  const options = { client, tableName, callTimeoutMs: CALL_TIMEOUT_MS };
  const store = new DynamoDBSessionStore({ ...options, idleTtlMs: 60_000 });
  const events = new DynamoDBEventStore(options);
  const claims = new DynamoDBClaimStore(options);
  const pollErrors: unknown[] = [];
  const bus = new DynamoDBMessageBus({
    ...options,
    subscriptionTtlMs: 900,
    onError: (error) => void pollErrors.push(error),
  });
  const received: unknown[] = [];
  await bus.subscribe('inbox:pod-1', (message) => void received.push(message));
  await store.create(session('before-outage'));
  const eventId = await events.forSession('before-outage').storeEvent('_GET_stream', { n: 1 });

  await local.stop();

  const operations: Array<[string, () => Promise<unknown>]> = [
    ['create', () => store.create(session('during-outage'))],
    ['get', () => store.get('before-outage')],
    ['update', () => store.update('before-outage', { logLevel: 'debug' })],
    ['touch', () => store.touch('before-outage')],
    ['delete', () => store.delete('before-outage')],
    ['list', () => store.list('alice')],
    ['storeEvent', () => events.forSession('before-outage').storeEvent('_GET_stream', { n: 2 })],
    ['replay', () => events.forSession('before-outage').replayEventsAfter(eventId, { send: async () => {} })],
    ['purge', () => events.purgeSession('before-outage')],
    ['publish', () => bus.publish('inbox:pod-1', { during: true })],
    ['subscribe', () => bus.subscribe('inbox:pod-2', () => {})],
    ['claim', () => claims.claim('rs:during-outage', 600_000)],
  ];
  for (const [name, operation] of operations) {
    const started = Date.now();
    // Settles well within a generous bound (10x the call bound, a loaded machine included): what
    // matters is that it never hangs; the typed error shows the adapter's own bound ended it.
    const outcome = await Promise.race([
      operation().then(
        () => ({ name, result: 'succeeded' }),
        (error: unknown) => ({
          name,
          result:
            isSessionStoreError(error, 'BACKEND_UNAVAILABLE') && error.retryable ? 'typed' : String(error),
        }),
      ),
      new Promise((resolve) => setTimeout(() => resolve({ name, result: 'hung' }), CALL_TIMEOUT_MS * 10)),
    ]);
    expect(outcome).toEqual({ name, result: 'typed' });
    expect(Date.now() - started).toBeLessThan(CALL_TIMEOUT_MS * 10);
  }
  // The bus's poller reported the outage through onError, typed.
  await eventually('poll error report', async () => {
    if (!pollErrors.some((e) => isSessionStoreError(e, 'BACKEND_UNAVAILABLE'))) throw new Error('none yet');
  });

  await local.start();
  // In memory: the restarted DynamoDB Local is empty, so the table is created again.
  await createTable(client, { tableName });

  // The same objects recover: no rebuild.
  await eventually('store', () => store.create(session('after-outage')));
  expect((await store.get('after-outage'))?.principal).toBe('alice');
  // A fresh key per attempt: an attempt that failed may still have landed, and then its key reads false.
  let attempt = 0;
  const claimed = await eventually('claim', async () => {
    const key = `rs:after-outage-${attempt++}`;
    return { key, won: await claims.claim(key, 600_000) };
  });
  expect(claimed.won).toBe(true);
  expect(await claims.claim(claimed.key, 600_000)).toBe(false);
  const first = await eventually('events', () => events.forSession('after-outage').storeEvent('s', { n: 1 }));
  await events.forSession('after-outage').storeEvent('s', { n: 2 });
  const replayed: unknown[] = [];
  await events.forSession('after-outage').replayEventsAfter(first, {
    send: async (_id, message) => void replayed.push(message),
  });
  expect(replayed).toEqual([{ n: 2 }]);
  // The subscription item is re-written by the refresher; then messages flow again.
  await eventually('bus', async () => {
    await bus.publish('inbox:pod-1', { after: true });
    const deadline = Date.now() + 500;
    while (Date.now() < deadline && received.length === 0) await new Promise((r) => setTimeout(r, 20));
    if (received.length === 0) throw new Error('not delivered yet');
  });
  expect(received[0]).toEqual({ after: true });

  await Promise.all([store.close(), events.close(), bus.close(), claims.close()]);
  expect(unhandled).toEqual([]);
}, 90_000);
