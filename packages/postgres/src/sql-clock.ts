/**
 * The database's clock in epoch milliseconds, as a SQL expression. Every time a record or an event
 * carries, and every expiry decision, comes from it: pods with skewed clocks then agree on what is
 * expired. `now()` is the start of the current transaction, so one statement sees one instant.
 */
export const NOW_MS = '(floor(extract(epoch FROM now()) * 1000))::bigint';
