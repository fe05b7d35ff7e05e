import {
  applyPatch,
  assertValidSessionId,
  buildRecord,
  closedError,
  isSessionStoreError,
  type ListOptions,
  type NewSession,
  resolveStoreLimits,
  type SessionPage,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type SessionStoreBaseOptions,
  type SessionStoreCapabilities,
  SessionStoreError,
  type StoreLimits,
  type UpdateOptions,
  validateExpectedVersion,
  validateListOptions,
  validateNewSession,
  validatePatch,
} from '@mcp-session-store/core';
import type { Pool } from 'pg';
import { PostgresNames, type PostgresNamingOptions } from './names.js';
import { QueryRunner, requirePool, resolveTimeout } from './query-runner.js';
import { decodeRow, encodeData, principalJson, type SessionRow } from './record-codec.js';
import { type SessionStatements, sessionStatements } from './session-sql.js';
import { backgroundSweeper, resolveSweepLimit, type Sweeper, type SweepOptions } from './sweeper.js';

/**
 * Options of {@link PostgresSessionStore}.
 *
 * @example
 * ```ts
 * const options: PostgresSessionStoreOptions = {
 *   pool,
 *   schema: 'mcp',
 *   ttlSeconds: 3600,
 *   maxLifetimeMs: 24 * 3_600_000,
 *   sweepIntervalMs: 60_000,
 *   onError: (error) => log.warn(error.code, error.message),
 * };
 * ```
 */
export interface PostgresSessionStoreOptions extends SessionStoreBaseOptions, PostgresNamingOptions {
  /** Your `pg.Pool`. The store never ends it. Attach `pool.on('error', ...)`: see the README. */
  pool: Pool;
  /** Idle TTL in seconds (the original proposal's option); same as `idleTtlMs` / 1000. */
  ttlSeconds?: number | undefined;
  /** Bound on each database call; past it the call fails with `BACKEND_UNAVAILABLE`. Default 5000 ms. */
  statementTimeoutMs?: number | undefined;
  /**
   * Runs {@link PostgresSessionStore.sweepExpired} this often in the background (unref'd timer,
   * stopped by `close()`; failures go to `onError`). Default: no background sweep.
   */
  sweepIntervalMs?: number | undefined;
  /** Most rows of each kind one background sweep removes. Default 1000. */
  sweepLimit?: number | undefined;
}

const CAPABILITIES: SessionStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/postgres',
  clock: 'backend',
  // Expired rows are invisible at once, but only removed by sweepExpired().
  nativeTtl: false,
  listByPrincipal: true,
  sharedAcrossProcesses: true,
  ttlGranularityMs: 1,
});

// Last-writer-wins updates retry when another writer got in between; this bounds the loop.
const MAX_UPDATE_ATTEMPTS = 100;

function resolveLimits(options: PostgresSessionStoreOptions): StoreLimits {
  const { ttlSeconds, idleTtlMs } = options;
  if (ttlSeconds !== undefined) {
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'ttlSeconds must be a positive integer');
    }
    if (idleTtlMs !== undefined && idleTtlMs !== ttlSeconds * 1000) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'ttlSeconds and idleTtlMs disagree: give one');
    }
  }
  return resolveStoreLimits({ ...options, idleTtlMs: idleTtlMs ?? (ttlSeconds && ttlSeconds * 1000) });
}

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | null): string | null {
  if (cursor === null) return null;
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'cursor must be a string from a previous page');
  }
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/**
 * A {@link SessionStore} on PostgreSQL (`pg`). Each operation is one statement (update too: the
 * patch is merged, sized and compare-and-set in the database; a record holding `\u0000`, which
 * PostgreSQL's JSON functions refuse, takes a read and a compare-and-set write instead), and every
 * time and expiry decision comes from the database clock
 * (`now()`), so pods with skewed clocks agree. Run {@link migrate} first, with the same
 * `schema`/`tablePrefix`.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { migrate, PostgresSessionStore } from '@mcp-session-store/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const store = new PostgresSessionStore({ pool, ttlSeconds: 3600, sweepIntervalMs: 60_000 });
 * ```
 */
export class PostgresSessionStore implements SessionStore {
  readonly capabilities = CAPABILITIES;
  /** The validated table names this store uses. */
  readonly names: PostgresNames;
  private readonly runner: QueryRunner;
  private readonly sql: SessionStatements;
  private readonly limits: StoreLimits;
  private readonly onError: SessionStoreBaseOptions['onError'];
  private readonly sweeper: Sweeper | undefined;
  private closed = false;

