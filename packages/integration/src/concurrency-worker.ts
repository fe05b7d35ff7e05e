// One process of the concurrency test: applies `count` read-modify-write increments (CAS, retried
// on conflict) and `count` last-writer-wins writes of its own metadata key to one session, through
// its own store (backend from the environment, as a pod's). Prints one JSON line: its conflicts.
import { isSessionStoreError } from '@mcp-session-store/core';
import { backendFromEnv } from '@mcp-session-store/env-backend';

const [sessionId, worker, countText] = process.argv.slice(2);
if (!sessionId || !worker || !countText)
  throw new Error('usage: concurrency-worker <sessionId> <worker> <count>');
const count = Number(countText);
const backend = await backendFromEnv();
const { store } = backend;
let conflicts = 0;
for (let i = 1; i <= count; i++) {
  // Read-modify-write of a shared counter: only compare-and-set makes this safe.
  for (;;) {
    const record = await store.get(sessionId);
    if (!record) throw new Error('the session disappeared');
    const counter = Number(record.metadata.counter ?? 0);
    try {
      await store.update(
        sessionId,
        { metadata: { counter: counter + 1 } },
        { expectedVersion: record.version },
      );
      break;
    } catch (error) {
      if (!isSessionStoreError(error, 'SESSION_CONFLICT')) throw error;
      conflicts++;
    }
  }
  // A key of its own, last writer wins: the merge by key must keep every other worker's keys.
  await store.update(sessionId, { metadata: { [`worker-${worker}`]: i } });
}
console.log(JSON.stringify({ worker, conflicts }));
await store.close();
await backend.disconnect();
