import { type Clock, systemClock } from '../clock.js';
import type { SessionRecord } from '../contract/session-record.js';
import type { SessionStore } from '../contract/session-store.js';
import { isSessionStoreError, SessionStoreError } from '../errors.js';
import { cloneJson, findNonJson, isPlainObject, type JsonValue } from '../json.js';
import { validateExpectedVersion } from '../store-kit/records.js';
import { DEFAULT_STATE_HANDLE_PREFIX, HandleFormat } from './handle-format.js';

/**
 * What a handle's record holds in `protocolVersion`: it marks the record as a state handle (never a
 * session), and the version of this layout.
 */
export const STATE_HANDLE_RECORD_MARKER = 'mcp-state-handle/1';

/** The `clientInfo` of every handle record (a record must have one; a handle has no client). */
const HANDLE_CLIENT_INFO = { name: 'mcp-session-store/state-handles', version: '1' } as const;

/** The metadata key that holds a handle's value. */
const VALUE_KEY = 'value';

/** Default {@link StateHandlesOptions.touchFraction}. */
const DEFAULT_TOUCH_FRACTION = 0.25;

/** Default {@link StateHandleRetryOptions.maxAttempts}. */
const DEFAULT_MAX_ATTEMPTS = 10;

/** Options of {@link createStateHandles}. */
export interface StateHandlesOptions {
  /**
   * Where handles live. Any {@link SessionStore} (an adapter's, or `encryptSessionStore(...)` for
   * values encrypted at rest). Handles expire by **its** `idleTtlMs` and `maxLifetimeMs`, and values
   * are bounded by its `maxRecordBytes`: give handles their own store instance on their own
   * namespace (key prefix, table, schema) to give them a lifetime of their own, and to keep them
   * apart from the router's sessions. This object never closes the store: you do.
   */
  store: SessionStore;
  /**
   * The kind of handle: handles look like `<prefix>_<43 characters>` (`cart_Xq3…`). 1-32 letters or
   * digits, starting with a letter. A handle of another prefix is refused as malformed, so two kinds
   * can share a store without one ever being taken for the other. Default `'state'`.
   */
  prefix?: string | undefined;
  /**
   * Access slides expiry: a `get` or `update` by the owner also calls the store's `touch` when at
   * least this fraction of the handle's idle TTL has passed since its last activity (one more store
   * call, at most once per fraction). `0`: on every access; `null`: never (call
   * {@link StateHandles.touch} yourself, or let handles expire `idleTtlMs` after creation whatever
   * their use). Default 0.25.
   */
  touchFraction?: number | null | undefined;
  /**
   * The time the `touchFraction` throttle compares with the record's `lastActivityAt`. Give it the
   * clock you gave a store whose `capabilities.clock` is `'injectable'`. Default: the system clock.
   */
  clock?: Clock | undefined;
}

/** One handle's state as read or written: a copy, never shared with the store. */
export interface StateHandleEntry<T extends JsonValue> {
  /** The handle: pass it to the client (a tool result), take it back as a tool argument. */
  readonly handle: string;
  /** The value. */
  readonly value: T;
  /** 1 on create, +1 on every update: pass it back as `expectedVersion` for compare-and-set. */
  readonly version: number;
  /** When the handle was created (epoch ms, by the store's clock). */
  readonly createdAt: number;
  /**
   * When the handle expires unless it is used again (epoch ms, by the store's clock), as read by
   * this call: an access that slid the expiry (see `touchFraction`) makes it later than this.
   */
  readonly expiresAt: number;
}

/**
 * Computes a handle's next value from its current one. It receives a copy (mutating it is fine) and
 * may be called several times by {@link StateHandles.updateWithRetry}: keep it free of side effects.
 * Throw to abort: nothing is written.
 */
export type StateHandleUpdater<T extends JsonValue> = (
  current: T,
  entry: StateHandleEntry<T>,
) => T | Promise<T>;

/** Options of {@link StateHandles.update}. */
export interface StateHandleUpdateOptions {
  /**
   * Compare-and-set: write only if the handle's version is still this, else `SESSION_CONFLICT`.
   * Without it, a value is written last-writer-wins, and an updater is applied compare-and-set on
   * the version it was given.
   */
  expectedVersion?: number | undefined;
}

/** Options of {@link StateHandles.updateWithRetry}. */
export interface StateHandleRetryOptions {
  /**
   * Tries at most this many times before giving up with `SESSION_CONFLICT`. Each failed try means
   * another writer succeeded, so N concurrent writers all succeed with N tries. Default 10.
   */
  maxAttempts?: number | undefined;
}