  constructor(options: PostgresSessionStoreOptions) {
    const pool = requirePool(options?.pool);
    this.names = new PostgresNames(options);
    this.runner = new QueryRunner(pool, resolveTimeout(options.statementTimeoutMs));
    this.sql = sessionStatements(this.names);
    this.limits = resolveLimits(options);
    this.onError = options.onError;
    this.sweeper = backgroundSweeper(options, (sweep) => this.sweepExpired(sweep));
  }

  /** How many statements this store has sent (each is one round trip). */
  get backendCalls(): number {
    return this.runner.calls;
  }

  async create(session: NewSession): Promise<SessionRecord> {
    this.assertOpen();
    validateNewSession(session);
    // Validated and size-checked locally: an oversized record never travels. The times are the
    // database's; a local time only stands in for them in the size check (same digit count).
    const local = buildRecord(session, Date.now(), this.limits);
    const ttl = local.expiresAt - local.createdAt;
    const { rows } = await this.runner.query<{ created_at: string; expires_at: string }>(
      'session create',
      this.sql.create,
      [local.id, principalJson(local.principal), encodeData(local), ttl],
    );
    const row = rows[0];
    if (!row) throw new SessionStoreError('SESSION_EXISTS', 'A live session with this id exists');
    const createdAt = Number(row.created_at);
    return { ...local, createdAt, lastActivityAt: createdAt, expiresAt: Number(row.expires_at) };
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.assertOpen();
    assertValidSessionId(id);
    const { rows } = await this.runner.query<SessionRow>('session get', this.sql.get, [id]);
    return rows[0] ? decodeRow(rows[0], this.onError) : null;
  }

  async update(id: string, patch: SessionPatch, options: UpdateOptions = {}): Promise<SessionRecord> {
    this.assertOpen();
    assertValidSessionId(id);
    validatePatch(patch);
    validateExpectedVersion(options.expectedVersion);
    const { expectedVersion } = options;
    const written = await this.patchInOneStatement(id, patch, expectedVersion);
    if (written) return written;
    return this.readThenWrite(id, patch, expectedVersion);
  }

  /**
   * The update as one statement (see `SessionStatements.patch`): the record, or undefined when the
   * stored data is beyond PostgreSQL's JSON functions (a `\u0000`, a corrupt record) and must be
   * read and merged here instead. Same errors as {@link readThenWrite}.
   */
  private async patchInOneStatement(
    id: string,
    patch: SessionPatch,
    expectedVersion: number | undefined,
  ): Promise<SessionRecord | undefined> {
    const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
    let row: PatchRow | undefined;
    try {
      ({
        rows: [row],
      } = await this.runner.query<PatchRow>('session update', this.sql.patch, [
        id,
        json(patch.protocolVersion),
        json(patch.clientInfo),
        json(patch.clientCapabilities),
        json(patch.logLevel),
        json(patch.metadata),
        patch.unsetMetadata ?? null,
        expectedVersion ?? null,
        this.limits.maxRecordBytes,
      ]));
    } catch (error) {
      if (isSessionStoreError(error, 'BACKEND_ERROR') && String(error.details.sqlState).startsWith('22')) {
        return undefined;
      }
      throw error;
    }
    if (!row || row.current_version === null) {
      throw new SessionStoreError('SESSION_NOT_FOUND', 'No live session with this id');
    }
    if (!row.mergeable) return undefined;
    const currentVersion = Number(row.current_version);
    if (row.id !== null) {
      const record = decodeRow(row as SessionRow, this.onError);
      if (!record) throw new SessionStoreError('SESSION_NOT_FOUND', 'The session record is unreadable');
      return record;
    }
    if (expectedVersion !== undefined && currentVersion !== expectedVersion) {
      throw conflict(expectedVersion, currentVersion);
    }
    const bytes = Number(row.bytes);
    if (bytes > this.limits.maxRecordBytes) {
      throw new SessionStoreError(
        'RECORD_TOO_LARGE',
        `Session record is ${bytes} bytes; the limit is ${this.limits.maxRecordBytes}`,
        { details: { bytes, maxRecordBytes: this.limits.maxRecordBytes } },
      );
    }
    // Not written for no reason the statement reports: take the long way.
    return undefined;
  }

