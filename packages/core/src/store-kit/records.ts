import {
  type ClientInfo,
  LOGGING_LEVELS,
  type NewSession,
  type SessionPatch,
  type SessionRecord,
} from '../contract/session-record.js';
import { SessionStoreError } from '../errors.js';
import { cloneJson, findNonJson, isPlainObject, type JsonObject, jsonByteLength } from '../json.js';
import { assertValidSessionId, redactSessionId } from '../session-id.js';
import { expiryAt, type StoreLimits } from './limits.js';

function invalid(message: string): SessionStoreError {
  return new SessionStoreError('INVALID_ARGUMENT', message);
}

function checkJsonObject(name: string, value: unknown): asserts value is JsonObject {
  if (!isPlainObject(value)) throw invalid(`${name} must be a plain JSON object`);
  const bad = findNonJson(value, name);
  if (bad) throw invalid(`${bad} is not JSON (undefined, function, NaN, Date, class instance or cycle)`);
}

function checkClientInfo(value: unknown): asserts value is ClientInfo {
  checkJsonObject('clientInfo', value);
  if (typeof value.name !== 'string' || typeof value.version !== 'string') {
    throw invalid('clientInfo must have string name and version');
  }
}

function checkLogLevel(value: unknown): void {
  if (value !== null && !LOGGING_LEVELS.includes(value as never)) {
    throw invalid(`logLevel must be null or one of ${LOGGING_LEVELS.join(', ')}`);
  }
}

function checkProtocolVersion(value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) {
    throw invalid('protocolVersion must be a non-empty string of at most 64 characters');
  }
}

/** Throws `INVALID_SESSION_ID` or `INVALID_ARGUMENT` unless `input` is a well-formed new session. */
export function validateNewSession(input: NewSession): void {
  if (!isPlainObject(input)) throw invalid('session must be an object');
  assertValidSessionId(input.id);
  if (input.principal !== undefined && input.principal !== null && typeof input.principal !== 'string') {
    throw invalid('principal must be a string or null');
  }
  checkProtocolVersion(input.protocolVersion);
  checkClientInfo(input.clientInfo);
  if (input.clientCapabilities !== undefined) checkJsonObject('clientCapabilities', input.clientCapabilities);
  if (input.logLevel !== undefined) checkLogLevel(input.logLevel);
  if (input.metadata !== undefined) checkJsonObject('metadata', input.metadata);
}

const PATCH_KEYS = new Set([
  'protocolVersion',
  'clientInfo',
  'clientCapabilities',
  'logLevel',
  'metadata',
  'unsetMetadata',
]);

/** Throws `INVALID_ARGUMENT` unless `patch` only holds changeable fields of the right types. */
export function validatePatch(patch: SessionPatch): void {
  if (!isPlainObject(patch)) throw invalid('patch must be an object');
  for (const key of Object.keys(patch)) {
    if (!PATCH_KEYS.has(key)) throw invalid(`patch cannot change ${key}`);
  }
  if (patch.protocolVersion !== undefined) checkProtocolVersion(patch.protocolVersion);
  if (patch.clientInfo !== undefined) checkClientInfo(patch.clientInfo);
  if (patch.clientCapabilities !== undefined) checkJsonObject('clientCapabilities', patch.clientCapabilities);
  if (patch.logLevel !== undefined) checkLogLevel(patch.logLevel);
  if (patch.metadata !== undefined) checkJsonObject('metadata', patch.metadata);
  if (
    patch.unsetMetadata !== undefined &&
    (!Array.isArray(patch.unsetMetadata) || patch.unsetMetadata.some((k) => typeof k !== 'string'))
  ) {
    throw invalid('unsetMetadata must be an array of strings');
  }
}

/** Throws `INVALID_ARGUMENT` unless `expectedVersion` is absent or a positive integer. */
export function validateExpectedVersion(expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1)) {
    throw invalid('expectedVersion must be a positive integer');
  }
}

