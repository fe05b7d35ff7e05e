import type { PostgresNames } from './names.js';
import { NOW_MS } from './sql-clock.js';

/** How long a payload too large for NOTIFY stays in the table for subscribers to read it. */
export const STORED_PAYLOAD_TTL_MS = 60_000;

/**
 * Largest payload sent inline in the NOTIFY itself (PostgreSQL refuses 8000 bytes and more); larger
 * ones go through the payloads table.
 */
export const INLINE_PAYLOAD_BYTES = 7_900;

/** The statements of the message bus (values are bind parameters; only table names are spliced). */
export interface BusStatements {
  /** $1 channel, $2 notification payload. */
  notify: string;
  /** $1 channel, $2 payload JSON. Stores it, notifies its row id, and removes a few expired rows. */
  notifyStored: string;
  /** $1 row id. */
  fetch: string;
}

export function busStatements(n: PostgresNames): BusStatements {
  return {
    notify: 'SELECT pg_notify($1, $2)',
    notifyStored: `WITH stored AS (
  INSERT INTO ${n.busPayloads} (payload, expires_at) VALUES ($2, ${NOW_MS} + ${STORED_PAYLOAD_TTL_MS}) RETURNING id
), expired AS (
  DELETE FROM ${n.busPayloads} WHERE id IN (
    SELECT id FROM ${n.busPayloads} WHERE expires_at <= ${NOW_MS} ORDER BY expires_at LIMIT 16 FOR UPDATE SKIP LOCKED)
)
SELECT pg_notify($1, 'r:' || stored.id) FROM stored`,
    fetch: `SELECT payload FROM ${n.busPayloads} WHERE id = $1::bigint`,
  };
}