/**
 * Explicit, server-minted state handles over a {@link SessionStore}: the 2026-07-28 way to keep
 * state across tool calls (SEP-2567: sessions are gone; a `cart_create` tool returns a handle that
 * the model passes back to `cart_add`). Any pod serves any handle from the shared store.
 *
 * Every handle belongs to the principal that created it (the authenticated user, or null on a
 * server without authentication, where the handle is a bearer secret). A handle presented by
 * anyone else is answered exactly as an unknown one (`get` null, `update` `SESSION_NOT_FOUND`,
 * `touch` and `delete` false), as are expired and deleted handles: a handle cannot be probed.
 *
 * Errors (a {@link SessionStoreError}): `INVALID_ARGUMENT` for a malformed handle (wrong prefix or
 * shape), principal (not a non-empty string or null), value (not JSON) or option, always before
 * any store call; `SESSION_NOT_FOUND` from `update` of an unknown, expired, deleted or foreign
 * handle; `SESSION_CONFLICT` (retryable) when a compare-and-set loses; `RECORD_TOO_LARGE` when the
 * value does not fit the store's `maxRecordBytes`; the store's own (`BACKEND_UNAVAILABLE`, `CLOSED`).
 * No message or detail ever holds a handle.
 *
 * Each handle is one record of the store: `id` the handle, `principal` the owner, `metadata.value`
 * the value; `protocolVersion` is {@link STATE_HANDLE_RECORD_MARKER}, `clientInfo` a fixed
 * placeholder, `clientCapabilities` `{}`, `logLevel` null. A record without the marker is never
 * read as a handle.
 */
export interface StateHandles<T extends JsonValue> {
  /** The prefix of this kind's handles. */
  readonly prefix: string;
  /** True if `value` has the shape of a handle of this kind (it may still be unknown or expired). */
  isHandle(value: unknown): value is string;
  /** Creates a handle owned by `principal`, holding `value`. One store call. */
  create(principal: string | null, value: T): Promise<StateHandleEntry<T>>;
  /**
   * The handle's value and version, or null if it is unknown, expired, deleted or another
   * principal's. One store call, two when it slides the expiry (see `touchFraction`).
   */
  get(handle: string, principal: string | null): Promise<StateHandleEntry<T> | null>;
  /**
   * Replaces the value with `next`, or with what `next(current)` returns (applied compare-and-set:
   * `SESSION_CONFLICT` if another write landed since it read; see {@link updateWithRetry}). Returns
   * what was written. Two store calls (a read, then the write), three when it slides the expiry.
   */
  update(
    handle: string,
    principal: string | null,
    next: T | StateHandleUpdater<T>,
    options?: StateHandleUpdateOptions,
  ): Promise<StateHandleEntry<T>>;
  /**
   * {@link update} with an updater, re-read and retried on `SESSION_CONFLICT` up to `maxAttempts`
   * times: concurrent writers on any pods lose no update.
   */
  updateWithRetry(
    handle: string,
    principal: string | null,
    updater: StateHandleUpdater<T>,
    options?: StateHandleRetryOptions,
  ): Promise<StateHandleEntry<T>>;
  /**
   * Slides the handle's idle expiry now (capped by the store's max lifetime). Returns false,
   * changing nothing, if the handle is unknown, expired, deleted or another principal's.
   */
  touch(handle: string, principal: string | null): Promise<boolean>;
  /**
   * Deletes the handle. Idempotent: returns whether this call deleted it; false, deleting nothing,
   * for another principal's handle.
   */
  delete(handle: string, principal: string | null): Promise<boolean>;
}

function invalid(message: string): SessionStoreError {
  return new SessionStoreError('INVALID_ARGUMENT', message);
}

/** The one answer for a handle this principal cannot see, whatever the reason. */
function notFound(cause?: unknown): SessionStoreError {
  return new SessionStoreError('SESSION_NOT_FOUND', 'No live state handle by that name for this principal', {
    cause,
  });
}

function conflict(currentVersion: number): SessionStoreError {
  return new SessionStoreError('SESSION_CONFLICT', 'The state handle was updated since that version', {
    details: { currentVersion },
  });
}

/** An options argument: an object (narrowing nothing, unlike `isPlainObject`). */
function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function assertPrincipal(principal: unknown): asserts principal is string | null {
  if (principal !== null && (typeof principal !== 'string' || principal.length === 0)) {
    throw invalid('principal must be a non-empty string, or null for a server without authentication');
  }
}

