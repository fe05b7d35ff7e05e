// One process of the concurrency test: applies `count` read-modify-write increments (CAS, retried
// on conflict), `count` last-writer-wins writes of its own metadata key, and `count`
// `logging/setLevel` requests through a router serving the test server of SDK_MAJOR (1 or 2,
// default 1), which persists the level (last writer wins), all to one session, through its own
// store (backend from the environment, as a pod's). Prints one JSON line: its conflicts and the
// last level it set.
import { isSessionStoreError, type LoggingLevel } from '@mcp-session-store/core';
import { backendFromEnv } from '@mcp-session-store/env-backend';
import { HEADERS, rpc } from './raw-mcp.js';
import { createTestRouter, sdkMajorFromEnv } from './sdk-major.js';

/** The levels the workers set, in turn (each worker starts at its own). */
const LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

const [sessionId, worker, countText] = process.argv.slice(2);
if (!sessionId || !worker || !countText)
  throw new Error('usage: concurrency-worker <sessionId> <worker> <count>');
const count = Number(countText);
const backend = await backendFromEnv();
const { store } = backend;
const router = createTestRouter(sdkMajorFromEnv(), `worker-${worker}`, {
  store,
  bus: backend.bus,
  processId: `worker-${worker}`,
  principal: ({ request }) => request.headers.get('x-user'),
  keepAliveMs: 0,
});
let conflicts = 0;
let level: LoggingLevel | undefined;
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
  // The router's own write (the level, last writer wins) must neither lose nor be lost by the others.
  level = LEVELS[(Number(worker) + i) % LEVELS.length]!;
  const res = await router.fetch(
    new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': sessionId },
      body: rpc(`level-${i}`, 'logging/setLevel', { level }),
    }),
  );
  const answer = await res.text();
  if (res.status !== 200 || !answer.includes('"result"'))
    throw new Error(`logging/setLevel: HTTP ${res.status} ${answer.slice(0, 300)}`);
}
console.log(JSON.stringify({ worker, conflicts, level }));
// The router leaves the bus; the bus (its own subscriber connection) is closed by its owner.
await router.close({ deadlineMs: 1_000 });
await backend.bus.close();
await store.close();
await backend.disconnect();
