import { randomBytes } from 'node:crypto';
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
import { CommandRunner, toStoreError } from './command-runner.js';
import { formatEventId, parseEventId } from './event-id.js';
import { APPEND, LOOKUP, PRIMING_LOOKUP, TAIL } from './event-scripts.js';
import { RedisKeys } from './keys.js';
import { duplicateClient, type RedisClient } from './redis-client.js';

/** Options of {@link RedisEventStore}. */
export interface RedisEventStoreOptions extends EventStoreBaseOptions {
  /** Your ioredis client (`Redis` or `Cluster`). Never closed by the event store. */
  redis: RedisClient;
  /** Key prefix; use the session store's so a session's keys sit together. Default `'mcp:session:'`. */
  keyPrefix?: string | undefined;
  /** Bound on each Redis call. Default 2000 ms. */
  commandTimeoutMs?: number | undefined;
}

const CAPABILITIES: EventStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/redis',
  clock: 'backend',
  sharedAcrossProcesses: true,
});

const PAGE = 256;
/** How long one blocking read of a follower waits before it looks again (and notices an abort). */
const FOLLOW_BLOCK_MS = 5_000;

type StreamEntry = [id: string, fields: string[]];

/** Where a replay starts: after a stored event's entry, or after `0-0` for a priming id. */
interface ResolvedEvent {
  /** The session's token, for the ids of the events sent; undefined while the session holds none. */
  token: string | undefined;
  streamId: string;
  entryId: string;
  key: string;
  eventsKey: string;
}

/** Before every entry id: where a priming id starts. */
const STREAM_START = '0-0';

function assertStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 512) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'streamId must be a string of 1-512 characters');
  }
}

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/**
 * Resumable-stream storage on Redis Streams: one stream per SSE stream of a session, capped with
 * `MAXLEN`, expiring `ttlMs` after its last append, all under the session's hash tag. Each append is
 * one script call; a priming event is none (its id is derived, and resumes from `0-0`). `follow`
 * tails a stream with `XREAD BLOCK` on its own duplicated connection, so a client can resume on
 * one process a stream that another process keeps writing.
 *
 * @example
 * ```ts
 * const events = new RedisEventStore({ redis, ttlMs: 3_600_000 });
 * const transport = new StreamableHTTPServerTransport({
 *   sessionIdGenerator: () => sessionId,
 *   eventStore: events.forSession(sessionId),
 * });
 * ```
 */
export class RedisEventStore implements EventStoreFactory {
  readonly capabilities = CAPABILITIES;
  private readonly keys: RedisKeys;
  private readonly runner: CommandRunner;
  private readonly ttlMs: number;
  private readonly maxEventsPerStream: number;
  private readonly followers = new Set<AbortController>();
  private closed = false;

  constructor(options: RedisEventStoreOptions) {
    if (!options?.redis)
      throw new SessionStoreError('INVALID_ARGUMENT', 'redis (an ioredis client) is required');
    this.keys = new RedisKeys(options.keyPrefix);
    this.runner = new CommandRunner(options.redis, options.commandTimeoutMs);
    const limits = resolveEventStoreLimits(options);
    this.ttlMs = limits.ttlMs;
    this.maxEventsPerStream = limits.maxEventsPerStream;
  }

