/**
 * `@mcp-session-store/memory`: session store, event store, message bus and claim store in process memory.
 *
 * @packageDocumentation
 */
export { MemoryBackend } from './backend.js';
export { MemoryClaimStore, type MemoryClaimStoreOptions } from './memory-claim-store.js';
export { MemoryEventStore, type MemoryEventStoreOptions } from './memory-event-store.js';
export { MemoryMessageBus, type MemoryMessageBusOptions } from './memory-message-bus.js';
export { MemorySessionStore, type MemorySessionStoreOptions } from './memory-session-store.js';
