// DynamoDBClaimStore on DynamoDB Local (test/support/global-setup.ts): what a claim stores (the
// millisecond expiry and the native TTL attribute in epoch seconds), one winner among claimers on
// separate clients, and a claim taken again once the store's clock passed its end.
import { randomBytes } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type Clock, systemClock, TestClock } from '@mcp-session-store/core';
import { deleteNamespace, localClient } from '../examples/conformance-factory.mjs';
import { CLAIM_SK } from '../src/dynamodb-claim-store.js';
import { createTable, DynamoDBClaimStore, DynamoKeys, TTL_ATTRIBUTE } from '../src/index.js';

const tableName = 'mcpss-conformance';
const namespace = `claims${randomBytes(4).toString('hex')}`;
const keys = new DynamoKeys(namespace);
const clients = [localClient(process.env.DYNAMODB_ENDPOINT)];
const client = clients[0]!;

beforeAll(() => createTable(client, { tableName }));
afterAll(async () => {
  const withoutTtl = await deleteNamespace(client, namespace);
  for (const c of clients) c.destroy();
  expect(withoutTtl).toEqual([]);
});

const newKey = (label: string) => `${label}:${randomBytes(6).toString('hex')}`;

function newStore(clock: Clock = systemClock, c = client): DynamoDBClaimStore {
  return new DynamoDBClaimStore({ client: c, tableName, namespace, clock });
}

async function claimItem(key: string) {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { pk: { S: keys.claim(key) }, sk: { S: CLAIM_SK } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

test('a claim is one item with its end in ms and the native TTL attribute in seconds; a losing claim changes nothing', async () => {
  const clock = new TestClock(1_800_000_000_123);
  const store = newStore(clock);
  const key = newKey('rs');
  expect(await store.claim(key, 1_500)).toBe(true);
  const item = await claimItem(key);
  expect(item).toEqual({
    pk: { S: `${namespace}#c#${key}` },
    sk: { S: 'claim' },
    kind: { S: 'claim' },
    expiresAt: { N: '1800000001623' },
    // Rounded up to the second: DynamoDB never deletes a claim before its end.
    [TTL_ATTRIBUTE]: { N: '1800000002' },
  });
  clock.advance(1_000);
  expect(await store.claim(key, 600_000)).toBe(false);
  expect(await claimItem(key)).toEqual(item);
  // One round trip per claim.
  expect(store.backendCalls).toBe(2);
  await store.close();
});

test('the claim ends exactly ttl after it was taken, by the store clock', async () => {
  const clock = new TestClock();
  const a = newStore(clock);
  const b = newStore(clock);
  const key = newKey('end');
  expect(await a.claim(key, 5_000)).toBe(true);
  clock.advance(4_999);
  expect(await b.claim(key, 5_000)).toBe(false);
  clock.advance(1);
  expect(await b.claim(key, 5_000)).toBe(true);
  expect(await a.claim(key, 5_000)).toBe(false);
  await Promise.all([a.close(), b.close()]);
});

test('claimers on four separate clients: exactly one winner per key, fresh or expired, over many keys', async () => {
  const own = Array.from({ length: 4 }, () => localClient(process.env.DYNAMODB_ENDPOINT));
  clients.push(...own);
  const clock = new TestClock();
  const stores = own.map((c) => newStore(clock, c));
  /**
   * Winners per key when 16 callers (4 per client) claim it at once. Keys one after another: DynamoDB
   * Local on a small machine refuses connections under hundreds of concurrent requests.
   */
  const race = async (claimKeys: string[]) => {
    const winners: number[] = [];
    for (const key of claimKeys) {
      const results = await Promise.all(
        stores.flatMap((store) => Array.from({ length: 4 }, () => store.claim(key, 60_000))),
      );
      winners.push(results.filter(Boolean).length);
    }
    return winners;
  };
  const claimKeys = Array.from({ length: 25 }, () => newKey('race'));
  expect(await race(claimKeys)).toEqual(claimKeys.map(() => 1));
  expect(await race(claimKeys)).toEqual(claimKeys.map(() => 0));
  // Every claim past its end but not deleted by DynamoDB yet: the take-over lets exactly one through.
  clock.advance(60_000);
  expect(await race(claimKeys)).toEqual(claimKeys.map(() => 1));
  await Promise.all(stores.map((store) => store.close()));
});

test('with the system clock, a short claim is taken again once it ended, by one claimer', async () => {
  const a = newStore();
  const b = newStore();
  const key = newKey('short');
  const before = Date.now();
  expect(await a.claim(key, 100)).toBe(true);
  // A losing claim changes nothing, so polling with claims is harmless; the first true ends it.
  const deadline = before + 15_000;
  while (!(await b.claim(key, 60_000))) {
    if (Date.now() > deadline) throw new Error('the claim was not free 15 s after a 100 ms TTL');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Never free before its end (a lower bound, so no machine is too slow for it).
  expect(Date.now() - before).toBeGreaterThanOrEqual(100);
  expect(await a.claim(key, 60_000)).toBe(false);
  await Promise.all([a.close(), b.close()]);
});
