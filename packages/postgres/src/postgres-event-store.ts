import { createHash, randomBytes } from 'node:crypto';
import {
  assertValidSessionId,
  closedError,
  type EventStoreBaseOptions,
  type EventStoreCapabilities,
  type EventStoreFactory,
  encodeStoredMessage,
  isPrimingEventId,
  parsePrimingEventId,
  primingEventId,
  resolveEventStoreLimits,
  type SendEvent,
  type SessionEventStore,
  SessionStoreError,
  type StoredMessage,
} from '@mcp-session-store/core';
import type { Pool } from 'pg';
import { type DedicatedClientOptions, dedicatedClientFactory } from './dedicated-client.js';
import { toStoreError } from './errors.js';
import { formatEventId, parseEventId } from './event-id.js';
import { type EventStatements, eventStatements } from './event-sql.js';
import { ListenConnection } from './listen-connection.js';
import { PostgresNames, type PostgresNamingOptions } from './names.js';
import { QueryRunner, requirePool, resolveTimeout } from './query-runner.js';

/**
 * Options of {@link PostgresEventStore}.
 *
 * @example
 * ```ts
 * const options: PostgresEventStoreOptions = { pool, schema: 'mcp', ttlMs: 3_600_000, maxEventsPerStream: 1000 };
 * ```
 */
export interface PostgresEventStoreOptions
  extends EventStoreBaseOptions,
    PostgresNamingOptions,
    DedicatedClientOptions {
  /** Your `pg.Pool`: appends and replays go through it. Never ended by the event store. */
  pool: Pool;
  /** Bound on each database call. Default 5000 ms. */
  statementTimeoutMs?: number | undefined;
}

const CAPABILITIES: EventStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/postgres',
  clock: 'backend',
  sharedAcrossProcesses: true,
});

const PAGE = 256;

/** Where a replay starts: after a stored event's seq, or after 0 for a priming id. */
interface ResolvedEvent {
  sessionId: string;
  /** The session's token, for the ids of the events sent; undefined until a priming start sees one. */
  token: string | undefined;
  streamId: string;
  seq: number;
}

type FollowOptions = { send: SendEvent; signal: AbortSignal; onError?: (error: unknown) => void };

/** A live `follow()`: where it is in its stream, and its catch-up loop. */
interface Follower {
  readonly start: ResolvedEvent;
  readonly key: string;
  readonly send: SendEvent;
  readonly controller: AbortController;
  last: number;
  running: Promise<void> | undefined;
  /** A notification came while a catch-up was running: run once more. */
  dirty: boolean;
  readonly onError: ((error: unknown) => void) | undefined;
}

function assertStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 512) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'streamId must be a string of 1-512 characters');
  }
}

