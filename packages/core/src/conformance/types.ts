import type { Clock } from '../clock.js';
import type { ClaimStore } from '../contract/claim-store.js';
import type { EventStoreFactory } from '../contract/event-store.js';
import type { MessageBus } from '../contract/message-bus.js';
import type { SessionStore } from '../contract/session-store.js';
import type { SessionStoreError } from '../errors.js';

/**
 * The test functions of the host's runner. jest, vitest, mocha and `node:test` all fit:
 * `sessionStoreSuite({ describe, it }, factory)`. The suites set no runner timeout; each test
 * bounds itself (see {@link SuiteOptions.testTimeoutMs}), so give the runner a larger one.
 */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>): void;
}

/**
 * What the suites pass to an adapter factory for every test. Build fresh components from it; use
 * every field the adapter supports, and **always** `namespace`, so tests never see each other's data.
 */
export interface AdapterFactoryContext {
  /**
   * A random namespace for this test: 14 characters `[a-z0-9_]`, starting with a letter, so it is
   * safe as a key prefix, a table suffix or a schema name. Two factory calls with the same namespace
   * are two processes sharing one backend.
   */
  readonly namespace: string;
  /** The time source. Adapters whose `capabilities.clock` is `'injectable'` must use it. */
  readonly clock: Clock;
  /** Idle TTL for session stores (`idleTtlMs`). */
  readonly idleTtlMs: number;
  /** Max lifetime for session stores (`maxLifetimeMs`); undefined: none. */
  readonly maxLifetimeMs: number | undefined;
  /** Size limit for session stores (`maxRecordBytes`). */
  readonly maxRecordBytes: number;
  /** Event retention after the last append (`ttlMs` of event stores). */
  readonly eventTtlMs: number;
  /** Per-stream event cap (`maxEventsPerStream` of event stores). */
  readonly maxEventsPerStream: number;
  /** Wire it to every component's `onError` hook: the suites check what is reported. */
  readonly onError: (error: SessionStoreError) => void;
}

/**
 * Optional read-backs of what the backend really holds. They let the suites prove expiry without
 * sleeping and prove that bad input never reached the backend.
 */
export interface AdapterInspector {
  /** The backend's own remaining time-to-live of the session record in ms, or null if it has none. */
  sessionTtlMs?(id: string): Promise<number | null>;
  /** The smallest remaining time-to-live in ms over everything stored for a session's events. */
  eventTtlMs?(sessionId: string): Promise<number | null>;
  /**
   * The backend's own remaining time-to-live in ms of the claim on `key` (as passed to `claim`,
   * before any prefixing or hashing), or null if the backend holds no such claim or no TTL for it.
   * Required when the claim store declares `capabilities.nativeTtl`.
   */
  claimTtlMs?(key: string): Promise<number | null>;
  /** Overwrites the stored record with bytes that do not decode as a record. */
  corruptSession?(id: string): Promise<void>;
  /** How many backend calls this adapter instance has made so far. */
  backendCalls?(): number;
}

/** What an adapter factory returns for one test. Omit the components the adapter does not have. */
export interface AdapterUnderTest {
  sessionStore?: SessionStore;
  eventStore?: EventStoreFactory;
  bus?: MessageBus;
  /** At-most-once claims (`ClaimStore`), checked by `claimStoreSuite`. */
  claimStore?: ClaimStore;
  inspect?: AdapterInspector;
  /**
   * Runs after the suite closed the components: close clients the factory opened and remove the
   * test's data from the backend.
   */
  dispose?(): Promise<void>;
}

/**
 * Builds an adapter for one test. The default export of a module given to the
 * `mcp-session-store-conformance` CLI.
 *
 * @example
 * ```ts
 * const factory: AdapterFactory = (ctx) => ({
 *   sessionStore: new MyStore({ prefix: ctx.namespace, idleTtlMs: ctx.idleTtlMs, onError: ctx.onError }),
 * });
 * export default factory;
 * ```
 */
export type AdapterFactory = (context: AdapterFactoryContext) => AdapterUnderTest | Promise<AdapterUnderTest>;

/** Options of every suite. */
export interface SuiteOptions {
  /** Name of the outer `describe`. Default: the suite's own name. */
  name?: string;
  /** Each test fails after this long instead of hanging. Default 20 000 ms. */
  testTimeoutMs?: number;
  /**
   * Test names to leave out, with the reason for each (printed by the CLI). For a backend that
   * truly cannot offer what a test needs, e.g. `{ 'detects corrupt records': 'values are typed' }`.
   */
  exclude?: Record<string, string>;
}