  /** How many calls this event store has sent to Redis. */
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
        await this.replay(start, start.entryId, send);
        return start.streamId;
      },
      follow: (lastEventId, options) => this.follow(sessionId, lastEventId, options),
    };
  }

  async purgeSession(sessionId: string): Promise<void> {
    this.assertOpen();
    assertValidSessionId(sessionId);
    const eventsKey = this.keys.events(sessionId);
    const fields = await this.runner.run('event purge list', (redis) => redis.hkeys(eventsKey));
    const streamKeys = fields
      .filter((f) => f.startsWith('s:'))
      .map((f) => this.keys.stream(sessionId, f.slice(2)));
    // Same hash tag: one multi-key DEL is legal on a cluster.
    await this.runner.run('event purge', (redis) => redis.del(eventsKey, ...streamKeys));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const follower of this.followers) follower.abort();
    this.followers.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw closedError('RedisEventStore');
  }

  private async append(sessionId: string, streamId: string, message: StoredMessage): Promise<string> {
    this.assertOpen();
    assertStreamId(streamId);
    const text = encodeStoredMessage(message);
    // A priming event holds no message: its id (the start of the stream) needs no Redis call.
    if (text === '{}') return primingEventId(sessionId, streamId);
    const [token, entryId] = await this.runner.script<[string, string]>(
      APPEND,
      [this.keys.events(sessionId), this.keys.stream(sessionId, streamId)],
      [randomBytes(12).toString('base64url'), streamId, text, this.maxEventsPerStream, this.ttlMs],
    );
    return formatEventId(token, streamId, entryId);
  }

  /** The id of the stream's last event, or its priming id if it holds none: one script call. */
  private async tailEventId(sessionId: string, streamId: string): Promise<string> {
    this.assertOpen();
    assertStreamId(streamId);
    const last = await this.runner.script<[string, string] | null>(
      TAIL,
      [this.keys.events(sessionId), this.keys.stream(sessionId, streamId)],
      [],
    );
    return last ? formatEventId(last[0], streamId, last[1]) : primingEventId(sessionId, streamId);
  }

  /** The event an id points to, if it is one of this session's stored events. */
  private async resolve(sessionId: string, eventId: string): Promise<ResolvedEvent | undefined> {
    this.assertOpen();
    if (isPrimingEventId(eventId)) return this.resolvePriming(sessionId, eventId);
    const parsed = parseEventId(eventId);
    if (!parsed) return undefined;
    const key = this.keys.stream(sessionId, parsed.streamId);
    const eventsKey = this.keys.events(sessionId);
    const stored = await this.runner.script<string | null>(
      LOOKUP,
      [eventsKey, key],
      [parsed.token, parsed.entryId],
    );
    if (stored !== parsed.streamId) return undefined;
    return { ...parsed, key, eventsKey };
  }

  /** The start of a priming id's stream, unless the stream holds enough events to have been trimmed. */
  private async resolvePriming(sessionId: string, eventId: string): Promise<ResolvedEvent | undefined> {
    const streamId = parsePrimingEventId(sessionId, eventId);
    if (streamId === undefined || streamId.length > 512) return undefined;
    const key = this.keys.stream(sessionId, streamId);
    const eventsKey = this.keys.events(sessionId);
    const [token, held] = await this.runner.script<[string | null, number]>(
      PRIMING_LOOKUP,
      [eventsKey, key],
      [],
    );
    if (held >= this.maxEventsPerStream) return undefined;
    return { token: token ?? undefined, streamId, entryId: STREAM_START, key, eventsKey };
  }

  /** The session's token, read once for a start that had none (a priming id of a new session). */
  private async tokenOf(start: ResolvedEvent): Promise<string | undefined> {
    start.token ??=
      (await this.runner.run('event token', (redis) => redis.hget(start.eventsKey, 't'))) ?? undefined;
    return start.token;
  }

  private async require(sessionId: string, eventId: string): Promise<ResolvedEvent> {
    const event = await this.resolve(sessionId, eventId);
    if (!event) throw new SessionStoreError('EVENT_NOT_FOUND', 'Unknown event id for this session');
    return event;
  }

  /** Sends `entries` in order, skipping priming events; stops at once when `signal` aborts. */
  private async deliver(
    start: ResolvedEvent,
    entries: StreamEntry[],
    send: SendEvent,
    signal?: AbortSignal,
  ): Promise<void> {
    if (entries.length === 0) return;
    // Entries come with the session's token in its hash (the same lifetime): no token, no events.
    const token = await this.tokenOf(start);
    if (token === undefined) return;
    for (const [entryId, fields] of entries) {
      if (signal?.aborted) return;
      const text = field(fields, 'm');
      // Priming events are never replayed (older versions stored them as `{}`).
      if (text === undefined || text === '{}') continue;
      await send(formatEventId(token, start.streamId, entryId), JSON.parse(text) as StoredMessage);
    }
  }

  private async replay(start: ResolvedEvent, afterEntry: string, send: SendEvent): Promise<string> {
    let last = afterEntry;
    for (;;) {
      const entries = (await this.runner.run('event replay', (redis) =>
        redis.xrange(start.key, `(${last}`, '+', 'COUNT', PAGE),
      )) as StreamEntry[];
      if (entries.length === 0) return last;
      await this.deliver(start, entries, send);
      last = entries.at(-1)![0];
    }
  }

  private async follow(
    sessionId: string,
    lastEventId: string,
    options: { send: SendEvent; signal: AbortSignal; onError?: (error: unknown) => void },
  ): Promise<string> {
    const start = await this.require(sessionId, lastEventId);
    const last = await this.replay(start, start.entryId, options.send);
    // Already stopped during the replay (a resumed stream that ended with its response, a client
    // gone): open nothing that would then have to be closed.
    if (options.signal.aborted || this.closed) return start.streamId;
    const controller = new AbortController();
    const stop = () => controller.abort();
    // Blocking reads need their own connection: on the shared one they would stall every command.
    const reader = duplicateClient(this.runner.client);
    reader.on('error', () => {}); // ioredis reconnects by itself; errors surface through xread
    // The cleanup is wired before anything can abort, so every path releases the connection.
    controller.signal.addEventListener('abort', () => {
      options.signal.removeEventListener('abort', stop);
      this.followers.delete(controller);
      reader.disconnect();
    });
    this.followers.add(controller);
    options.signal.addEventListener('abort', stop, { once: true });
    void this.tail(start, last, reader, controller, options);
    return start.streamId;
  }

  private async tail(
    start: ResolvedEvent,
    after: string,
    reader: RedisClient,
    controller: AbortController,
    options: { send: SendEvent; onError?: (error: unknown) => void },
  ): Promise<void> {
    const { signal } = controller;
    let last = after;
    while (!signal.aborted) {
      try {
        const reply = (await reader.xread(
          'COUNT',
          PAGE,
          'BLOCK',
          FOLLOW_BLOCK_MS,
          'STREAMS',
          start.key,
          last,
        )) as Array<[string, StreamEntry[]]> | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (signal.aborted) return;
        await this.deliver(start, entries, options.send, signal);
        if (entries.length > 0) last = entries.at(-1)![0];
      } catch (error) {
        if (signal.aborted) return;
        // A failed send (client gone) or a Redis error ends this follower; the caller may follow again.
        options.onError?.(toStoreError(error, 'event follow'));
        controller.abort();
        return;
      }
    }
  }
}