/** What NOTIFY carries for an append: which stream of which session, without revealing either. */
function streamKey(sessionId: string, streamId: string): string {
  return createHash('sha256')
    .update(sessionId)
    .update('\0')
    .update(streamId)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Resumable-stream storage on PostgreSQL: one row per event, ordered per session by a sequence
 * number taken under the session row's lock, capped per stream in the same statement as the insert
 * (one statement per event; none for a priming event, whose id is derived), and expiring `ttlMs`
 * after the session's last append (by the database clock). `follow` replays,
 * then tails the stream, woken by LISTEN/NOTIFY on one dedicated connection per event store.
 *
 * @example
 * ```ts
 * const events = new PostgresEventStore({ pool, ttlMs: 3_600_000 });
 * const transport = new StreamableHTTPServerTransport({
 *   sessionIdGenerator: () => sessionId,
 *   eventStore: events.forSession(sessionId),
 * });
 * ```
 */
export class PostgresEventStore implements EventStoreFactory {
  readonly capabilities = CAPABILITIES;
  /** The validated table names this event store uses. */
  readonly names: PostgresNames;
  private readonly runner: QueryRunner;
  private readonly sql: EventStatements;
  private readonly ttlMs: number;
  private readonly maxEventsPerStream: number;
  private readonly listener: ListenConnection;
  private readonly followers = new Map<string, Set<Follower>>();
  private listening: Promise<void> | undefined;
  private closed = false;

  constructor(options: PostgresEventStoreOptions) {
    const pool = requirePool(options?.pool);
    const timeoutMs = resolveTimeout(options.statementTimeoutMs);
    this.names = new PostgresNames(options);
    this.runner = new QueryRunner(pool, timeoutMs);
    this.sql = eventStatements(this.names);
    const limits = resolveEventStoreLimits(options);
    this.ttlMs = limits.ttlMs;
    this.maxEventsPerStream = limits.maxEventsPerStream;
    this.listener = new ListenConnection({
      name: 'PostgresEventStore listener',
      connect: dedicatedClientFactory(pool, options, timeoutMs),
      timeoutMs,
      onNotification: (_channel, key) => this.wake(this.followers.get(key)),
      // Appends made while the connection was down sent notifications nobody got: catch up.
      onReconnect: () => {
        for (const group of this.followers.values()) this.wake(group);
      },
    });
  }

  /** How many statements this event store has sent through the pool. */
  get backendCalls(): number {
    return this.runner.calls;
  }

  forSession(sessionId: string): SessionEventStore {
    assertValidSessionId(sessionId);
    return {
      sessionId,
      storeEvent: (streamId, message) => this.append(sessionId, streamId, message),
      tailEventId: (streamId) => this.tailEventId(sessionId, streamId),
      getStreamIdForEventId: async (eventId) => (await this.resolve(sessionId, eventId))?.streamId,
      replayEventsAfter: async (lastEventId, { send }) => {
        const start = await this.require(sessionId, lastEventId);
        let last = start.seq;
        for (;;) {
          const rows = await this.page(start, last);
          for (const row of rows) await send(formatEventId(row.token, start.streamId, row.seq), row.message);
          if (rows.length < PAGE) return start.streamId;
          last = rows.at(-1)!.seq;
        }
      },
      follow: (lastEventId, options) => this.follow(sessionId, lastEventId, options),
    };
  }

  async purgeSession(sessionId: string): Promise<void> {
    this.assertOpen();
    assertValidSessionId(sessionId);
    await this.runner.query('event purge', this.sql.purge, [sessionId]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const group of this.followers.values()) for (const f of group) f.controller.abort();
    this.followers.clear();
    await this.listener.close();
  }

  private assertOpen(): void {
    if (this.closed) throw closedError('PostgresEventStore');
  }

  private async append(sessionId: string, streamId: string, message: StoredMessage): Promise<string> {
    this.assertOpen();
    assertStreamId(streamId);
    const text = encodeStoredMessage(message);
    // A priming event holds no message: its id (the start of the stream) needs no statement.
    if (text === '{}') return primingEventId(sessionId, streamId);
    const { rows } = await this.runner.query<{ token: string; last_seq: string }>(
      'event append',
      this.sql.append,
      [
        sessionId,
        randomBytes(12).toString('base64url'),
        streamId,
        text,
        this.ttlMs,
        this.maxEventsPerStream,
        this.names.eventsChannel,
        streamKey(sessionId, streamId),
      ],
    );
    const row = rows[0]!;
    return formatEventId(row.token, streamId, Number(row.last_seq));
  }

  /** The id of the stream's last event, or its priming id if it holds none: one statement. */
  private async tailEventId(sessionId: string, streamId: string): Promise<string> {
    this.assertOpen();
    assertStreamId(streamId);
    const { rows } = await this.runner.query<{ token: string; seq: string }>('event tail', this.sql.tail, [
      sessionId,
      streamId,
    ]);
    const last = rows[0];
    return last ? formatEventId(last.token, streamId, Number(last.seq)) : primingEventId(sessionId, streamId);
  }

  /** The event an id points to, if it is a live stored event of this session. */
  private async resolve(sessionId: string, eventId: string): Promise<ResolvedEvent | undefined> {
    this.assertOpen();
    if (isPrimingEventId(eventId)) return this.resolvePriming(sessionId, eventId);
    const parsed = parseEventId(eventId);
    if (!parsed) return undefined;
    const { rows } = await this.runner.query<{ stream_id: string }>('event lookup', this.sql.lookup, [
      sessionId,
      parsed.seq,
      parsed.token,
    ]);
    // The stream comes from stored data; an id naming another stream than the stored one is refused.
    if (rows[0]?.stream_id !== parsed.streamId) return undefined;
    return { sessionId, ...parsed };
  }

  /** The start of a priming id's stream, unless the stream holds enough events to have been trimmed. */
  private async resolvePriming(sessionId: string, eventId: string): Promise<ResolvedEvent | undefined> {
    const streamId = parsePrimingEventId(sessionId, eventId);
    if (streamId === undefined || streamId.length > 512) return undefined;
    const { rows } = await this.runner.query<{ token: string; held: number }>(
      'event priming lookup',
      this.sql.primingLookup,
      [sessionId, streamId, this.maxEventsPerStream],
    );
    if ((rows[0]?.held ?? 0) >= this.maxEventsPerStream) return undefined;
    return { sessionId, token: rows[0]?.token, streamId, seq: 0 };
  }

  private async require(sessionId: string, eventId: string): Promise<ResolvedEvent> {
    const event = await this.resolve(sessionId, eventId);
    if (!event) throw new SessionStoreError('EVENT_NOT_FOUND', 'Unknown event id for this session');
    return event;
  }

  /** Events of the start's stream after `after`; a priming start takes the token of the first it sees. */
  private async page(
    start: ResolvedEvent,
    after: number,
  ): Promise<Array<{ seq: number; message: StoredMessage; token: string }>> {
    this.assertOpen();
    const { rows } = await this.runner.query<{ seq: string; message: string; token: string }>(
      'event replay',
      this.sql.page,
      [start.sessionId, start.streamId, after, start.token ?? null, PAGE],
    );
    // One session, one token: later pages (and a follower's later reads) keep to it.
    start.token ??= rows[0]?.token;
    return rows.map((r) => {
      try {
        return { seq: Number(r.seq), message: JSON.parse(r.message) as StoredMessage, token: r.token };
      } catch (cause) {
        throw new SessionStoreError('BACKEND_ERROR', 'A stored event is not JSON', { cause });
      }
    });
  }

  private async follow(sessionId: string, lastEventId: string, options: FollowOptions): Promise<string> {
    const start = await this.require(sessionId, lastEventId);
    // LISTEN is live before the replay reads anything, and the follower is registered before too:
    // an append committed after the replay's read wakes it. No gap; `seq > last` means no duplicate.
    this.listening ??= this.listener.listen(this.names.eventsChannel).catch((error: unknown) => {
      this.listening = undefined;
      throw error;
    });
    await this.listening;
    this.assertOpen();
    const follower: Follower = {
      start,
      key: streamKey(sessionId, start.streamId),
      send: options.send,
      controller: new AbortController(),
      last: start.seq,
      running: undefined,
      dirty: false,
      onError: options.onError,
    };
    const stop = () => follower.controller.abort();
    follower.controller.signal.addEventListener('abort', () => {
      options.signal.removeEventListener('abort', stop);
      const group = this.followers.get(follower.key);
      group?.delete(follower);
      if (group?.size === 0) this.followers.delete(follower.key);
    });
    let group = this.followers.get(follower.key);
    if (!group) {
      group = new Set();
      this.followers.set(follower.key, group);
    }
    group.add(follower);
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
    // The replay: its errors reject follow() itself. While it runs, the follower counts as busy, so
    // a notification only marks it dirty instead of starting a second, concurrent catch-up.
    const replay = this.catchUp(follower);
    follower.running = replay.catch(() => {});
    try {
      await replay;
    } catch (error) {
      stop();
      throw error;
    } finally {
      follower.running = undefined;
    }
    // Notifications that came during the replay.
    if (follower.dirty) this.wake(new Set([follower]));
    return start.streamId;
  }

  /** Sends what the follower's stream holds after its position, page by page. */
  private async catchUp(follower: Follower): Promise<void> {
    const { signal } = follower.controller;
    follower.dirty = false;
    for (;;) {
      if (signal.aborted) return;
      const rows = await this.page(follower.start, follower.last);
      for (const row of rows) {
        if (signal.aborted) return;
        await follower.send(formatEventId(row.token, follower.start.streamId, row.seq), row.message);
        follower.last = row.seq;
      }
      if (rows.length < PAGE) return;
    }
  }

  /** Runs a catch-up for each follower, one at a time per follower (a request while one runs re-runs it). */
  private wake(group: Set<Follower> | undefined): void {
    if (!group) return;
    for (const follower of group) {
      if (follower.running) {
        follower.dirty = true;
        continue;
      }
      follower.running = (async () => {
        try {
          do await this.catchUp(follower);
          while (follower.dirty && !follower.controller.signal.aborted);
        } catch (error) {
          // A failed send (client gone) or query ends this follower; the caller may follow again.
          if (!follower.controller.signal.aborted) {
            follower.onError?.(toStoreError(error, 'event follow'));
            follower.controller.abort();
          }
        } finally {
          follower.running = undefined;
        }
      })();
    }
  }
}
