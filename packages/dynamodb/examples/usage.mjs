// The README's example: a DynamoDB-backed session store, event store, bus and claim store.
// Run: DYNAMODB_ENDPOINT=http://127.0.0.1:8000 node examples/usage.mjs
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { generateSessionId, inboxChannel } from '@mcp-session-store/core';
import {
  createTable,
  DynamoDBClaimStore,
  DynamoDBEventStore,
  DynamoDBMessageBus,
  DynamoDBSessionStore,
} from '@mcp-session-store/dynamodb';

// On AWS: new DynamoDBClient({}) and a table from your infrastructure code (see tableDefinition).
const client = new DynamoDBClient({
  endpoint: process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:8000',
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const tableName = 'mcp-sessions';
await createTable(client, { tableName }); // idempotent; for development and tests
const namespace = `example-${process.pid}`; // default 'mcp'

const store = new DynamoDBSessionStore({ client, tableName, namespace, ttlSeconds: 3600 });
const events = new DynamoDBEventStore({ client, tableName, namespace, ttlMs: 3_600_000 });
const bus = new DynamoDBMessageBus({ client, tableName, namespace });

const session = await store.create({
  id: generateSessionId(),
  principal: 'user-42',
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'example-client', version: '1.0.0' },
});
console.log(`created, expires in ${Math.round((session.expiresAt - session.createdAt) / 1000)} s`);

// Any process can now load, touch or update it.
await store.touch(session.id);
const updated = await store.update(session.id, { logLevel: 'info' }, { expectedVersion: 1 });
console.log(`version ${updated.version}, log level ${updated.logLevel}`);

// Resumable streams: the SDK stores each outgoing message; another process can replay them.
const sessionEvents = events.forSession(session.id);
const first = await sessionEvents.storeEvent('_GET_stream', { jsonrpc: '2.0', method: 'notifications/a' });
await sessionEvents.storeEvent('_GET_stream', { jsonrpc: '2.0', method: 'notifications/b' });
await sessionEvents.replayEventsAfter(first, {
  send: async (_id, message) => console.log(`replayed ${message.method}`),
});

// Messages between processes (delivered by inbox polling, every 50 ms by default).
let deliver;
const received = new Promise((resolve) => {
  deliver = resolve;
});
await bus.subscribe(inboxChannel('pod-1'), deliver); // resolved: the subscription is live
await bus.publish(inboxChannel('pod-1'), { hello: 'pod-1' });
console.log(`pod-1 received ${JSON.stringify(await received)}`);

// At most once across processes (a 2026-07-28 requestState consumed once): one claim wins.
const claims = new DynamoDBClaimStore({ client, tableName, namespace });
const stateKey = `rs:${generateSessionId()}`;
const won = await claims.claim(stateKey, 600_000);
const wonAgain = await claims.claim(stateKey, 600_000); // on any process, while the claim lives
console.log(`first claim ${won}, second claim ${wonAgain}`);

await store.delete(session.id);
await events.purgeSession(session.id);
await Promise.all([store.close(), events.close(), bus.close(), claims.close()]);
client.destroy(); // yours: the stores never destroy it
