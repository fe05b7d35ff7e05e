import {
  applyPatch,
  assertValidSessionId,
  buildRecord,
  type Clock,
  closedError,
  decodeRecord,
  isExpired,
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
  systemClock,
  touchRecord,
  type UpdateOptions,
  validateExpectedVersion,
  validateListOptions,
  validateNewSession,
  validatePatch,
} from '@mcp-session-store/core';
import { DEFAULT_NAMESPACE, MemoryBackend, type NamespaceState, type StoredSession } from './backend.js';
import { startSweeper } from './sweeper.js';

/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions extends SessionStoreBaseOptions {
  /** Share data with other components (see {@link MemoryBackend}). Default: a private backend. */
  backend?: MemoryBackend | undefined;
  /** Isolates this store's records from other namespaces of the same backend. Default `'mcp'`. */
  namespace?: string | undefined;
  /** Time source; tests pass a `TestClock`. Default: the system clock. */
  clock?: Clock | undefined;
  /** How often expired records are removed from memory, in ms; 0 disables. Default 60 000. */
  sweepIntervalMs?: number | undefined;
}

const CAPABILITIES: SessionStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/memory',
  clock: 'injectable',
  nativeTtl: false,
  listByPrincipal: true,
  // Stryker disable next-line BooleanLiteral: the suites run in one process; the flag describes process boundaries they cannot see (docs/mutation.md)
  sharedAcrossProcesses: false,
  ttlGranularityMs: 1,
});

/**
 * A {@link SessionStore} in process memory. Every operation completes synchronously inside one
 * call, so each is atomic. For a single process, tests and development: records do not survive a
 * restart and are not seen by other processes (use a shared-backend adapter, e.g. Redis, there).
 *
 * @example
 * ```ts
 * import { MemorySessionStore } from '@mcp-session-store/memory';
 *
 * const store = new MemorySessionStore({ idleTtlMs: 30 * 60_000 });
 * const record = await store.create({
 *   id: 'session-1',
 *   protocolVersion: '2025-11-25',
 *   clientInfo: { name: 'my-client', version: '1.0.0' },
 * });
 * await store.touch(record.id);
 * ```
 */