  /** The update as a read, a merge here (core's applyPatch) and a compare-and-set write. */
  private async readThenWrite(
    id: string,
    patch: SessionPatch,
    expectedVersion: number | undefined,
  ): Promise<SessionRecord> {
    for (let attempt = 1; ; attempt++) {
      const { rows } = await this.runner.query<SessionRow>('session read', this.sql.get, [id]);
      const current = rows[0] ? decodeRow(rows[0], this.onError) : null;
      if (!current) throw new SessionStoreError('SESSION_NOT_FOUND', 'No live session with this id');
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw conflict(expectedVersion, current.version);
      }
      // Merged and size-checked by core on the stored record (database times included), so the
      // limit is exact; an oversized result throws RECORD_TOO_LARGE before anything is written.
      const next = applyPatch(current, patch, this.limits.maxRecordBytes);
      const written = await this.runner.query<SessionRow>('session update', this.sql.update, [
        id,
        encodeData(next),
        current.version,
      ]);
      if (written.rows[0]) {
        const record = decodeRow(written.rows[0], this.onError);
        if (!record) throw new SessionStoreError('SESSION_NOT_FOUND', 'The session record is unreadable');
        return record;
      }
      // Another writer changed the version (or the row expired) between the read and the write:
      // read again; with expectedVersion, that read reports the conflict or the absence.
      if (attempt >= MAX_UPDATE_ATTEMPTS) {
        throw new SessionStoreError('SESSION_CONFLICT', 'The session kept changing; try again', {
          details: { currentVersion: current.version },
        });
      }
    }
  }

  async touch(id: string): Promise<boolean> {
    this.assertOpen();
    assertValidSessionId(id);
    const { rowCount } = await this.runner.query('session touch', this.sql.touch, [
      id,
      this.limits.idleTtlMs,
      this.limits.maxLifetimeMs,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async delete(id: string): Promise<boolean> {
    this.assertOpen();
    assertValidSessionId(id);
    const { rows } = await this.runner.query<{ live: boolean }>('session delete', this.sql.delete, [id]);
    return rows[0]?.live === true;
  }

  async list(principal: string, options?: ListOptions): Promise<SessionPage> {
    this.assertOpen();
    if (typeof principal !== 'string') {
      throw new SessionStoreError('INVALID_ARGUMENT', 'principal must be a string');
    }
    const { limit, cursor } = validateListOptions(options);
    // One row more than the page: it says whether there is a next page, without a second query.
    const { rows } = await this.runner.query<SessionRow>('session list', this.sql.list, [
      principalJson(principal),
      decodeCursor(cursor),
      limit + 1,
    ]);
    const page = rows.slice(0, limit);
    const records: SessionRecord[] = [];
    for (const row of page) {
      const record = decodeRow(row, this.onError);
      if (record) records.push(record);
    }
    return { records, nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!.id) : null };
  }

  /**
   * Removes expired rows: at most `limit` expired sessions, `limit` expired event sessions (with
   * their events) and `limit` expired bus payloads. Expired rows are already invisible to every
   * read; this only reclaims space. Safe to run on every pod at once (`FOR UPDATE SKIP LOCKED`).
   * Returns how many rows it removed in all.
   *
   * @example
   * ```ts
   * let removed;
   * do removed = await store.sweepExpired({ limit: 500 }); while (removed > 0);
   * ```
   */
  async sweepExpired(options: SweepOptions = {}): Promise<number> {
    this.assertOpen();
    const limit = resolveSweepLimit(options.limit);
    const { rows } = await this.runner.query<{ sessions: number; events: number; payloads: number }>(
      'sweep',
      this.sql.sweep,
      [limit],
    );
    const counts = rows[0];
    return counts ? counts.sessions + counts.events + counts.payloads : 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.sweeper?.stop();
  }

  private assertOpen(): void {
    if (this.closed) throw closedError('PostgresSessionStore');
  }
}

/** The one row of `SessionStatements.patch`: what it found, and the row it wrote (all null if none). */
type PatchRow = { [K in keyof SessionRow]: SessionRow[K] | null } & {
  current_version: string | null;
  bytes: number | null;
  mergeable: boolean | null;
};

function conflict(expectedVersion: number, currentVersion: number): SessionStoreError {
  return new SessionStoreError('SESSION_CONFLICT', 'The session was changed by another writer', {
    details: { expectedVersion, currentVersion },
  });
}
