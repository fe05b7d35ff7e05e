import { type NewSession, type SessionPatch, type SessionRecord } from '../contract/session-record.js';
import { SessionStoreError } from '../errors.js';
import { type StoreLimits } from './limits.js';
/** Throws `INVALID_SESSION_ID` or `INVALID_ARGUMENT` unless `input` is a well-formed new session. */
export declare function validateNewSession(input: NewSession): void;
/** Throws `INVALID_ARGUMENT` unless `patch` only holds changeable fields of the right types. */
export declare function validatePatch(patch: SessionPatch): void;
/** Throws `INVALID_ARGUMENT` unless `expectedVersion` is absent or a positive integer. */
export declare function validateExpectedVersion(expectedVersion: number | undefined): void;
/** Throws `RECORD_TOO_LARGE` if the record's JSON text exceeds `maxRecordBytes`. */
export declare function assertRecordSize(record: SessionRecord, maxRecordBytes: number): void;
/**
 * The record `create` writes for a validated `input` at `now`. Copies every JSON value so the
 * caller's objects are never shared with the store.
 */
export declare function buildRecord(input: NewSession, now: number, limits: StoreLimits): SessionRecord;
/** `record` with `patch` applied and `version` + 1; checks the size of the result. */
export declare function applyPatch(record: SessionRecord, patch: SessionPatch, maxRecordBytes: number): SessionRecord;
/** `record` touched at `now`: activity and expiry slide, nothing else changes. */
export declare function touchRecord(record: SessionRecord, now: number, limits: StoreLimits): SessionRecord;
/** True if `record` is expired at `now` (expiry is exclusive: at `expiresAt` it is gone). */
export declare function isExpired(record: Pick<SessionRecord, 'expiresAt'>, now: number): boolean;
/** True if `value` has the shape of a {@link SessionRecord}. */
export declare function isSessionRecord(value: unknown): value is SessionRecord;
/**
 * Parses stored JSON text into a record. Anything unreadable, of the wrong shape, or stored under
 * another id, is reported through `onError` as `CORRUPT_RECORD` (with a redacted id) and gives
 * null: a corrupt record reads as absent instead of crashing the request.
 */
export declare function decodeRecord(text: string, expectedId: string, onError: ((error: SessionStoreError) => void) | undefined): SessionRecord | null;
//# sourceMappingURL=records.d.ts.map