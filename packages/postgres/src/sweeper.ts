import { SessionStoreError } from '@mcp-session-store/core';
import { toStoreError } from './errors.js';

/**
 * Options of `sweepExpired()` (session store and claim store).
 *
 * @example
 * ```ts
 * await store.sweepExpired({ limit: 500 } satisfies SweepOptions);
 * ```
 */
export interface SweepOptions {
  /**
   * Most rows of each kind removed by this call (session store: sessions, event sessions, bus
   * payloads; claim store: claims). Default 1000.
   */
  limit?: number | undefined;
}

/** The options of a component that sweeps in the background. */
export interface BackgroundSweepOptions {
  sweepIntervalMs?: number | undefined;
  sweepLimit?: number | undefined;
  onError?: ((error: SessionStoreError) => void) | undefined;
}

const DEFAULT_SWEEP_LIMIT = 1_000;

/** A validated sweep limit: an integer from 1 to 100 000, default 1000. */
export function resolveSweepLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_SWEEP_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100_000) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'sweep limit must be an integer from 1 to 100000');
  }
  return limit;
}

/**
 * Runs `task` every `intervalMs` in the background: never two at once, never keeping the process
 * alive (the timer is unref'd), errors to `onError`. `stop()` waits for a run in progress.
 */
export class Sweeper {
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;

  constructor(
    intervalMs: number,
    private readonly task: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {
    if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'sweepIntervalMs must be a positive integer');
    }
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.task()
      .then(
        () => {},
        (error: unknown) => this.onError(error),
      )
      .finally(() => {
        this.running = undefined;
      });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

/**
 * The background sweeper a component's options ask for (`sweepIntervalMs`, `sweepLimit`), running
 * `sweep` with the limit and reporting failures to `onError` typed; undefined without an interval.
 * The limit is validated either way.
 */
export function backgroundSweeper(
  options: BackgroundSweepOptions,
  sweep: (options: SweepOptions) => Promise<unknown>,
): Sweeper | undefined {
  const limit = resolveSweepLimit(options.sweepLimit);
  if (options.sweepIntervalMs === undefined) return undefined;
  return new Sweeper(
    options.sweepIntervalMs,
    () => sweep({ limit }),
    (error) => options.onError?.(toStoreError(error, 'background sweep')),
  );
}
