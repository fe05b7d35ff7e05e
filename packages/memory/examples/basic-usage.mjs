// Basic use of a SessionStore (here the in-memory one; every adapter has the same API).
// Run: node examples/basic-usage.mjs
import { generateSessionId, isSessionStoreError } from '@mcp-session-store/core';
import { MemorySessionStore } from '@mcp-session-store/memory';

const store = new MemorySessionStore({ idleTtlMs: 30 * 60_000, maxLifetimeMs: 24 * 3_600_000 });

// What `initialize` established, stored before the client sees the session id.
const session = await store.create({
  id: generateSessionId(),
  principal: 'user-42',
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'example-client', version: '1.0.0' },
  clientCapabilities: { elicitation: {} },
});

await store.touch(session.id); // each request slides the idle expiry

// Compare-and-set: only one of two concurrent writers with the same version wins.
await store.update(session.id, { logLevel: 'debug' }, { expectedVersion: session.version });
try {
  await store.update(session.id, { metadata: { theme: 'dark' } }, { expectedVersion: session.version });
} catch (err) {
  if (!isSessionStoreError(err, 'SESSION_CONFLICT')) throw err;
  console.log(`conflict detected: current version is ${err.details.currentVersion}`);
}

const { records } = await store.list('user-42');
console.log(`user-42 has ${records.length} live session(s); log level ${records[0]?.logLevel}`);

console.log(`deleted: ${await store.delete(session.id)}`);
await store.close();
