import {
  assertValidSessionId,
  buildRecord,
  closedError,
  isValidSessionId,
  type ListOptions,
  type NewSession,
  redactSessionId,
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
import { CommandRunner } from './command-runner.js';
import { RedisKeys } from './keys.js';
import {
  decodeFields,
  flatten,
  frameBytes,
  fromFlat,
  newSessionFields,
  patchFields,
} from './record-codec.js';
import type { RedisClient } from './redis-client.js';
import { CREATE, INDEX_ADD, TOUCH, UPDATE } from './session-scripts.js';

/** Log levels of {@link RedisSessionStoreOptions.onLog}. */
export type RedisLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions extends SessionStoreBaseOptions {
  /** Your ioredis client: a `Redis` or a `Cluster`. The store never closes it. */
  redis: RedisClient;
  /** Prefix of every key. Default `'mcp:session:'`. No `{` or `}` (they would break hash tags). */
  keyPrefix?: string | undefined;
  /** Idle TTL in seconds (the original proposal's option); same as `idleTtlMs` / 1000. */
  ttlSeconds?: number | undefined;
  /** Bound on each Redis call; past it the call fails with `BACKEND_UNAVAILABLE`. Default 2000 ms. */
  commandTimeoutMs?: number | undefined;
  /** Diagnostic log lines (session ids are redacted). */
  onLog?: ((level: RedisLogLevel, message: string, details?: Record<string, unknown>) => void) | undefined;
}

const CAPABILITIES: SessionStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/redis',
  clock: 'backend',
  nativeTtl: true,
  listByPrincipal: true,
  sharedAcrossProcesses: true,
  ttlGranularityMs: 1,
});

type ScriptReply = [string, ...string[]];

