/**
 * What a store can do, declared by the adapter on the instance (`store.capabilities`). The
 * conformance suites read it to pick the right checks; the router reads it to plan round trips.
 */
export interface SessionStoreCapabilities {
  /** The adapter's package name, e.g. `@mcp-session-store/redis`. */
  readonly adapter: string;
  /**
   * `'injectable'`: expiry is judged with the `clock` the store was given (tests move time with it).
   * `'backend'`: expiry is judged by the backend's own clock (Redis TTL, PostgreSQL `now()`).
   */
  readonly clock: 'injectable' | 'backend';
  /** The backend removes expired records by itself (Redis expiry, DynamoDB TTL), not only hides them. */
  readonly nativeTtl: boolean;
  /** `list()` is implemented (an index by principal; never a scan of the keyspace). */
  readonly listByPrincipal: boolean;
  /** Records are visible to other processes using the same backend and namespace. */
  readonly sharedAcrossProcesses: boolean;
  /** Coarsest unit in which the backend keeps expiry, in ms (1 for Redis PEXPIRE, 1000 for seconds). */
  readonly ttlGranularityMs: number;
}

/** What an event store can do. */
export interface EventStoreCapabilities {
  readonly adapter: string;
  readonly clock: 'injectable' | 'backend';
  /** Events written on one process can be replayed and followed on another. */
  readonly sharedAcrossProcesses: boolean;
}

/** What a message bus can do. */
export interface MessageBusCapabilities {
  readonly adapter: string;
  /** Messages reach other processes that use the same backend and namespace. */
  readonly sharedAcrossProcesses: boolean;
  /** `'at-most-once'`: subscribers present at publish time get it once or, on a fault, not at all. */
  readonly delivery: 'at-most-once' | 'at-least-once';
  /** Largest payload in bytes of JSON text (at least 1 MiB for every adapter of this project). */
  readonly maxPayloadBytes: number;
}

/** What a claim store (`ClaimStore`) can do. */
export interface ClaimStoreCapabilities {
  readonly adapter: string;
  /** `'injectable'`: expiry is judged with the `clock` the store was given; `'backend'`: by the backend's. */
  readonly clock: 'injectable' | 'backend';
  /** The backend removes expired claims by itself (Redis expiry, DynamoDB TTL), not only ignores them. */
  readonly nativeTtl: boolean;
  /** Claims made on one process are seen by other processes using the same backend and namespace. */
  readonly sharedAcrossProcesses: boolean;
  /** Coarsest unit in which the backend keeps expiry, in ms (1 for Redis PEXPIRE, 1000 for seconds). */
  readonly ttlGranularityMs: number;
}
