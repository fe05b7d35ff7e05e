/**
 * Deletions as every process sees them. `Tombstones` remembers sessions deleted recently, so a
 * rehydration that read the record just before it was deleted cannot bring the session back here.
 * `PendingDeletions` tracks, for a DELETE this process answers, which processes have yet to
 * confirm that they dropped the session.
 */

/** Sessions deleted recently (bounded in count and age). */
export class Tombstones {
  private readonly deletedAt = new Map<string, number>();

  constructor(
    private readonly keepMs: number,
    private readonly max = 10_000,
  ) {}

  add(sessionId: string): void {
    this.deletedAt.delete(sessionId);
    this.deletedAt.set(sessionId, Date.now());
    // Map order is insertion order: the oldest go first.
    for (const [id, at] of this.deletedAt) {
      if (this.deletedAt.size <= this.max && at >= Date.now() - this.keepMs) break;
      this.deletedAt.delete(id);
    }
  }

  has(sessionId: string): boolean {
    const at = this.deletedAt.get(sessionId);
    if (at === undefined) return false;
    if (at < Date.now() - this.keepMs) {
      this.deletedAt.delete(sessionId);
      return false;
    }
    return true;
  }
}

/** What a DELETE waits for: the processes that have not confirmed yet. */
export class PendingDeletions {
  private readonly waiting = new Map<string, { missing: Set<string>; done: () => void }>();

  /**
   * Resolves with the processes that did not confirm within `timeoutMs` (empty: all did).
   * `start` runs once the wait is registered (it sends the request), so no answer is missed.
   */
  async wait(
    ack: string,
    processes: string[],
    timeoutMs: number,
    start: () => Promise<void>,
  ): Promise<string[]> {
    const missing = new Set(processes);
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<void>((resolve) => {
      this.waiting.set(ack, { missing, done: resolve });
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    try {
      await start();
      if (missing.size > 0) await finished;
      return [...missing];
    } finally {
      clearTimeout(timer);
      this.waiting.delete(ack);
    }
  }

  /** `processId` confirmed deletion `ack`. */
  confirmed(ack: string, processId: string): void {
    const entry = this.waiting.get(ack);
    if (!entry) return;
    entry.missing.delete(processId);
    if (entry.missing.size === 0) entry.done();
  }

  /** A process left: nobody waits for it any more. */
  forget(processId: string): void {
    for (const [ack] of this.waiting) this.confirmed(ack, processId);
  }
}
