import type { SessionStoreCapabilities } from '../contract/capabilities.js';
import type { NewSession, SessionPatch, SessionRecord } from '../contract/session-record.js';
import type { SessionPage, SessionStore, UpdateOptions } from '../contract/session-store.js';
import { SessionStoreError } from '../errors.js';
import { isPlainObject, type JsonObject } from '../json.js';
import { assertValidSessionId } from '../session-id.js';
import { resolveStoreLimits } from '../store-kit/limits.js';
import {
  applyPatch,
  buildRecord,
  validateExpectedVersion,
  validateNewSession,
  validatePatch,
} from '../store-kit/records.js';

/** The session data of the original proposal (upstream PR #1193). */
export interface SessionData {
  /** The session id. */
  sessionId: string;
  /** Whether `initialize` completed (always true for stored sessions). */
  initialized: boolean;
  /** Creation time, epoch ms. */
  createdAt: number;
  /** Last activity, epoch ms (the store's TTL runs from it). */
  lastActivity: number;
  /** Application data (this wrapper also keeps the full record here, under a reserved key). */
  metadata?: Record<string, unknown>;
}

/** The five-method store interface of the original proposal (upstream PR #1193). */
export interface LegacySessionStore {
  /** Writes (creates or replaces) a session. */
  storeSession(sessionId: string, data: SessionData): Promise<void>;
  /** The live session, or null. */
  getSession(sessionId: string): Promise<SessionData | null>;
  /** Refreshes the session's last activity and TTL. */
  updateSessionActivity(sessionId: string): Promise<void>;
  /** Removes the session. */
  deleteSession(sessionId: string): Promise<void>;
  /** Whether a live session exists. */
  sessionExists(sessionId: string): Promise<boolean>;
}

/** True for a store written against the original proposal's interface. */
export function isLegacySessionStore(store: unknown): store is LegacySessionStore {
  const s = store as Partial<LegacySessionStore>;
  return (
    typeof s?.storeSession === 'function' &&
    typeof s.getSession === 'function' &&
    typeof s.updateSessionActivity === 'function' &&
    typeof s.deleteSession === 'function' &&
    typeof s.sessionExists === 'function'
  );
}

/** Where the wrapper keeps the full record inside the legacy `metadata`. */
const RECORD_KEY = '__mcpSessionStore';

/** Options of {@link fromLegacySessionStore}. */
export interface LegacySessionStoreOptions {
  /** The TTL the legacy store applies (it keeps time itself); used to report `expiresAt`. Default 3600. */
  ttlSeconds?: number | undefined;
}

const CAPABILITIES: SessionStoreCapabilities = Object.freeze({
  adapter: 'legacy-session-store',
  clock: 'backend',
  nativeTtl: false,
  listByPrincipal: false,
  sharedAcrossProcesses: true,
  ttlGranularityMs: 1000,
});

/**
 * Wraps a store written against the original proposal's five methods so it serves as a
 * {@link SessionStore}. The record (client info, capabilities, log level) rides in the legacy
 * `metadata` under a reserved key, so sessions rehydrate fully; a session stored by a
 * proposal-era transport (without it) still recovers, with empty client information.
 *
 * The five methods cannot be atomic: `create` and `update` are a read then a write (no
 * compare-and-set under concurrency), and `touch` is `sessionExists` then `updateSessionActivity`
 * (a session deleted in between could come back). Prefer a native adapter for production.
 *
 * @example
 * ```ts
 * const transport = new StreamableHTTPServerTransport({
 *   sessionIdGenerator: () => randomUUID(),
 *   sessionStorageMode: 'external',
 *   sessionStore: fromLegacySessionStore(myProposalEraStore),
 * });
 * ```
 */
export function fromLegacySessionStore(
  legacy: LegacySessionStore,
  options: LegacySessionStoreOptions = {},
): SessionStore {
  const limits = resolveStoreLimits({ idleTtlMs: (options.ttlSeconds ?? 3600) * 1000 });
  let closed = false;
  const open = () => {
    if (closed) throw new SessionStoreError('CLOSED', 'The legacy session store wrapper is closed');
  };

  const toRecord = (data: SessionData): SessionRecord => {
    const { [RECORD_KEY]: stored, ...userMetadata } = (data.metadata ?? {}) as Record<string, unknown>;
    const base = isPlainObject(stored) ? (stored as unknown as Omit<SessionRecord, 'metadata'>) : undefined;
    return {
      id: data.sessionId,
      principal: base?.principal ?? null,
      protocolVersion: base?.protocolVersion ?? '2025-11-25',
      clientInfo: base?.clientInfo ?? { name: 'unknown', version: '0' },
      clientCapabilities: base?.clientCapabilities ?? {},
      logLevel: base?.logLevel ?? null,
      metadata: userMetadata as JsonObject,
      createdAt: data.createdAt,
      lastActivityAt: data.lastActivity,
      expiresAt: data.lastActivity + limits.idleTtlMs,
      version: base?.version ?? 1,
    };
  };

  const toData = (record: SessionRecord): SessionData => {
    const { metadata, ...rest } = record;
    return {
      sessionId: record.id,
      initialized: true,
      createdAt: record.createdAt,
      lastActivity: record.lastActivityAt,
      metadata: { ...metadata, [RECORD_KEY]: rest },
    };
  };

  const read = async (id: string): Promise<SessionRecord | null> => {
    const data = await legacy.getSession(id);
    return data ? toRecord(data) : null;
  };

  return {
    capabilities: CAPABILITIES,
    async create(session: NewSession) {
      open();
      validateNewSession(session);
      if (await legacy.sessionExists(session.id)) {
        throw new SessionStoreError('SESSION_EXISTS', 'A live session with this id already exists');
      }
      const record = buildRecord(session, Date.now(), limits);
      await legacy.storeSession(session.id, toData(record));
      return record;
    },
    async get(id: string) {
      open();
      assertValidSessionId(id);
      return read(id);
    },
    async update(id: string, patch: SessionPatch, opts: UpdateOptions = {}) {
      open();
      assertValidSessionId(id);
      validatePatch(patch);
      validateExpectedVersion(opts.expectedVersion);
      const current = await read(id);
      if (!current) throw new SessionStoreError('SESSION_NOT_FOUND', 'No live session with this id');
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== current.version) {
        throw new SessionStoreError('SESSION_CONFLICT', 'The session was changed by another writer', {
          details: { expectedVersion: opts.expectedVersion, currentVersion: current.version },
        });
      }
      const next = applyPatch(current, patch, limits.maxRecordBytes);
      await legacy.storeSession(id, toData(next));
      return next;
    },
    async touch(id: string) {
      open();
      assertValidSessionId(id);
      if (!(await legacy.sessionExists(id))) return false;
      await legacy.updateSessionActivity(id);
      return true;
    },
    async delete(id: string) {
      open();
      assertValidSessionId(id);
      const existed = await legacy.sessionExists(id);
      if (existed) await legacy.deleteSession(id);
      return existed;
    },
    async close() {
      closed = true;
    },
  } satisfies SessionStore & { list?: (p: string) => Promise<SessionPage> };
}