function resolveLimits(options: RedisSessionStoreOptions): StoreLimits {
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

/**
 * A {@link SessionStore} on Redis (ioredis), standalone or Cluster. Each operation is one round trip
 * (a single command or a Lua script called by SHA1), and every key it writes carries a native
 * expiry. Times come from the Redis server clock, so pods with skewed clocks agree.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisSessionStore } from '@mcp-session-store/redis';
 *
 * const store = new RedisSessionStore({ redis: new Redis(process.env.REDIS_URL), ttlSeconds: 3600 });
 * ```
 */
export class RedisSessionStore implements SessionStore {
  readonly capabilities = CAPABILITIES;
  private readonly keys: RedisKeys;
  private readonly runner: CommandRunner;
  private readonly limits: StoreLimits;
  private readonly onError: SessionStoreBaseOptions['onError'];
  private readonly onLog: RedisSessionStoreOptions['onLog'];
  /** Per principal index: the expiry it is known to reach, so touch refreshes it only when needed. */
  private readonly indexReach = new Map<string, number>();
  private closed = false;

  constructor(options: RedisSessionStoreOptions) {
    if (!options?.redis)
      throw new SessionStoreError('INVALID_ARGUMENT', 'redis (an ioredis client) is required');
    this.keys = new RedisKeys(options.keyPrefix);
    this.runner = new CommandRunner(options.redis, options.commandTimeoutMs);
    this.limits = resolveLimits(options);
    this.onError = options.onError;
    this.onLog = options.onLog;
  }

  /** How many calls this store has sent to Redis (each is one round trip). */
  get backendCalls(): number {
    return this.runner.calls;
  }

  async create(session: NewSession): Promise<SessionRecord> {
    this.assertOpen();
    validateNewSession(session);
    // Validate and size-check locally first: an oversized record never travels to Redis.
    const local = buildRecord(session, Date.now(), this.limits);
    const fields = newSessionFields(session);
    const reply = await this.runner.script<ScriptReply>(
      CREATE,
      [this.keys.session(session.id)],
      [
        this.limits.idleTtlMs,
        this.limits.maxLifetimeMs ?? 0,
        this.limits.maxRecordBytes,
        frameBytes(session.id),
        fields.length,
        ...flatten(fields),
      ],
    );
    if (reply[0] === 'EXISTS')
      throw new SessionStoreError('SESSION_EXISTS', 'A live session with this id exists');
    // Stryker disable next-line all: unreachable through the API, buildRecord above refuses an oversized record first (the script's check guards the server side)
    if (reply[0] === 'TOO_LARGE') throw tooLarge(Number(reply[1]), this.limits.maxRecordBytes);
    const record: SessionRecord = {
      ...local,
      createdAt: Number(reply[1]),
      lastActivityAt: Number(reply[1]),
      expiresAt: Number(reply[2]),
    };
    if (record.principal !== null) await this.addToIndex(record.principal, record.id, record.expiresAt);
    this.onLog?.('debug', 'session created', { sessionId: redactSessionId(record.id) });
    return record;
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.assertOpen();
    assertValidSessionId(id);
    const fields = await this.runner.run('session get', (redis) => redis.hgetall(this.keys.session(id)));
    return decodeFields(id, fields, this.onError);
  }

  async update(id: string, patch: SessionPatch, options: UpdateOptions = {}): Promise<SessionRecord> {
    this.assertOpen();
    assertValidSessionId(id);
    validatePatch(patch);
    validateExpectedVersion(options.expectedVersion);
    const { set, unset } = patchFields(patch);
    const reply = await this.runner.script<ScriptReply>(
      UPDATE,
      [this.keys.session(id)],
      [
        options.expectedVersion ?? '',
        this.limits.maxRecordBytes,
        frameBytes(id),
        set.length,
        ...flatten(set),
        unset.length,
        ...unset,
      ],
    );
    switch (reply[0]) {
      // Stryker disable next-line StringLiteral: equivalent, an unmatched NOT_FOUND or CORRUPT reply decodes to no record and throws SESSION_NOT_FOUND below
      case 'NOT_FOUND':
      // Stryker disable next-line StringLiteral: equivalent, as above
      case 'CORRUPT':
        throw new SessionStoreError('SESSION_NOT_FOUND', 'No live session with this id');
      case 'CONFLICT':
        throw new SessionStoreError('SESSION_CONFLICT', 'The session was changed by another writer', {
          details: { expectedVersion: options.expectedVersion, currentVersion: Number(reply[1]) },
        });
      case 'TOO_LARGE':
        throw tooLarge(Number(reply[1]), this.limits.maxRecordBytes);
    }
    const record = decodeFields(id, fromFlat(reply.slice(1)), this.onError);
    if (!record) throw new SessionStoreError('SESSION_NOT_FOUND', 'The session record is unreadable');
    return record;
  }

  async touch(id: string): Promise<boolean> {
    this.assertOpen();
    assertValidSessionId(id);
    const reply = await this.runner.script<[string, string] | null>(
      TOUCH,
      [this.keys.session(id)],
      [this.limits.idleTtlMs, this.limits.maxLifetimeMs ?? 0],
    );
    if (!reply) return false;
    const expiresAt = Number(reply[0]);
    const principal = JSON.parse(reply[1]) as string | null;
    // The index must outlive every session in it; refresh it when this touch reaches past what
    // it was last extended to by more than half an idle TTL (so not on every touch).
    if (principal !== null) {
      const reach = this.indexReach.get(principal) ?? 0;
      if (expiresAt > reach + this.limits.idleTtlMs / 2) await this.addToIndex(principal, id, expiresAt);
    }
    return true;
  }

  async delete(id: string): Promise<boolean> {
    this.assertOpen();
    assertValidSessionId(id);
    // The principal index entry is left for `list` to drop: removing it here would cost a read.
    // Stryker disable next-line StringLiteral: the operation's name appears only in an error message, and DEL fails on no key type
    const removed = await this.runner.run('session delete', (redis) => redis.del(this.keys.session(id)));
    if (removed > 0) this.onLog?.('debug', 'session deleted', { sessionId: redactSessionId(id) });
    return removed > 0;
  }

  async list(principal: string, options?: ListOptions): Promise<SessionPage> {
    this.assertOpen();
    if (typeof principal !== 'string')
      throw new SessionStoreError('INVALID_ARGUMENT', 'principal must be a string');
    const { limit, cursor } = validateListOptions(options);
    // A cursor is the last id of the previous page: anything else was never returned by this store.
    if (cursor !== null && !isValidSessionId(cursor))
      throw new SessionStoreError('INVALID_ARGUMENT', 'cursor must be a string from a previous page');
    const index = this.keys.principal(principal);
    const records: SessionRecord[] = [];
    let after = cursor === null ? '-' : `(${cursor}`;
    while (records.length < limit) {
      const ids = await this.runner.run('principal index range', (redis) =>
        redis.zrange(index, after, '+', 'BYLEX', 'LIMIT', 0, limit - records.length),
      );
      if (ids.length === 0) return { records, nextCursor: null };
      const found = await Promise.all(ids.map((id) => this.get(id)));
      const stale = ids.filter((_, i) => found[i]?.principal !== principal);
      if (stale.length > 0) {
        // Stryker disable next-line StringLiteral: the name appears only in an error message; the range read fails first on a wrong key type
        await this.runner.run('principal index trim', (redis) => redis.zrem(index, ...stale));
      }
      for (const record of found) if (record?.principal === principal) records.push(record);
      after = `(${ids.at(-1)}`;
    }
    // Stryker disable next-line StringLiteral: the name appears only in an error message; the range read fails first on a wrong key type
    const more = await this.runner.run('principal index peek', (redis) =>
      redis.zrange(index, after, '+', 'BYLEX', 'LIMIT', 0, 1),
    );
    return { records, nextCursor: more.length > 0 ? records.at(-1)!.id : null };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async addToIndex(principal: string, id: string, expiresAt: number): Promise<void> {
    await this.runner.script(INDEX_ADD, [this.keys.principal(principal)], [id, expiresAt]);
    this.indexReach.set(principal, Math.max(expiresAt, this.indexReach.get(principal) ?? 0));
    // Bound the cache: forgetting an entry only costs one extra refresh.
    if (this.indexReach.size > 10_000) this.indexReach.clear();
  }

  private assertOpen(): void {
    // Stryker disable next-line StringLiteral: only the component's name in a CLOSED message; the suites check the code and that a message is there
    if (this.closed) throw closedError('RedisSessionStore');
  }
}

function tooLarge(bytes: number, maxRecordBytes: number): SessionStoreError {
  return new SessionStoreError(
    'RECORD_TOO_LARGE',
    `Session record is ${bytes} bytes; the limit is ${maxRecordBytes}`,
    {
      details: { bytes, maxRecordBytes },
    },
  );
}
