// Conformance factory for @mcp-session-store/dynamodb: what the CLI loads.
//   DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npx mcp-session-store-conformance examples/conformance-factory.mjs
// One table per run (created if missing); every test is isolated by its namespace.
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  createTable,
  DynamoDBClaimStore,
  DynamoDBEventStore,
  DynamoDBMessageBus,
  DynamoDBSessionStore,
  DynamoKeys,
} from '@mcp-session-store/dynamodb';

const ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:8000';
const TABLE = process.env.DYNAMODB_TABLE ?? 'mcpss-conformance';

/** A client for DynamoDB Local: fake credentials, short timeouts, few retries. */
export function localClient(endpoint = ENDPOINT) {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
  });
}

let shared;
/** One client and one table per process; fails fast, saying how to get a DynamoDB Local. */
async function setup() {
  shared ??= (async () => {
    const client = localClient();
    try {
      await createTable(client, { tableName: TABLE, timeoutMs: 10_000 });
    } catch (err) {
      client.destroy();
      throw new Error(
        `DynamoDB is not reachable at ${ENDPOINT} (${err.message}). Start DynamoDB Local (java -jar DynamoDBLocal.jar -inMemory -sharedDb) or set DYNAMODB_ENDPOINT.`,
      );
    }
    return client;
  })();
  return shared;
}

/** Every item of a namespace (a scan is fine in tests; the adapter itself never scans). */
export async function itemsOf(client, namespace) {
  const items = [];
  let ExclusiveStartKey;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: TABLE,
        ConsistentRead: true,
        FilterExpression: 'begins_with(pk, :ns)',
        ExpressionAttributeValues: { ':ns': { S: `${namespace}#` } },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Removes every item of a namespace; returns the sort keys of those without a TTL (there must be none). */
export async function deleteNamespace(client, namespace) {
  const items = await itemsOf(client, namespace);
  const withoutTtl = items.filter((item) => item.ttl?.N === undefined).map((item) => item.pk.S);
  for (let i = 0; i < items.length; i += 25) {
    const requests = items.slice(i, i + 25).map((item) => ({
      DeleteRequest: { Key: { pk: item.pk, sk: item.sk } },
    }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
  }
  return withoutTtl;
}

/** @type {import('@mcp-session-store/core/conformance').AdapterFactory} */
export default async function factory(ctx) {
  const client = await setup();
  const common = { client, tableName: TABLE, namespace: ctx.namespace };
  const sessionStore = new DynamoDBSessionStore({
    ...common,
    clock: ctx.clock,
    idleTtlMs: ctx.idleTtlMs,
    maxLifetimeMs: ctx.maxLifetimeMs,
    maxRecordBytes: ctx.maxRecordBytes,
    onError: ctx.onError,
  });
  const eventStore = new DynamoDBEventStore({
    ...common,
    clock: ctx.clock,
    ttlMs: ctx.eventTtlMs,
    maxEventsPerStream: ctx.maxEventsPerStream,
    followIntervalMs: 25,
  });
  const bus = new DynamoDBMessageBus({ ...common, pollIntervalMs: 20, onError: ctx.onError });
  const claimStore = new DynamoDBClaimStore({ ...common, clock: ctx.clock, onError: ctx.onError });
  const keys = new DynamoKeys(ctx.namespace);
  const remainingMs = (item) =>
    item?.ttl?.N === undefined ? null : Number(item.ttl.N) * 1000 - ctx.clock.now();
  return {
    sessionStore,
    eventStore,
    bus,
    claimStore,
    inspect: {
      backendCalls: () => sessionStore.backendCalls + eventStore.backendCalls + claimStore.backendCalls,
      async sessionTtlMs(id) {
        const { Item } = await client.send(
          new GetItemCommand({
            TableName: TABLE,
            Key: { pk: { S: keys.session(id) }, sk: { S: 'rec' } },
            ConsistentRead: true,
          }),
        );
        return remainingMs(Item);
      },
      async eventTtlMs(sessionId) {
        const { Items = [] } = await client.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: keys.events(sessionId) } },
            ConsistentRead: true,
          }),
        );
        const ttls = Items.map(remainingMs);
        return ttls.length === 0 || ttls.includes(null) ? null : Math.min(...ttls);
      },
      async claimTtlMs(key) {
        const { Item } = await client.send(
          new GetItemCommand({
            TableName: TABLE,
            Key: { pk: { S: keys.claim(key) }, sk: { S: 'claim' } },
            ConsistentRead: true,
          }),
        );
        return remainingMs(Item);
      },
      async corruptSession(id) {
        await client.send(
          new UpdateItemCommand({
            TableName: TABLE,
            Key: { pk: { S: keys.session(id) }, sk: { S: 'rec' } },
            UpdateExpression: 'SET #d = :bad',
            ExpressionAttributeNames: { '#d': 'data' },
            ExpressionAttributeValues: { ':bad': { S: '{"clientInfo": not json}' } },
          }),
        );
      },
    },
    // After every test: no item may be left without a native TTL, whatever the test did.
    async dispose() {
      const withoutTtl = await deleteNamespace(client, ctx.namespace);
      if (withoutTtl.length > 0) throw new Error(`items without TTL: ${withoutTtl.join(', ')}`);
    },
  };
}
