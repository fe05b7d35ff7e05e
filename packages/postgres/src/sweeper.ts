import { SessionStoreError } from '@mcp-session-store/core';

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
