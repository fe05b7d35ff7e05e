/**
 * `@mcp-session-store/redis`: session store, event store (Streams), message bus (pub/sub) and claim
 * store on ioredis, standalone or Cluster.
 *
 * @packageDocumentation
 */
export { DEFAULT_COMMAND_TIMEOUT_MS } from './command-runner.js';
export { DEFAULT_KEY_PREFIX, RedisKeys } from './keys.js';
export { RedisClaimStore, type RedisClaimStoreOptions } from './redis-claim-store.js';
export type { RedisClient } from './redis-client.js';
export { RedisEventStore, type RedisEventStoreOptions } from './redis-event-store.js';
export { RedisMessageBus, type RedisMessageBusOptions } from './redis-message-bus.js';
export {
  type RedisLogLevel,
  RedisSessionStore,
  type RedisSessionStoreOptions,
} from './redis-session-store.js';
