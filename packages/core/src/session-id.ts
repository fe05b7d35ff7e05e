import { randomBytes } from 'node:crypto';
import { SessionStoreError } from './errors.js';

/** Longest session id a store accepts. */
export const MAX_SESSION_ID_LENGTH = 256;

// Visible ASCII only (0x21-0x7E), as the MCP spec requires of session ids.
const SESSION_ID_PATTERN = /^[\x21-\x7e]{1,256}$/;

/** True if `id` is 1-256 visible ASCII characters (0x21-0x7E). */
export function isValidSessionId(id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID_PATTERN.test(id);
}

/**
 * Throws `INVALID_SESSION_ID` unless `id` is valid. Stores call it before any backend call, so a
 * hostile id never reaches a key, a query or a log line.
 */
export function assertValidSessionId(id: unknown): asserts id is string {
  if (!isValidSessionId(id)) {
    const length = typeof id === 'string' ? id.length : undefined;
    throw new SessionStoreError(
      'INVALID_SESSION_ID',
      'Session id must be 1-256 visible ASCII characters (0x21-0x7E)',
      { details: { type: typeof id, length } },
    );
  }
}

/**
 * A new session id: 256 bits from the operating system's CSPRNG, base64url (43 characters).
 *
 * @example
 * ```ts
 * const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: generateSessionId });
 * ```
 */
export function generateSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A session id made safe for logs: the first 6 characters and the length, never the whole id
 * (a full id is a bearer credential for that session).
 */
export function redactSessionId(id: string): string {
  return `${id.slice(0, 6)}…(${id.length})`;
}
