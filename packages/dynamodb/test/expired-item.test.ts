// DynamoDB deletes expired items only eventually: an item whose millisecond expiresAt has passed,
// but whose TTL attribute is still in the future (not deleted yet), must read as absent.
import { randomBytes } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { isSessionStoreError, TestClock } from '@mcp-session-store/core';
import { deleteNamespace, localClient } from '../examples/conformance-factory.mjs';
import { createTable, DynamoDBSessionStore, DynamoKeys } from '../src/index.js';

const client = localClient(process.env.DYNAMODB_ENDPOINT);
const tableName = 'mcpss-conformance';
const namespace = `expired${randomBytes(4).toString('hex')}`;

beforeAll(() => createTable(client, { tableName }));
afterAll(async () => {
  await deleteNamespace(client, namespace);
  client.destroy();
});

test('an expired item not yet deleted by DynamoDB is absent for get, touch and update, and can be re-created', async () => {
  const clock = new TestClock();
  const store = new DynamoDBSessionStore({ client, tableName, namespace, clock, idleTtlMs: 60_000 });
  const keys = new DynamoKeys(namespace);
  const id = 'stale-session';
  const now = clock.now();
  const content = {
    id,
    principal: 'alice',
    protocolVersion: '2025-11-25',
    clientInfo: { name: 'c', version: '1' },
    clientCapabilities: {},
    logLevel: null,
    metadata: {},
  };
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        pk: { S: keys.session(id) },
        sk: { S: 'rec' },
        kind: { S: 'session' },
        data: { S: JSON.stringify(content) },
        createdAt: { N: String(now - 120_000) },
        lastActivityAt: { N: String(now - 61_000) },
        expiresAt: { N: String(now - 1_000) }, // passed
        version: { N: '3' },
        ttl: { N: String(Math.ceil((now + 3_600_000) / 1000)) }, // DynamoDB would keep it an hour more
        gpk: { S: keys.principal('alice') },
        gsk: { S: id },
      },
    }),
  );
  expect(await store.get(id)).toBeNull();
  expect(await store.touch(id)).toBe(false);
  const error = await store.update(id, { logLevel: 'debug' }).catch((e: unknown) => e);
  expect(isSessionStoreError(error, 'SESSION_NOT_FOUND')).toBe(true);
  await expect(store.update(id, {}, { expectedVersion: 3 })).rejects.toMatchObject({
    code: 'SESSION_NOT_FOUND',
  });
  expect((await store.list('alice')).records).toEqual([]);
  // Still absent after all that (touch wrote nothing), and the id can be created over the stale item.
  expect(await store.get(id)).toBeNull();
  const again = await store.create({ ...content, principal: 'bob' });
  expect(again.version).toBe(1);
  expect(await store.get(id)).toEqual(again);
  expect(await store.delete(id)).toBe(true);
  await store.close();
});