function assertValue(value: unknown, what: string): void {
  if (value === undefined) throw invalid(`${what} must be a JSON value, got undefined`);
  const bad = findNonJson(value, what);
  if (bad) throw invalid(`${bad} is not JSON (undefined, function, NaN, Date, class instance or cycle)`);
}

/** True if `record` is a state handle's (written by {@link createStateHandles}), not a session's. */
export function isStateHandleRecord(record: SessionRecord): boolean {
  return (
    record.protocolVersion === STATE_HANDLE_RECORD_MARKER &&
    isPlainObject(record.metadata) &&
    Object.hasOwn(record.metadata, VALUE_KEY)
  );
}

function entryOf<T extends JsonValue>(record: SessionRecord): StateHandleEntry<T> {
  return {
    handle: record.id,
    value: record.metadata[VALUE_KEY] as T,
    version: record.version,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
  };
}

class StoreStateHandles<T extends JsonValue> implements StateHandles<T> {
  private readonly format: HandleFormat;
  private readonly store: SessionStore;
  private readonly touchFraction: number | null;
  private readonly clock: Clock;

  constructor(options: StateHandlesOptions) {
    const store = options.store as Partial<SessionStore> | undefined;
    const methods = ['create', 'get', 'update', 'touch', 'delete'] as const;
    if (typeof store !== 'object' || store === null || methods.some((m) => typeof store[m] !== 'function')) {
      throw invalid('createStateHandles needs a SessionStore as `store`');
    }
    this.store = store as SessionStore;
    this.format = new HandleFormat(options.prefix ?? DEFAULT_STATE_HANDLE_PREFIX);
    const fraction = options.touchFraction === undefined ? DEFAULT_TOUCH_FRACTION : options.touchFraction;
    if (fraction !== null && !(typeof fraction === 'number' && fraction >= 0 && fraction <= 1)) {
      throw invalid('touchFraction must be a number from 0 to 1, or null');
    }
    this.touchFraction = fraction;
    if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
      throw invalid('clock must have a now() method');
    }
    this.clock = options.clock ?? systemClock;
  }

  get prefix(): string {
    return this.format.prefix;
  }

  isHandle(value: unknown): value is string {
    return this.format.matches(value);
  }

  async create(principal: string | null, value: T): Promise<StateHandleEntry<T>> {
    assertPrincipal(principal);
    assertValue(value, 'value');
    const record = await this.store.create({
      id: this.format.mint(),
      principal,
      protocolVersion: STATE_HANDLE_RECORD_MARKER,
      clientInfo: { ...HANDLE_CLIENT_INFO },
      clientCapabilities: {},
      logLevel: null,
      metadata: { [VALUE_KEY]: value },
    });
    return entryOf<T>(record);
  }

  async get(handle: string, principal: string | null): Promise<StateHandleEntry<T> | null> {
    this.check(handle, principal);
    const record = await this.read(handle, principal);
    if (!record) return null;
    if (!(await this.slide(record))) return null;
    return entryOf<T>(record);
  }

  async update(
    handle: string,
    principal: string | null,
    next: T | StateHandleUpdater<T>,
    options: StateHandleUpdateOptions = {},
  ): Promise<StateHandleEntry<T>> {
    this.check(handle, principal);
    if (!isObject(options)) throw invalid('options must be an object');
    validateExpectedVersion(options.expectedVersion);
    const updater = typeof next === 'function' ? (next as StateHandleUpdater<T>) : null;
    if (!updater) assertValue(next, 'value');
    const current = await this.read(handle, principal);
    if (!current) throw notFound();
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
      throw conflict(current.version);
    }
    let value = next as T;
    let expectedVersion = options.expectedVersion;
    if (updater) {
      const entry = entryOf<T>(current);
      value = await updater(cloneJson(entry.value), entry);
      assertValue(value, "the updater's result");
      expectedVersion = current.version;
    }
    let written: SessionRecord;
    try {
      written = await this.store.update(handle, { metadata: { [VALUE_KEY]: value } }, { expectedVersion });
    } catch (error) {
      // Deleted or expired since the read: answered as any unknown handle.
      if (isSessionStoreError(error, 'SESSION_NOT_FOUND')) throw notFound(error);
      throw error;
    }
    await this.slide(current);
    return entryOf<T>(written);
  }

  async updateWithRetry(
    handle: string,
    principal: string | null,
    updater: StateHandleUpdater<T>,
    options: StateHandleRetryOptions = {},
  ): Promise<StateHandleEntry<T>> {
    if (typeof updater !== 'function') throw invalid('updateWithRetry needs an updater function');
    if (!isObject(options)) throw invalid('options must be an object');
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
      throw invalid('maxAttempts must be a positive integer');
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.update(handle, principal, updater);
      } catch (error) {
        if (!isSessionStoreError(error, 'SESSION_CONFLICT') || attempt >= maxAttempts) throw error;
      }
    }
  }

  async touch(handle: string, principal: string | null): Promise<boolean> {
    this.check(handle, principal);
    const record = await this.read(handle, principal);
    return record !== null && (await this.store.touch(handle));
  }

  async delete(handle: string, principal: string | null): Promise<boolean> {
    this.check(handle, principal);
    const record = await this.read(handle, principal);
    return record !== null && (await this.store.delete(handle));
  }

  private check(handle: unknown, principal: unknown): void {
    this.format.assert(handle);
    assertPrincipal(principal);
  }

  /** The live handle record of `principal`, or null (unknown, expired, deleted, foreign, a session). */
  private async read(handle: string, principal: string | null): Promise<SessionRecord | null> {
    const record = await this.store.get(handle);
    if (!record || record.principal !== principal || !isStateHandleRecord(record)) return null;
    return record;
  }

  /**
   * Touches the record when a `touchFraction` of its idle TTL has passed since its last activity.
   * False if the touch found it gone.
   */
  private async slide(record: SessionRecord): Promise<boolean> {
    if (this.touchFraction === null) return true;
    const idleTtl = record.expiresAt - record.lastActivityAt;
    const due = record.lastActivityAt + idleTtl * this.touchFraction;
    // 0 touches on every access, even when this clock lags the store's.
    if (this.touchFraction > 0 && this.clock.now() < due) return true;
    return this.store.touch(record.id);
  }
}