/** Throws `RECORD_TOO_LARGE` if the record's JSON text exceeds `maxRecordBytes`. */
export function assertRecordSize(record: SessionRecord, maxRecordBytes: number): void {
  const bytes = jsonByteLength(record);
  if (bytes > maxRecordBytes) {
    throw new SessionStoreError(
      'RECORD_TOO_LARGE',
      `Session record is ${bytes} bytes; the limit is ${maxRecordBytes}`,
      { details: { bytes, maxRecordBytes } },
    );
  }
}

/**
 * The record `create` writes for a validated `input` at `now`. Copies every JSON value so the
 * caller's objects are never shared with the store.
 */
export function buildRecord(input: NewSession, now: number, limits: StoreLimits): SessionRecord {
  const record: SessionRecord = {
    id: input.id,
    principal: input.principal ?? null,
    protocolVersion: input.protocolVersion,
    clientInfo: cloneJson(input.clientInfo),
    clientCapabilities: cloneJson(input.clientCapabilities ?? {}),
    logLevel: input.logLevel ?? null,
    metadata: cloneJson(input.metadata ?? {}),
    createdAt: now,
    lastActivityAt: now,
    expiresAt: expiryAt(now, now, limits),
    version: 1,
  };
  assertRecordSize(record, limits.maxRecordBytes);
  return record;
}

/** `record` with `patch` applied and `version` + 1; checks the size of the result. */
export function applyPatch(
  record: SessionRecord,
  patch: SessionPatch,
  maxRecordBytes: number,
): SessionRecord {
  const metadata: JsonObject = { ...record.metadata, ...cloneJson(patch.metadata ?? {}) };
  for (const key of patch.unsetMetadata ?? []) delete metadata[key];
  const next: SessionRecord = {
    ...record,
    ...(patch.protocolVersion !== undefined && { protocolVersion: patch.protocolVersion }),
    ...(patch.clientInfo !== undefined && { clientInfo: cloneJson(patch.clientInfo) }),
    ...(patch.clientCapabilities !== undefined && {
      clientCapabilities: cloneJson(patch.clientCapabilities),
    }),
    ...(patch.logLevel !== undefined && { logLevel: patch.logLevel }),
    metadata,
    version: record.version + 1,
  };
  assertRecordSize(next, maxRecordBytes);
  return next;
}

/** `record` touched at `now`: activity and expiry slide, nothing else changes. */
export function touchRecord(record: SessionRecord, now: number, limits: StoreLimits): SessionRecord {
  return { ...record, lastActivityAt: now, expiresAt: expiryAt(record.createdAt, now, limits) };
}

/** True if `record` is expired at `now` (expiry is exclusive: at `expiresAt` it is gone). */
export function isExpired(record: Pick<SessionRecord, 'expiresAt'>, now: number): boolean {
  return record.expiresAt <= now;
}

const NUMBER_FIELDS = ['createdAt', 'lastActivityAt', 'expiresAt', 'version'] as const;

/** True if `value` has the shape of a {@link SessionRecord}. */
export function isSessionRecord(value: unknown): value is SessionRecord {
  if (!isPlainObject(value)) return false;
  return (
    typeof value.id === 'string' &&
    (value.principal === null || typeof value.principal === 'string') &&
    typeof value.protocolVersion === 'string' &&
    isPlainObject(value.clientInfo) &&
    isPlainObject(value.clientCapabilities) &&
    (value.logLevel === null || LOGGING_LEVELS.includes(value.logLevel as never)) &&
    isPlainObject(value.metadata) &&
    NUMBER_FIELDS.every((f) => Number.isFinite(value[f]))
  );
}

/**
 * Parses stored JSON text into a record. Anything unreadable, of the wrong shape, or stored under
 * another id, is reported through `onError` as `CORRUPT_RECORD` (with a redacted id) and gives
 * null: a corrupt record reads as absent instead of crashing the request.
 */
export function decodeRecord(
  text: string,
  expectedId: string,
  onError: ((error: SessionStoreError) => void) | undefined,
): SessionRecord | null {
  let value: unknown;
  let cause: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    cause = err;
  }
  if (isSessionRecord(value) && value.id === expectedId) return value;
  onError?.(
    new SessionStoreError('CORRUPT_RECORD', `Stored session ${redactSessionId(expectedId)} is unreadable`, {
      cause,
      details: { sessionId: redactSessionId(expectedId) },
    }),
  );
  return null;
}
