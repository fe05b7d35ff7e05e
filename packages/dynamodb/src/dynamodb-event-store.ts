import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandOutput,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import {
  assertValidSessionId,
  type Clock,
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
  systemClock,
} from '@mcp-session-store/core';
import { CallRunner, toStoreError } from './call-runner.js';
import { formatEventId, padSeq, parseEventId } from './event-id.js';
import { DynamoKeys, streamKey } from './keys.js';
import type { Item } from './record-item.js';
import { headOf, StreamAppender, type StreamHead, type StreamLocation } from './stream-appender.js';

/** Largest stored message, bytes of JSON text: what fits in one 400 KB item with its keys. */
export const MAX_EVENT_BYTES = 380 * 1024;
/** Default interval at which `follow()` polls for new events. */
export const DEFAULT_FOLLOW_INTERVAL_MS = 100;

/** Options of {@link DynamoDBEventStore}. */
export interface DynamoDBEventStoreOptions extends EventStoreBaseOptions {
  /** Your `DynamoDBClient`. Never destroyed by the event store. */
  client: DynamoDBClient;
  /** The table of {@link tableDefinition} (the session store's). */
  tableName: string;
  /** First part of every key; use the session store's. Default `'mcp'`. */
  namespace?: string | undefined;
  /** Time source for retention decisions. Default: the system clock. */
  clock?: Clock | undefined;
  /** How often `follow()` polls for new events. Default 100 ms. */
  followIntervalMs?: number | undefined;
  /** Bound on each DynamoDB call, SDK retries included. Default 5000 ms. */
  callTimeoutMs?: number | undefined;
}

const CAPABILITIES: EventStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/dynamodb',
  clock: 'injectable',
  sharedAcrossProcesses: true,
});

/**
 * Where a replay starts: after a stored event's `seq`, or after 0 for a priming id. A priming id
 * of a stream with no live generation has no token yet: a follower takes the first live one.
 */
interface ResolvedEvent {
  token: string | undefined;
  streamId: string;
  seq: number;
  /** Event 1's text, kept in the head: known for a start at 0 once the generation is. */
  first?: string | undefined;
}

/** A live head as a reader needs it: the head, and event 1 if the head still holds it. */
interface LiveHead {
  head: StreamHead;
  first: string | undefined;
}

interface StoredEvent {
  seq: number;
  /** The message's JSON text. */
  text: string;
}

interface FollowOptions {
  send: SendEvent;
  signal: AbortSignal;
  onError?: (error: unknown) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

function assertStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 512) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'streamId must be a string of 1-512 characters');
  }
}

/**
 * Resumable-stream storage on DynamoDB. Each SSE stream of a session has a head item (a random
 * token per generation, the last sequence number, the expiry, and the stream's first event) and one
 * item per later event, sorted by a zero-padded per-stream sequence, all in the session's
 * partition. Every append is one request (see {@link StreamAppender}): a stream's first event is the
 * `PutItem` of its head; event n > 1 one `TransactWriteItems` moving the head from n - 1 to n (a
 * condition, so writers on any number of processes take turns) with event n written beside it and
 * the oldest dropped beyond `maxEventsPerStream`. A priming event is no request at all. `follow`
 * polls the stream's items after the last one seen.
 *
 * @example
 * ```ts
 * const events = new DynamoDBEventStore({ client, tableName: 'mcp-sessions', ttlMs: 3_600_000 });
 * const transport = new StreamableHTTPServerTransport({
 *   sessionIdGenerator: () => sessionId,
 *   eventStore: events.forSession(sessionId),
 * });
 * ```
 */
export class DynamoDBEventStore implements EventStoreFactory {
  readonly capabilities = CAPABILITIES;
  private readonly keys: DynamoKeys;
  private readonly runner: CallRunner;
  private readonly appender: StreamAppender;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly maxEventsPerStream: number;
  private readonly followIntervalMs: number;
  private readonly followers = new Set<AbortController>();
  private closed = false;

