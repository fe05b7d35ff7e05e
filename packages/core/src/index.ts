/**
 * `@mcp-session-store/core`: the contracts every backend adapter implements (session store, event
 * store, message bus), typed errors with stable codes, and the helpers adapters share.
 *
 * @packageDocumentation
 */
export { type Clock, systemClock, TestClock } from './clock.js';
export type {
  ClaimStoreCapabilities,
  EventStoreCapabilities,
  MessageBusCapabilities,
  SessionStoreCapabilities,
} from './contract/capabilities.js';
export {
  CLAIM_KEY_PATTERN,
  type ClaimStore,
  type ClaimStoreBaseOptions,
  MAX_CLAIM_TTL_MS,
} from './contract/claim-store.js';
export {
  type EventStoreBaseOptions,
  type EventStoreFactory,
  isPrimingEvent,
  type SendEvent,
  type SessionEventStore,
  type StoredMessage,
} from './contract/event-store.js';
export {
  inboxChannel,
  MAX_BUS_PAYLOAD_BYTES,
  type MessageBus,
  type MessageHandler,
  type Unsubscribe,
} from './contract/message-bus.js';
export {
  type ClientInfo,
  LOGGING_LEVELS,
  type LoggingLevel,
  type NewSession,
  type SessionPatch,
  type SessionRecord,
} from './contract/session-record.js';
export {
  DEFAULT_MAX_RECORD_BYTES,
  type ListOptions,
  type SessionPage,
  type SessionStore,
  type SessionStoreBaseOptions,
  type UpdateOptions,
} from './contract/session-store.js';
export { type EventStoreEncryptionOptions, encryptEventStore } from './encryption/encrypted-event-store.js';
export {
  type EncryptedSessionStore,
  encryptSessionStore,
  type ReencryptOptions,
  type SessionStoreEncryptionOptions,
} from './encryption/encrypted-session-store.js';
export {
  ENVELOPE_PREFIX,
  type EnvelopeFailure,
  envelopeKeyId,
  isEnvelope,
  openEnvelope,
  sealEnvelope,
} from './encryption/envelope.js';
export {
  createKeyring,
  ENCRYPTION_KEY_BYTES,
  type EncryptionKeyMaterial,
  KEY_ID_PATTERN,
  Keyring,
  type KeyringOptions,
} from './encryption/keyring.js';
export { ENCRYPTED_FIELD_KEY, type EncryptedField } from './encryption/session-fields.js';
export {
  ENCRYPTED_VALUE_OVERHEAD_BYTES,
  type EncryptedRecordBytesOptions,
  encryptedRecordBytes,
} from './encryption/size.js';
export {
  type ErrorCode,
  ErrorCodes,
  isSessionStoreError,
  SessionStoreError,
  type SessionStoreErrorOptions,
} from './errors.js';
export {
  cloneJson,
  findNonJson,
  isPlainObject,
  type JsonObject,
  type JsonPrimitive,
  type JsonValue,
  jsonByteLength,
} from './json.js';
export {
  defaultRequestBinding,
  defaultRequestStatePrincipal,
  type RequestStateContext,
} from './request-state/binding.js';
export {
  createRequestStateCodec,
  DEFAULT_REQUEST_STATE_TTL_SECONDS,
  REQUEST_STATE_CLAIM_MARGIN_MS,
  type RequestStateCodec,
  type RequestStateCodecOptions,
} from './request-state/codec.js';
export {
  isRequestStateError,
  RequestStateError,
  type RequestStateFailure,
} from './request-state/errors.js';
export {
  createServerEventBus,
  SERVER_EVENT_KINDS,
  SERVER_EVENTS_CHANNEL,
  type ServerEvent,
  type ServerEventBusOptions,
  type SharedServerEventBus,
} from './server-events/server-event-bus.js';
export {
  assertValidSessionId,
  generateSessionId,
  isValidSessionId,
  MAX_SESSION_ID_LENGTH,
  redactSessionId,
} from './session-id.js';
export {
  createGracefulShutdown,
  type Drainable,
  type GracefulShutdown,
  type GracefulShutdownOptions,
  type ShutdownPhase,
} from './shutdown/graceful-shutdown.js';
export {
  DEFAULT_STATE_HANDLE_PREFIX,
  STATE_HANDLE_PREFIX_PATTERN,
} from './state-handles/handle-format.js';
export {
  createStateHandles,
  isStateHandleRecord,
  STATE_HANDLE_RECORD_MARKER,
  type StateHandleEntry,
  type StateHandleRetryOptions,
  type StateHandles,
  type StateHandlesOptions,
  type StateHandleUpdateOptions,
  type StateHandleUpdater,
} from './state-handles/state-handles.js';
export { type BackendTimeoutOptions, withBackendTimeout } from './store-kit/backend-timeout.js';
export {
  type BusSubscription,
  deliverToSubscriptions,
  newBusSubscription,
} from './store-kit/bus-dispatch.js';
export { validateClaim } from './store-kit/claims.js';
export {
  DEFAULT_EVENT_TTL_MS,
  DEFAULT_IDLE_TTL_MS,
  DEFAULT_MAX_EVENTS_PER_STREAM,
  type EventStoreLimits,
  expiryAt,
  resolveEventStoreLimits,
  resolveStoreLimits,
  type StoreLimits,
} from './store-kit/limits.js';
export {
  isPrimingEventId,
  PRIMING_EVENT_ID_PREFIX,
  parsePrimingEventId,
  primingEventId,
} from './store-kit/priming-event-id.js';
export {
  applyPatch,
  assertRecordSize,
  buildRecord,
  decodeRecord,
  isExpired,
  isSessionRecord,
  touchRecord,
  validateExpectedVersion,
  validateNewSession,
  validatePatch,
} from './store-kit/records.js';
export {
  assertBusPayload,
  assertValidChannel,
  closedError,
  encodeStoredMessage,
  validateListOptions,
} from './store-kit/validation.js';
export {
  ATTR as TELEMETRY_ATTRIBUTES,
  INSTRUMENTATION_SCOPE as TELEMETRY_SCOPE,
  METRIC as TELEMETRY_METRICS,
  SPAN as TELEMETRY_SPANS,
} from './telemetry/names.js';
export type { MeterProviderLike, TelemetryOptions, TracerProviderLike } from './telemetry/telemetry.js';
