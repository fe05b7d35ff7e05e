import type { AdapterFactory, SuiteOptions, TestApi } from './types.js';
/**
 * The event store conformance suite: the SDK's `EventStore` rules for resumable streams across
 * processes (unique ids that resolve to their stream, priming events never replayed, foreign ids
 * refused, retention, cap, purge, live follow).
 *
 * @example
 * ```ts
 * eventStoreSuite({ describe, it }, (ctx) => ({
 *   eventStore: new MemoryEventStore({ clock: ctx.clock, ttlMs: ctx.eventTtlMs }),
 * }));
 * ```
 */
export declare function eventStoreSuite(api: TestApi, factory: AdapterFactory, options?: SuiteOptions): void;
//# sourceMappingURL=event-store-suite.d.ts.map