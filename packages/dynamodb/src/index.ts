/**
 * `@mcp-session-store/dynamodb`: session store, event store, message bus (inbox polling) and claim
 * store on one DynamoDB table, with the AWS SDK v3 low-level client.
 *
 * @packageDocumentation
 */
export { DEFAULT_CALL_TIMEOUT_MS } from './call-runner.js';
export { DynamoDBClaimStore, type DynamoDBClaimStoreOptions } from './dynamodb-claim-store.js';
export {
  DEFAULT_FOLLOW_INTERVAL_MS,
  DynamoDBEventStore,
  type DynamoDBEventStoreOptions,
  MAX_EVENT_BYTES,
} from './dynamodb-event-store.js';
export {
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_SUBSCRIPTION_TTL_MS,
  DynamoDBMessageBus,
  type DynamoDBMessageBusOptions,
} from './dynamodb-message-bus.js';
export {
  DynamoDBSessionStore,
  type DynamoDBSessionStoreOptions,
  MAX_RECORD_BYTES_LIMIT,
} from './dynamodb-session-store.js';
export { DEFAULT_NAMESPACE, DynamoKeys } from './keys.js';
export {
  type CreateTableOptions,
  createTable,
  PRINCIPAL_INDEX,
  TTL_ATTRIBUTE,
  tableDefinition,
} from './table.js';
