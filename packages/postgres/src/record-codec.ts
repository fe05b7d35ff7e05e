import { decodeRecord, type SessionRecord, type SessionStoreError } from '@mcp-session-store/core';

/** A row of the sessions table as `pg` returns it (`bigint` columns come back as strings). */
export interface SessionRow {
  id: string;
  principal_json: string | null;
  data: string;
  created_at: string;
  last_activity_at: string;
  expires_at: string;
  version: string;
}

/** The columns every read selects, in {@link SessionRow} order. */
export const SESSION_COLUMNS = 'id, principal_json, data, created_at, last_activity_at, expires_at, version';

/** The JSON text of a principal as stored in `principal_json` (null: no principal). */
export function principalJson(principal: string | null): string | null {
  return principal === null ? null : JSON.stringify(principal);
}

/**
 * The `data` column: the record's content fields, in the record's key order, as JSON text. The
 * times and version live in their own columns (the database computes them), `id` and principal too.
 */
export function encodeData(record: SessionRecord): string {
  return JSON.stringify({
    protocolVersion: record.protocolVersion,
    clientInfo: record.clientInfo,
    clientCapabilities: record.clientCapabilities,
    logLevel: record.logLevel,
    metadata: record.metadata,
  });
}

/**
 * The record a row holds. The row's parts are spliced into the record's JSON text (exactly what
 * `JSON.stringify(record)` gives, so sizes agree with core) and decoded by core's `decodeRecord`:
 * anything unreadable or of the wrong shape is reported as `CORRUPT_RECORD` and reads as null.
 */
export function decodeRow(
  row: SessionRow,
  onError: ((error: SessionStoreError) => void) | undefined,
): SessionRecord | null {
  const data = row.data.trim();
  // `{...}` minus its braces; anything else is left as it is, so it fails to parse.
  const inner = data.startsWith('{') && data.endsWith('}') ? data.slice(1, -1) : data;
  const text = `{"id":${JSON.stringify(row.id)},"principal":${row.principal_json ?? 'null'},${inner},"createdAt":${row.created_at},"lastActivityAt":${row.last_activity_at},"expiresAt":${row.expires_at},"version":${row.version}}`;
  return decodeRecord(text, row.id, onError);
}
