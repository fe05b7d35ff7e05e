// Conformance factory for @mcp-session-store/postgres: what the CLI loads.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx mcp-session-store-conformance examples/conformance-factory.mjs
// Every namespace gets a throwaway schema, migrated on first use and dropped when the last component
// built on it is disposed: two factory calls with one namespace share data like two processes.
import {
  migrate,
  PostgresClaimStore,
  PostgresEventStore,
  PostgresMessageBus,
  PostgresSessionStore,
} from '@mcp-session-store/postgres';
import pg from 'pg';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The schema of a test namespace (namespaces are `[a-z0-9_]{14}`, so the name is valid). */
export const testSchema = (namespace) => `mcpss_test_${namespace}`;

/** Where the database is, for messages: the URL without its password. */
function describe(url) {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}

/** Fails fast, saying how to get a database, instead of letting every test time out. */
async function assertReachable(pool, where) {
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error('no answer within 3 s')), 3_000).unref(),
  );
  try {
    await Promise.race([pool.query('SELECT 1'), timeout]);
  } catch (err) {
    await pool.end().catch(() => {});
    throw new Error(
      `PostgreSQL is not reachable at ${describe(where)} (${err.message}). Start one (apt-get install postgresql; pg_ctlcluster 15 main start) or set DATABASE_URL.`,
    );
  }
}

/** Drops a test schema and everything in it. The name is ours and validated: safe to quote. */
export async function dropSchema(pool, schema) {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) throw new Error(`not a schema name: ${schema}`);
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** Open components per schema in this process: the last one out drops the schema. */
const users = new Map();

/**
 * @param {string} connectionString
 * @returns {import('@mcp-session-store/core/conformance').AdapterFactory}
 */
export function createFactory(connectionString = DATABASE_URL) {
  return async (ctx) => {
    const pool = new pg.Pool({ connectionString, max: 4, connectionTimeoutMillis: 3_000 });
    pool.on('error', () => {}); // idle connections that die: the next query reports it, typed
    await assertReachable(pool, connectionString);
    const schema = testSchema(ctx.namespace);
    await migrate(pool, { schema });
    users.set(schema, (users.get(schema) ?? 0) + 1);
    const sessionStore = new PostgresSessionStore({
      pool,
      schema,
      idleTtlMs: ctx.idleTtlMs,
      maxLifetimeMs: ctx.maxLifetimeMs,
      maxRecordBytes: ctx.maxRecordBytes,
      onError: ctx.onError,
    });
    const eventStore = new PostgresEventStore({
      pool,
      schema,
      ttlMs: ctx.eventTtlMs,
      maxEventsPerStream: ctx.maxEventsPerStream,
    });
    const bus = new PostgresMessageBus({ pool, schema, onError: ctx.onError });
    const claimStore = new PostgresClaimStore({ pool, schema, onError: ctx.onError });
    const { sessions, eventSessions, claims } = sessionStore.names;
    const nowMs = '(floor(extract(epoch FROM now()) * 1000))::bigint';
    return {
      sessionStore,
      eventStore,
      bus,
      claimStore,
      inspect: {
        backendCalls: () => sessionStore.backendCalls + eventStore.backendCalls + claimStore.backendCalls,
        async sessionTtlMs(id) {
          const { rows } = await pool.query(
            `SELECT expires_at - ${nowMs} AS ttl FROM ${sessions} WHERE id = $1`,
            [id],
          );
          return rows[0] ? Number(rows[0].ttl) : null;
        },
        async eventTtlMs(sessionId) {
          const { rows } = await pool.query(
            `SELECT expires_at - ${nowMs} AS ttl FROM ${eventSessions} WHERE session_id = $1`,
            [sessionId],
          );
          return rows[0] ? Number(rows[0].ttl) : null;
        },
        async claimTtlMs(key) {
          const { rows } = await pool.query(
            `SELECT expires_at - ${nowMs} AS ttl FROM ${claims} WHERE key = $1`,
            [key],
          );
          return rows[0] ? Number(rows[0].ttl) : null;
        },
        async corruptSession(id) {
          await pool.query(`UPDATE ${sessions} SET data = $2 WHERE id = $1`, [
            id,
            '{"protocolVersion": not json',
          ]);
        },
      },
      async dispose() {
        const left = users.get(schema) - 1;
        try {
          if (left === 0) {
            users.delete(schema);
            await dropSchema(pool, schema);
          } else users.set(schema, left);
        } finally {
          await pool.end();
        }
      },
    };
  };
}

export default createFactory();
