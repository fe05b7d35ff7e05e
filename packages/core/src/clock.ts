/** Where a store reads the time. Stores take one so tests can move time without sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A manual clock for tests: it stands still until you move it, so expiry can be tested to the
 * millisecond without sleeping.
 *
 * @example
 * ```ts
 * const clock = new TestClock();
 * const store = new MemorySessionStore({ clock, idleTtlMs: 60_000 });
 * clock.advance(61_000); // every record created before is now expired
 * ```
 */
export class TestClock implements Clock {
  private current: number;

  /** Starts at `start` (default: the real time now). */
  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves this clock by `ms` (negative moves it back). */
  advance(ms: number): void {
    this.current += ms;
  }
}