/**
 * Explicit state handles (SEP-2567, the 2026-07-28 wire) over any {@link SessionStore}: see
 * {@link StateHandles}. `T` is the type of the values (any JSON).
 *
 * @example A cart across tool calls, on `@modelcontextprotocol/server` 2.x, served by any pod:
 * ```ts
 * import { createStateHandles, isSessionStoreError } from '@mcp-session-store/core';
 * import { RedisSessionStore } from '@mcp-session-store/redis';
 * import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
 * import * as z from 'zod/v4';
 *
 * type Cart = { items: string[] };
 * // Its own namespace: carts live 24 h after their last use, apart from sessions.
 * const carts = createStateHandles<Cart>({
 *   store: new RedisSessionStore({ redis, keyPrefix: 'shop:carts:', idleTtlMs: 24 * 3600_000 }),
 *   prefix: 'cart',
 * });
 * const principalOf = (ctx: { http?: { authInfo?: { extra?: { sub?: unknown } } } }) =>
 *   String(ctx.http?.authInfo?.extra?.sub ?? '') || null; // the user, not the OAuth client
 *
 * const handler = createMcpHandler(() => {
 *   const server = new McpServer({ name: 'shop', version: '1.0.0' });
 *   server.registerTool(
 *     'cart_create',
 *     { description: 'Creates an empty cart and returns its cart_id. Carts expire after 24 h unused.' },
 *     async (ctx) => {
 *       const { handle } = await carts.create(principalOf(ctx), { items: [] });
 *       return { content: [{ type: 'text', text: `Created cart ${handle}` }], structuredContent: { cart_id: handle } };
 *     },
 *   );
 *   server.registerTool(
 *     'cart_add',
 *     { description: 'Adds an item to a cart', inputSchema: z.object({ cart_id: z.string(), sku: z.string() }) },
 *     async ({ cart_id, sku }, ctx) => {
 *       const gone = { isError: true, content: [{ type: 'text' as const, text: `Cart ${cart_id} is unknown or has expired: call cart_create` }] };
 *       if (!carts.isHandle(cart_id)) return gone;
 *       try {
 *         const cart = await carts.updateWithRetry(cart_id, principalOf(ctx), (c) => ({ items: [...c.items, sku] }));
 *         return { content: [{ type: 'text', text: `Added ${sku} (${cart.value.items.length} items)` }] };
 *       } catch (err) {
 *         if (isSessionStoreError(err, 'SESSION_NOT_FOUND')) return gone;
 *         throw err;
 *       }
 *     },
 *   );
 *   return server;
 * });
 * ```
 */
export function createStateHandles<T extends JsonValue = JsonValue>(
  options: StateHandlesOptions,
): StateHandles<T> {
  if (!isObject(options)) throw invalid('createStateHandles needs options with a store');
  return new StoreStateHandles<T>(options);
}