export class MemorySessionStore implements SessionStore {
  readonly capabilities = CAPABILITIES;
  private readonly backend: MemoryBackend;
  private readonly namespace: string;
  private readonly clock: Clock;
  private readonly limits: StoreLimits;
  private readonly onError: SessionStoreBaseOptions['onError'];
  private readonly stopSweeper: () => void;
  private closed = false;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.limits = resolveStoreLimits(options);
    this.backend = options.backend ?? new MemoryBackend();
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError;
    // Stryker disable all: memory-only housekeeping outside the contract (the suites pass sweepIntervalMs 0 and check expiry on read); memory-adapter.test.ts covers it
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (!Number.isSafeInteger(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'sweepIntervalMs must be a non-negative integer');
    }
    this.stopSweeper = startSweeper(sweepIntervalMs, () => this.sweepExpired());
  }

  // Stryker restore all
  async create(session: NewSession): Promise<SessionRecord> {
    this.assertOpen();
    validateNewSession(session);
    const state = this.state();
    const now = this.clock.now();
    const existing = state.sessions.get(session.id);
    if (existing && !isExpired(existing, now)) {
      throw new SessionStoreError('SESSION_EXISTS', 'A live session with this id already exists');
    }
    const record = buildRecord(session, now, this.limits);
    if (existing) this.remove(state, session.id, existing);
    this.put(state, record);
    return record;
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.assertOpen();
    assertValidSessionId(id);
    return this.live(this.state(), id);
  }

  async update(id: string, patch: SessionPatch, options: UpdateOptions = {}): Promise<SessionRecord> {
    this.assertOpen();
    assertValidSessionId(id);
    validatePatch(patch);
    validateExpectedVersion(options.expectedVersion);
    const state = this.state();
    const current = this.live(state, id);
    if (!current) throw new SessionStoreError('SESSION_NOT_FOUND', 'No live session with this id');
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
      throw new SessionStoreError('SESSION_CONFLICT', 'The session was changed by another writer', {
        details: { expectedVersion: options.expectedVersion, currentVersion: current.version },
      });
    }
    const next = applyPatch(current, patch, this.limits.maxRecordBytes);
    this.put(state, next);
    return next;
  }

  async touch(id: string): Promise<boolean> {
    this.assertOpen();
    assertValidSessionId(id);
    const state = this.state();
    const current = this.live(state, id);
    if (!current) return false;
    this.put(state, touchRecord(current, this.clock.now(), this.limits));
    return true;
  }

  async delete(id: string): Promise<boolean> {
    this.assertOpen();
    assertValidSessionId(id);
    const state = this.state();
    const existing = state.sessions.get(id);
    if (!existing) return false;
    this.remove(state, id, existing);
    return !isExpired(existing, this.clock.now());
  }

  async list(principal: string, options?: ListOptions): Promise<SessionPage> {
    this.assertOpen();
    if (typeof principal !== 'string')
      throw new SessionStoreError('INVALID_ARGUMENT', 'principal must be a string');
    const { limit, cursor } = validateListOptions(options);
    const after = cursor === null ? null : decodeCursor(cursor);
    const state = this.state();
    // Stryker disable next-line ArrayDeclaration: equivalent, a made-up id in an unknown principal's list is not a live record and is skipped
    const ids = [...(state.principals.get(principal) ?? [])].sort();
    const records: SessionRecord[] = [];
    for (const id of ids) {
      // Stryker disable next-line ConditionalExpression: equivalent, with no cursor `id <= null` is false for every session id
      if (after !== null && id <= after) continue;
      const record = this.live(state, id);
      if (!record) continue;
      if (records.length === limit) return { records, nextCursor: encodeCursor(records.at(-1)!.id) };
      records.push(record);
    }
    return { records, nextCursor: null };
  }

  // Stryker disable all: memory-only housekeeping outside the contract (expiry on read is what the suites check); memory-adapter.test.ts covers it
  /** Removes expired records from memory now; returns how many. The sweeper calls it periodically. */
  sweepExpired(): number {
    if (this.closed) return 0;
    const state = this.state();
    const now = this.clock.now();
    let removed = 0;
    for (const [id, stored] of state.sessions) {
      if (isExpired(stored, now)) {
        this.remove(state, id, stored);
        removed++;
      }
    }
    return removed;
  }
  // Stryker restore all

  async close(): Promise<void> {
    this.closed = true;
    this.stopSweeper();
  }

  private state(): NamespaceState {
    return this.backend.state(this.namespace);
  }

  private assertOpen(): void {
    // Stryker disable next-line StringLiteral: only the component's name in a CLOSED message; the suites check the code and that a message is there
    if (this.closed) throw closedError('MemorySessionStore');
  }

  /** The live record, removing an expired one on the way; null if absent, expired or corrupt. */
  private live(state: NamespaceState, id: string): SessionRecord | null {
    const stored = state.sessions.get(id);
    if (!stored) return null;
    if (isExpired(stored, this.clock.now())) {
      this.remove(state, id, stored);
      return null;
    }
    return decodeRecord(stored.text, id, this.onError);
  }

  private put(state: NamespaceState, record: SessionRecord): void {
    state.sessions.set(record.id, {
      text: JSON.stringify(record),
      expiresAt: record.expiresAt,
      principal: record.principal,
    });
    // Stryker disable next-line ConditionalExpression: equivalent, an index under the null key is never read (list takes a string)
    if (record.principal !== null) {
      let ids = state.principals.get(record.principal);
      if (!ids) {
        ids = new Set();
        state.principals.set(record.principal, ids);
      }
      ids.add(record.id);
    }
  }

  private remove(state: NamespaceState, id: string, stored: StoredSession): void {
    state.sessions.delete(id);
    // Index housekeeping, equivalent through the contract: a null principal has no index entry, a put
    // record always has its set, an empty set left behind is memory only.
    // Stryker disable next-line all: equivalent (above)
    if (stored.principal === null) return;
    const ids = state.principals.get(stored.principal);
    // Stryker disable next-line all: equivalent (above)
    ids?.delete(id);
    // Stryker disable next-line all: equivalent (above)
    if (ids?.size === 0) state.principals.delete(stored.principal);
  }
}

function encodeCursor(lastId: string): string {
  // Stryker disable next-line StringLiteral: Buffer.from(text, '') reads UTF-8 too (equivalent)
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (id.length === 0 || encodeCursor(id) !== cursor) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'cursor is not one this store returned');
  }
  return id;
}
