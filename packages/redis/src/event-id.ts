/**
 * Event ids are `<token>.<base64url(streamId)>.<entryId>`: the token is random per session (so an
 * id is never valid in another session), the middle part says which Redis stream to read, and the
 * entry id is Redis's. They are only a pointer: the stream id a lookup returns is the one stored
 * with the event, and the token must match the session's.
 */
export interface ParsedEventId {
  token: string;
  streamId: string;
  entryId: string;
}

// Canonical numbers only: Redis reads "5-00" as "5-0", which would let a non-canonical id resolve.
const ENTRY_ID = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,19})$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function formatEventId(token: string, streamId: string, entryId: string): string {
  return `${token}.${Buffer.from(streamId, 'utf8').toString('base64url')}.${entryId}`;
}

/** The parts of an event id, or null for anything that is not one of ours. */
export function parseEventId(eventId: unknown): ParsedEventId | null {
  if (typeof eventId !== 'string' || eventId.length > 1024) return null;
  const parts = eventId.split('.');
  if (parts.length !== 3) return null;
  const [token, stream, entryId] = parts as [string, string, string];
  if (!BASE64URL.test(token) || !BASE64URL.test(stream) || !ENTRY_ID.test(entryId)) return null;
  return { token, streamId: Buffer.from(stream, 'base64url').toString('utf8'), entryId };
}
