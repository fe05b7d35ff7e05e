import type { PostgresNames } from './names.js';
import { NOW_MS } from './sql-clock.js';

/**
 * The statements of the claim store. Only table names (validated, quoted) are spliced in; every
 * value is a bind parameter. Each is one round trip and atomic on its own.
 */
export interface ClaimStatements {
  /** $1 key, $2 ms the claim lives. Returns a row for the one caller that got the claim, none otherwise. */
  claim: string;
  /** $1 most rows. Removes expired claims; returns how many (`removed`). */
  sweep: string;
}

export function claimStatements(n: PostgresNames): ClaimStatements {
  return {
    // Inserts, or takes over a row whose claim has expired (by the database clock). Concurrent
    // claims of one key queue on the unique index and then the row lock, and each re-checks the
    // WHERE on the row as the previous winner left it: exactly one gets a row back. A live claim
    // is left as it is.
    claim: `INSERT INTO ${n.claims} AS c (key, expires_at)
SELECT $1, t.now_ms + $2::bigint FROM (SELECT ${NOW_MS} AS now_ms) t
ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
WHERE c.expires_at <= ${NOW_MS}
RETURNING expires_at`,
    // SKIP LOCKED: sweepers on several pods split the work instead of queueing; a row being
    // re-claimed right now is locked and skipped (and no longer expired once that commits).
    sweep: `WITH doomed AS (
  SELECT key FROM ${n.claims} WHERE expires_at <= ${NOW_MS} ORDER BY expires_at LIMIT $1::int FOR UPDATE SKIP LOCKED
), removed AS (
  DELETE FROM ${n.claims} c USING doomed d WHERE c.key = d.key RETURNING 1
)
SELECT count(*)::int AS removed FROM removed`,
  };
}
