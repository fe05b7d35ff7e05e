// What the clients of the rolling-restart test saw, counted as they go: every request and whether
// it failed (thrown, or a wrong answer), every transport error a client reported outside a request,
// and every notification sent and delivered, per protocol era.

/** Turns an error and its causes (with their codes: ECONNRESET, ...) into one bounded line. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; depth++) {
    if (!(e instanceof Error)) {
      parts.push(String(e));
      break;
    }
    const code = (e as { code?: unknown }).code;
    parts.push(`${e.message}${typeof code === 'string' ? ` [${code}]` : ''}`);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(' <- ').replace(/\s+/g, ' ').slice(0, 400);
}

/** A listen stream of one 2026-07-28 client, from its acknowledgement to its end. */
export interface ListenWindow {
  /** The sequence numbers of the change notifications it carried, as they arrived. */
  readonly received: number[];
  /** How it ended (`closed` of the SDK's subscription); unset while open. */
  ended?: 'local' | 'graceful' | 'remote';
}

export class RollingTally {
  /** Date.now() when the count started: failures say how long after it they happened. */
  readonly startedAt = Date.now();
  /** Requests sent by every client (each SDK call counts once: initialize, a tool call, DELETE, ...). */
  requests = 0;
  /** Requests that got their answer, right or wrong. */
  answered = 0;
  /** What went wrong, one line each: a request that threw or got a wrong answer. */
  readonly failures: string[] = [];
  /** Errors a client reported outside any request (a broken stream, a failed reconnect). */
  readonly transportErrors: string[] = [];
  /** 2025 sessions opened. */
  sessions = 0;
  /** 2025: notifications sent to a session's GET stream (announce-numbered), and how many arrived. */
  sessionNotificationsSent = 0;
  sessionNotificationsDelivered = 0;
  /** 2025: notifications that never arrived, or arrived twice. */
  readonly sessionNotificationsMissing: string[] = [];
  sessionNotificationsDuplicated = 0;
  /** 2026-07-28: the listen streams of every client, and change notifications published. */
  readonly listenWindows: ListenWindow[][] = [];
  changesPublished = 0;

  /** Runs one request, counting it; a throw or a failed check is recorded, not rethrown. */
  async request<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
    this.requests++;
    try {
      const result = await run();
      this.answered++;
      return result;
    } catch (error) {
      this.failures.push(`${this.at()} ${what}: ${describeError(error)}`);
      return undefined;
    }
  }

  /** Records a wrong answer (the request itself was answered). */
  wrong(what: string, got: string): void {
    this.failures.push(`${this.at()} ${what}: wrong answer ${JSON.stringify(got.slice(0, 200))}`);
  }

  /** Records an error a client reported outside any request. */
  transportError(what: string): void {
    this.transportErrors.push(`${this.at()} ${what}`);
  }

  /** How long since the count started, for a failure's line: `+12.3 s`. */
  at(time = Date.now()): string {
    return `+${((time - this.startedAt) / 1000).toFixed(1)} s`;
  }

  /** 2026: change notifications delivered on every listen stream. */
  get changesDelivered(): number {
    return this.listenWindows.flat().reduce((n, w) => n + w.received.length, 0);
  }

  /**
   * 2026: notifications missing inside a listen stream: a stream carries one publisher's events in
   * order, so what it received must be a run of consecutive numbers.
   */
  get changesMissingInStreams(): string[] {
    const holes: string[] = [];
    this.listenWindows.forEach((windows, client) => {
      windows.forEach((window, index) => {
        const seqs = [...window.received].sort((a, b) => a - b);
        for (let i = 1; i < seqs.length; i++) {
          if (seqs[i]! - seqs[i - 1]! !== 1) {
            holes.push(`client ${client}, stream ${index}: ${seqs[i - 1]} then ${seqs[i]}`);
          }
        }
      });
    });
    return holes;
  }

  /**
   * 2026: notifications published while a client was between two listen streams (the old one
   * ended, the new one not yet acknowledged). The 2026-07-28 protocol replays nothing: a client
   * lists again after listening again.
   */
  get changesBetweenStreams(): number {
    let gap = 0;
    for (const windows of this.listenWindows) {
      const spans = windows.filter((w) => w.received.length > 0);
      for (let i = 1; i < spans.length; i++) {
        gap += Math.max(0, Math.min(...spans[i]!.received) - Math.max(...spans[i - 1]!.received) - 1);
      }
    }
    return gap;
  }

  /** 2026: listen streams the server ended (each followed by the client listening again). */
  get listensEndedByServer(): { graceful: number; remote: number } {
    const ended = this.listenWindows.flat();
    return {
      graceful: ended.filter((w) => w.ended === 'graceful').length,
      remote: ended.filter((w) => w.ended === 'remote').length,
    };
  }
}