  constructor(options: DynamoDBEventStoreOptions) {
    if (typeof options?.tableName !== 'string' || options.tableName.length === 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'tableName is required');
    }
    this.runner = new CallRunner(options.client, options.callTimeoutMs);
    this.keys = new DynamoKeys(options.namespace);
    this.tableName = options.tableName;
    this.clock = options.clock ?? systemClock;
    const limits = resolveEventStoreLimits(options);
    this.maxEventsPerStream = limits.maxEventsPerStream;
    this.appender = new StreamAppender(this.runner, this.tableName, this.clock, limits);
    const interval = options.followIntervalMs ?? DEFAULT_FOLLOW_INTERVAL_MS;
    if (!Number.isSafeInteger(interval) || interval <= 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'followIntervalMs must be a positive integer');
    }
    this.followIntervalMs = interval;
  }

  /** How many calls this event store has sent to DynamoDB. */
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
        await this.replay(sessionId, start, start.seq, send, () => false);
        return start.streamId;
      },
      follow: (lastEventId, options) => this.follow(sessionId, lastEventId, options),
    };
  }

  async purgeSession(sessionId: string): Promise<void> {
    this.assertOpen();
    assertValidSessionId(sessionId);
    let startKey: Item | undefined;
    do {
      const page = await this.runner.send<QueryCommandOutput>(
        'event purge list',
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: this.keys.events(sessionId) } },
          ProjectionExpression: 'pk, sk',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      await this.deleteKeys((page.Items ?? []).map((i) => ({ pk: i.pk!, sk: i.sk! })));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const follower of this.followers) follower.abort();
    this.followers.clear();
    this.appender.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw closedError('DynamoDBEventStore');
  }

  private location(sessionId: string, streamId: string): StreamLocation {
    return {
      pk: this.keys.events(sessionId),
      headSk: `h#${streamKey(streamId)}`,
      streamId,
      eventSk: (token, seq) => `${eventPrefix(streamId, token)}${padSeq(seq)}`,
    };
  }

  private headKey(sessionId: string, streamId: string): Item {
    const { pk, headSk } = this.location(sessionId, streamId);
    return { pk: { S: pk }, sk: { S: headSk } };
  }

  private async append(sessionId: string, streamId: string, message: StoredMessage): Promise<string> {
    this.assertOpen();
    assertStreamId(streamId);
    const text = encodeStoredMessage(message);
    // A priming event holds no message: its id (the start of the stream) needs no request.
    if (text === '{}') return primingEventId(sessionId, streamId);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_EVENT_BYTES) {
      throw new SessionStoreError(
        'PAYLOAD_TOO_LARGE',
        `Event is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}`,
        {
          details: { bytes, maxBytes: MAX_EVENT_BYTES },
        },
      );
    }
    const { token, seq } = await this.appender.append(this.location(sessionId, streamId), text);
    return formatEventId(token, streamId, seq);
  }

  /** The stream's head (and event 1 it may hold) if it is live: one consistent read. */
  private async liveHead(sessionId: string, streamId: string): Promise<LiveHead | undefined> {
    const out = await this.runner.send<GetItemCommandOutput>(
      'event head',
      new GetItemCommand({
        TableName: this.tableName,
        Key: this.headKey(sessionId, streamId),
        ConsistentRead: true,
      }),
    );
    const head = headOf(out.Item);
    return head && head.expiresAt > this.clock.now() ? { head, first: out.Item?.m?.S } : undefined;
  }

  /** The id of the stream's last event, or its priming id if it holds none: one read. */
  private async tailEventId(sessionId: string, streamId: string): Promise<string> {
    this.assertOpen();
    assertStreamId(streamId);
    const live = await this.liveHead(sessionId, streamId);
    return live
      ? formatEventId(live.head.token, streamId, live.head.seq)
      : primingEventId(sessionId, streamId);
  }

  /** The event an id points to, if it is a live, untrimmed event of this session. */
  private async resolve(sessionId: string, eventId: string): Promise<ResolvedEvent | undefined> {
    this.assertOpen();
    if (isPrimingEventId(eventId)) return this.resolvePriming(sessionId, eventId);
    const parsed = parseEventId(eventId);
    if (!parsed || parsed.streamId.length > 512) return undefined;
    const head = this.headKey(sessionId, parsed.streamId);
    const eventKey: Item = {
      pk: head.pk!,
      sk: { S: this.location(sessionId, parsed.streamId).eventSk(parsed.token, parsed.seq) },
    };
    const out = await this.runner.send<BatchGetItemCommandOutput>(
      'event lookup',
      new BatchGetItemCommand({
        RequestItems: { [this.tableName]: { Keys: [head, eventKey], ConsistentRead: true } },
      }),
    );
    if ((out.UnprocessedKeys?.[this.tableName]?.Keys ?? []).length > 0) {
      throw new SessionStoreError('BACKEND_UNAVAILABLE', 'DynamoDB throttled an event lookup; try again');
    }
    const items = out.Responses?.[this.tableName] ?? [];
    const rawHead = items.find((i) => i.sk?.S === head.sk!.S);
    const headItem = headOf(rawHead);
    // Event 1 is kept in the head item (`m`, removed once trimmed).
    const event =
      parsed.seq === 1 ? (rawHead?.m ? rawHead : undefined) : items.find((i) => i.sk?.S === eventKey.sk!.S);
    if (!headItem || !event) return undefined;
    const live = headItem.expiresAt > this.clock.now();
    const untrimmed = parsed.seq > headItem.seq - this.maxEventsPerStream;
    if (!live || !untrimmed || headItem.token !== parsed.token) return undefined;
    if (event.streamId?.S !== parsed.streamId) return undefined;
    return { token: parsed.token, streamId: parsed.streamId, seq: parsed.seq };
  }

  /**
   * The start of a priming id's stream: its live generation from sequence 0, unless it holds enough
   * events to have been trimmed; no generation yet if the stream holds none.
   */
  private async resolvePriming(sessionId: string, eventId: string): Promise<ResolvedEvent | undefined> {
    const streamId = parsePrimingEventId(sessionId, eventId);
    if (streamId === undefined || streamId.length > 512) return undefined;
    const live = await this.liveHead(sessionId, streamId);
    // A generation's sequence numbers start at 1: `seq` is how many events it ever held.
    if (live && live.head.seq >= this.maxEventsPerStream) return undefined;
    return { token: live?.head.token, streamId, seq: 0, first: live?.first };
  }

  private async require(sessionId: string, eventId: string): Promise<ResolvedEvent> {
    const event = await this.resolve(sessionId, eventId);
    if (!event) throw new SessionStoreError('EVENT_NOT_FOUND', 'Unknown event id for this session');
    return event;
  }

  /** Events of the start's generation after `afterSeq`, in order, one page of at most 1 MB. */
  private async readAfter(
    sessionId: string,
    start: ResolvedEvent & { token: string },
    afterSeq: number,
  ): Promise<{ events: StoredEvent[]; more: boolean }> {
    const prefix = eventPrefix(start.streamId, start.token);
    const page = await this.runner.send<QueryCommandOutput>(
      'event read',
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': { S: this.keys.events(sessionId) },
          ':from': { S: `${prefix}${padSeq(afterSeq + 1)}` },
          // Digits sort before `~`: this bounds the range to this stream generation.
          ':to': { S: `${prefix}~` },
        },
        ConsistentRead: true,
      }),
    );
    const events = (page.Items ?? []).map((i) => ({ seq: Number(i.seq?.N), text: i.m?.S ?? '{}' }));
    return { events, more: page.LastEvaluatedKey !== undefined };
  }

  /**
   * Sends the stream's events after `afterSeq`, in order, skipping priming events; returns the last
   * sequence number handled. With `contiguous`, stops before a missing number and says which
   * number comes next (`gap`) instead of jumping over it.
   */
  private async replay(
    sessionId: string,
    start: ResolvedEvent,
    afterSeq: number,
    send: SendEvent,
    stopped: () => boolean,
    contiguous = false,
  ): Promise<{ last: number; gap: number | undefined }> {
    let last = afterSeq;
    // A priming start with no generation yet: nothing stored to send.
    if (start.token === undefined) return { last, gap: undefined };
    const generation = { ...start, token: start.token };
    // Event 1 is in the head, read with it.
    if (last === 0 && start.first !== undefined) {
      if (stopped()) return { last, gap: undefined };
      last = 1;
      if (start.first !== '{}') {
        await send(formatEventId(generation.token, start.streamId, 1), JSON.parse(start.first));
      }
    }
    for (;;) {
      const { events, more } = await this.readAfter(sessionId, generation, last);
      for (const event of events) {
        if (contiguous && event.seq !== last + 1) return { last, gap: event.seq };
        if (stopped()) return { last, gap: undefined };
        last = event.seq;
        // Priming events (stored as `{}` by older versions) are never replayed.
        if (event.text === '{}') continue;
        await send(formatEventId(generation.token, start.streamId, event.seq), JSON.parse(event.text));
      }
      if (!more || events.length === 0) return { last, gap: undefined };
    }
  }

  private async follow(sessionId: string, lastEventId: string, options: FollowOptions): Promise<string> {
    const start = await this.require(sessionId, lastEventId);
    const controller = new AbortController();
    const stop = () => controller.abort();
    options.signal.addEventListener('abort', stop, { once: true });
    controller.signal.addEventListener('abort', () => {
      options.signal.removeEventListener('abort', stop);
      this.followers.delete(controller);
    });
    this.followers.add(controller);
    if (options.signal.aborted || this.closed) controller.abort();
    const stopped = () => controller.signal.aborted;
    try {
      const { last } = await this.replay(sessionId, start, start.seq, options.send, stopped, true);
      if (!stopped()) void this.tail(sessionId, start, last, controller, options);
    } catch (error) {
      controller.abort();
      throw error;
    }
    return start.streamId;
  }

  /**
   * Polls for events after `after` until stopped. A stream written with one transaction per event
   * holds no gap; a missing number is one a reader saw before its write did (read again next time)
   * or one trimmed away while the follower was far behind (passed over).
   */
  private async tail(
    sessionId: string,
    start: ResolvedEvent,
    after: number,
    controller: AbortController,
    options: FollowOptions,
  ): Promise<void> {
    const stopped = () => controller.signal.aborted;
    let last = after;
    while (!stopped()) {
      await sleep(this.followIntervalMs);
      if (stopped()) return;
      try {
        // A priming id of a stream with no generation: wait for its first one (and its event 1).
        if (start.token === undefined) {
          const live = await this.liveHead(sessionId, start.streamId);
          if (live === undefined) continue;
          start.token = live.head.token;
          start.first = live.first;
        }
        const { last: handled, gap } = await this.replay(sessionId, start, last, options.send, stopped, true);
        last = handled;
        if (gap === undefined) continue;
        const head = (await this.liveHead(sessionId, start.streamId))?.head;
        if (head?.token === start.token && gap - 1 <= head.seq - this.maxEventsPerStream) last = gap - 1;
      } catch (error) {
        if (stopped()) return;
        // A failed send (client gone) or a DynamoDB error ends this follower; the caller may follow again.
        options.onError?.(toStoreError(error, 'event follow'));
        controller.abort();
        return;
      }
    }
  }

  /** Deletes items by key, 25 per BatchWriteItem, re-sending what DynamoDB left unprocessed. */
  private async deleteKeys(keys: Item[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 25) {
      let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      for (let round = 0; requests.length > 0; round++) {
        if (round > 10) throw new SessionStoreError('BACKEND_UNAVAILABLE', 'DynamoDB kept throttling purge');
        if (round > 0) await sleep(50 * round);
        const out = await this.runner.send<BatchWriteItemCommandOutput>(
          'event purge',
          new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }
}

/** Sort-key prefix of the events of one stream generation. */
function eventPrefix(streamId: string, token: string): string {
  return `e#${streamKey(streamId)}#${token}#`;
}
