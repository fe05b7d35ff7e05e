// Conformance factory for @mcp-session-store/memory: the module the CLI loads.
//   npx mcp-session-store-conformance node_modules/@mcp-session-store/memory/examples/conformance-factory.mjs
// Copy it as the starting point of your own adapter's factory.
import {
  MemoryBackend,
  MemoryClaimStore,
  MemoryEventStore,
  MemoryMessageBus,
  MemorySessionStore,
} from '@mcp-session-store/memory';

// One backend for the whole run: two factory calls with the same namespace must behave as two
// processes sharing one server, as they would with Redis or PostgreSQL. Exported for tests that
// read what was stored.
export const backend = new MemoryBackend();

/** @type {import('@mcp-session-store/core/conformance').AdapterFactory} */
export default function createMemoryAdapter(ctx) {
  const common = { backend, namespace: ctx.namespace, clock: ctx.clock, sweepIntervalMs: 0 };
  return {
    sessionStore: new MemorySessionStore({
      ...common,
      idleTtlMs: ctx.idleTtlMs,
      maxLifetimeMs: ctx.maxLifetimeMs,
      maxRecordBytes: ctx.maxRecordBytes,
      onError: ctx.onError,
    }),
    eventStore: new MemoryEventStore({
      ...common,
      ttlMs: ctx.eventTtlMs,
      maxEventsPerStream: ctx.maxEventsPerStream,
    }),
    bus: new MemoryMessageBus({ backend, namespace: ctx.namespace, onError: ctx.onError }),
    claimStore: new MemoryClaimStore({ ...common, onError: ctx.onError }),
    inspect: {
      backendCalls: () => backend.operationCount,
      // The claim's remaining life, read from the backend's map (not through the store under test).
      async claimTtlMs(key) {
        const endsAt = backend.state(ctx.namespace).claims.get(key);
        const left = endsAt === undefined ? 0 : endsAt - ctx.clock.now();
        return left > 0 ? left : null;
      },
      async corruptSession(id) {
        const stored = backend.state(ctx.namespace).sessions.get(id);
        if (stored) stored.text = '{"id": not json';
      },
    },
  };
}
