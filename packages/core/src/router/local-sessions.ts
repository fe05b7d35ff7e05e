import type { SessionRecord } from '../contract/session-record.js';
import type { SessionTransport } from './sdk-binding.js';

/** A session this process is serving: its SDK server and transport, and what keeps it busy. */
export interface LocalSession<TServer = unknown> {
  readonly id: string;
  readonly principal: string | null;
  record: SessionRecord;
  /** What the server factory returned (an SDK 1.x or v2 server). */
  readonly server: TServer;
  readonly transport: SessionTransport;
  /** Requests whose response is still being written. */
  inflight: number;
  /** Set when it was closed (deleted, expired) with requests in flight: the last one releases it. */
  releaseWhenIdle?: boolean;
  lastUsedAt: number;
  /** When `record` was last read from or written to the store (see `revalidateAfterMs`). */
  verifiedAt: number;
  /** Event-store writes that failed (the SDK hides them; the router turns them into 503). */
  readonly storageFailures: { count: number };
}

/**
 * The live sessions of this process: an LRU bounded in count and idle time. Eviction only releases
 * memory (the session stays in the store and comes back on the next request); it never touches a
 * session with a request in flight or a GET stream open (`isBusy`).
 */
export class LocalSessions<TServer = unknown> {
  private readonly sessions = new Map<string, LocalSession<TServer>>();

  constructor(
    private readonly maxSessions: number,
    private readonly idleMs: number,
    private readonly isBusy: (session: LocalSession<TServer>) => boolean,
    private readonly release: (session: LocalSession<TServer>) => void,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): LocalSession<TServer> | undefined {
    const session = this.sessions.get(id);
    if (session) {
      // Re-insert: Map order is the LRU order.
      this.sessions.delete(id);
      this.sessions.set(id, session);
      session.lastUsedAt = Date.now();
    }
    return session;
  }

  /** Adds a session; evicts others (never this one: it is about to serve a request) over the bound. */
  add(session: LocalSession<TServer>): void {
    this.sessions.set(session.id, session);
    if (this.sessions.size > this.maxSessions) {
      this.evict(() => this.sessions.size > this.maxSessions, session.id);
    }
  }

  /** Removes a session without releasing it (the caller closes it). */
  remove(id: string): LocalSession<TServer> | undefined {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    return session;
  }

  /** Releases sessions idle for longer than the idle limit. */
  sweepIdle(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const session of [...this.sessions.values()]) {
      if (session.lastUsedAt < cutoff && !this.isBusy(session)) {
        this.sessions.delete(session.id);
        this.release(session);
      }
    }
  }

  all(): LocalSession<TServer>[] {
    return [...this.sessions.values()];
  }

  private evict(needed: () => boolean, keep: string): void {
    for (const session of [...this.sessions.values()]) {
      if (!needed()) return;
      if (session.id === keep || this.isBusy(session)) continue;
      this.sessions.delete(session.id);
      this.release(session);
    }
  }
}
