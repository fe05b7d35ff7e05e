/** Where a store reads the time. Stores take one so tests can move time without sleeping. */
export interface Clock {
    /** Milliseconds since the Unix epoch. */
    now(): number;
}
/** The real clock. */
export declare const systemClock: Clock;
/**
 * A clock that follows real time plus an offset you control: `advance(ms)` jumps ahead, so expiry can
 * be tested without sleeping, while stores whose backend keeps its own time still see a sane "now".
 *
 * @example
 * ```ts
 * const clock = new TestClock();
 * const store = new MemorySessionStore({ clock, idleTtlMs: 60_000 });
 * clock.advance(61_000); // every record created before is now expired
 * ```
 */
export declare class TestClock implements Clock {
    private offsetMs;
    now(): number;
    /** Moves this clock forward by `ms` (negative moves it back). */
    advance(ms: number): void;
}
//# sourceMappingURL=clock.d.ts.map