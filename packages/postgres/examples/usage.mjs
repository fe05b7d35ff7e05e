// The README's example: a PostgreSQL-backed session store, event store, bus and claim store.
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node examples/usage.mjs
import { generateSessionId, inboxChannel } from '@mcp-session-store/core';
import {
  migrate,
  PostgresClaimStore,
  PostgresEventStore,
  PostgresMessageBus,
  PostgresSessionStore,
} from '@mcp-session-store/postgres';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
});
// pg reports errors of idle connections here; without a listener Node would exit on them.
pool.on('error', (err) => console.error(`idle connection lost: ${err.message}`));

const schema = `mcp_example_${process.pid}`; // default 'public'
await migrate(pool, { schema }); // idempotent, safe from many processes at once

const store = new PostgresSessionStore({ pool, schema, ttlSeconds: 3600, sweepIntervalMs: 60_000 });
const events = new PostgresEventStore({ pool, schema, ttlMs: 3_600_000 });
const bus = new PostgresMessageBus({ pool, schema });

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

// Messages between processes.
let deliver;
const received = new Promise((resolve) => {
  deliver = resolve;
});
await bus.subscribe(inboxChannel('pod-1'), deliver); // resolved: the subscription is live
await bus.publish(inboxChannel('pod-1'), { hello: 'pod-1' });
console.log(`pod-1 received ${JSON.stringify(await received)}`);

// At most once across processes (a 2026-07-28 requestState consumed once): one claim wins.
const claims = new PostgresClaimStore({ pool, schema, sweepIntervalMs: 60_000 });
const stateKey = `rs:${generateSessionId()}`;
const won = await claims.claim(stateKey, 600_000);
const wonAgain = await claims.claim(stateKey, 600_000); // on any process, while the claim lives
console.log(`first claim ${won}, second claim ${wonAgain}`);

await store.delete(session.id); // also removes the session's events
await Promise.all([store.close(), events.close(), bus.close(), claims.close()]);
await pool.query(`DROP SCHEMA ${schema} CASCADE`); // the example cleans up after itself
await pool.end();
