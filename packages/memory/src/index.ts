/**
 * `@mcp-session-store/memory`: session store, event store and message bus in process memory.
 *
 * @packageDocumentation
 */
export { MemoryBackend } from './backend.js';
export { MemoryEventStore, type MemoryEventStoreOptions } from './memory-event-store.js';
export { MemoryMessageBus, type MemoryMessageBusOptions } from './memory-message-bus.js';
export { MemorySessionStore, type MemorySessionStoreOptions } from './memory-session-store.js';
