import { randomBytes } from 'node:crypto';
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandOutput,
  PutItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateItemCommand,
  type UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import {
  assertValidSessionId,
  type Clock,
  closedError,
  type EventStoreBaseOptions,
  type EventStoreCapabilities,
  type EventStoreFactory,
  encodeStoredMessage,
  resolveEventStoreLimits,
  type SendEvent,
  type SessionEventStore,
  SessionStoreError,
  type StoredMessage,
  systemClock,
} from '@mcp-session-store/core';
import { awsErrorName, CallRunner, toStoreError } from './call-runner.js';
import { formatEventId, padSeq, parseEventId } from './event-id.js';
import { DynamoKeys, streamKey } from './keys.js';
import type { Item } from './record-item.js';
import { ttlSeconds } from './table.js';

/** Largest stored message, bytes of JSON text: what fits in one 400 KB item with its keys. */
export const MAX_EVENT_BYTES = 380 * 1024;
/** Default interval at which `follow()` polls for new events. */
export const DEFAULT_FOLLOW_INTERVAL_MS = 100;
/**
 * How long a follower waits for a missing sequence number (an append in flight) before fencing it
 * off with a skip marker. The marker and the append are both conditional puts of the same item, so
 * exactly one wins: a late append fails instead of landing where followers already moved past it.
 */
const GAP_TIMEOUT_MS = 3_000;
/** Most missing numbers a follower fences off in one go (a bound on one burst of writes). */
const MAX_FENCES_AT_ONCE = 25;
/** `kind` of the item a follower writes in place of an event whose append never came. */
const SKIPPED_KIND = 'skipped';
const CONDITION_FAILED = 'ConditionalCheckFailedException';

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

interface ResolvedEvent {
  token: string;
  streamId: string;
  seq: number;
  /** Sort-key prefix of this stream generation's events. */
  prefix: string;
}

interface StoredEvent {
  seq: number;
  /** The message's JSON text; undefined for a skip marker (a number no append ever filled). */
  text: string | undefined;
}

interface FollowOptions {
  send: SendEvent;
  signal: AbortSignal;
  onError?: (error: unknown) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Resumable-stream storage on DynamoDB. Each SSE stream of a session has a head item (a random
 * token, an atomic counter bumped with UpdateItem ADD, the expiry) and one item per event, sorted
 * by a zero-padded per-stream sequence, all in the session's partition. Appends refresh the
 * stream's expiry; the oldest event beyond `maxEventsPerStream` is deleted. `follow` polls the
 * stream's items after the last one seen, waiting out sequence gaps so nothing is skipped.
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
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly ttlMs: number;
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
    this.ttlMs = limits.ttlMs;
    this.maxEventsPerStream = limits.maxEventsPerStream;
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
  }

  private assertOpen(): void {
    if (this.closed) throw closedError('DynamoDBEventStore');
  }

  private headKey(sessionId: string, streamId: string): Item {
    return { pk: { S: this.keys.events(sessionId) }, sk: { S: `h#${streamKey(streamId)}` } };
  }

  private eventSk(streamId: string, token: string, seq: number): string {
    return `${eventPrefix(streamId, token)}${padSeq(seq)}`;
  }

  private async append(sessionId: string, streamId: string, message: StoredMessage): Promise<string> {
    this.assertOpen();
    if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 512) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'streamId must be a string of 1-512 characters');
    }
    const text = encodeStoredMessage(message);
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
    const now = this.clock.now();
    const expiresAt = now + this.ttlMs;
    const { token, seq } = await this.claimSeq(sessionId, streamId, now, expiresAt);
    const pk = this.keys.events(sessionId);
    const sk = this.eventSk(streamId, token, seq);
    const writes: Promise<unknown>[] = [
      this.runner
        .send(
          'event append',
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              pk: { S: pk },
              sk: { S: sk },
              kind: { S: 'event' },
              streamId: { S: streamId },
              seq: { N: String(seq) },
              m: { S: text },
              // Native clean-up a full TTL after the stream's expiry: earlier events of a stream
              // that keeps being appended to stay resumable (reads judge expiry by the head).
              ttl: { N: String(ttlSeconds(expiresAt + this.ttlMs)) },
            },
            // A follower that waited too long for this number fenced it off (see GAP_TIMEOUT_MS).
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
          [CONDITION_FAILED],
        )
        .catch(async (err: unknown) => {
          if (awsErrorName(err) !== CONDITION_FAILED) throw err;
          // This number was claimed by this append alone, so an event there is this one (the SDK
          // retried a write whose first attempt was applied); only a fence means it was refused.
          if (await this.holdsEvent(pk, sk)) return;
          throw new SessionStoreError(
            'BACKEND_UNAVAILABLE',
            'DynamoDB stored the event too late: followers had given up on it; it was not stored',
          );
        }),
    ];
    if (seq > this.maxEventsPerStream) {
      writes.push(
        this.runner.send(
          'event trim',
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: { pk: { S: pk }, sk: { S: this.eventSk(streamId, token, seq - this.maxEventsPerStream) } },
          }),
        ),
      );
    }
    await Promise.all(writes);
    return formatEventId(token, streamId, seq);
  }

  /** Bumps the stream's counter and expiry; starts a new generation if the stream expired. */
  private async claimSeq(
    sessionId: string,
    streamId: string,
    now: number,
    expiresAt: number,
  ): Promise<{ token: string; seq: number }> {
    const values: Item = {
      ':now': { N: String(now) },
      ':e': { N: String(expiresAt) },
      ':ttl': { N: String(ttlSeconds(expiresAt)) },
      ':kind': { S: 'stream' },
      ':sid': { S: streamId },
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const out = await this.runner.send<UpdateItemCommandOutput>(
          'event sequence',
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: this.headKey(sessionId, streamId),
            UpdateExpression:
              'SET #token = if_not_exists(#token, :tok), expiresAt = :e, #ttl = :ttl, kind = :kind, streamId = :sid ADD seq :one',
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt > :now',
            ExpressionAttributeNames: { '#token': 'token', '#ttl': 'ttl' },
            ExpressionAttributeValues: { ...values, ':tok': { S: newToken() }, ':one': { N: '1' } },
            ReturnValues: 'ALL_NEW',
          }),
          [CONDITION_FAILED],
        );
        return { token: out.Attributes?.token?.S ?? '', seq: Number(out.Attributes?.seq?.N) };
      } catch (err) {
        if (awsErrorName(err) !== CONDITION_FAILED) throw err;
      }
      // The stream expired (DynamoDB has not deleted it yet): a new token makes every old id invalid.
      const token = newToken();
      try {
        await this.runner.send(
          'event stream restart',
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              ...this.headKey(sessionId, streamId),
              kind: { S: 'stream' },
              streamId: { S: streamId },
              token: { S: token },
              seq: { N: '1' },
              expiresAt: values[':e']!,
              ttl: values[':ttl']!,
            },
            ConditionExpression: 'expiresAt <= :now',
            ExpressionAttributeValues: { ':now': values[':now']! },
          }),
          [CONDITION_FAILED],
        );
        return { token, seq: 1 };
      } catch (err) {
        if (awsErrorName(err) !== CONDITION_FAILED) throw err;
      }
    }
    throw new SessionStoreError('BACKEND_UNAVAILABLE', 'Could not claim an event sequence; try again');
  }

  /** The event an id points to, if it is a live, untrimmed event of this session. */
  private async resolve(sessionId: string, eventId: string): Promise<ResolvedEvent | undefined> {
    this.assertOpen();
    const parsed = parseEventId(eventId);
    if (!parsed || parsed.streamId.length > 512) return undefined;
    const head = this.headKey(sessionId, parsed.streamId);
    const eventKey: Item = {
      pk: head.pk!,
      sk: { S: this.eventSk(parsed.streamId, parsed.token, parsed.seq) },
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
    const headItem = items.find((i) => i.sk?.S === head.sk!.S);
    const event = items.find((i) => i.sk?.S === eventKey.sk!.S);
    if (!headItem || !event) return undefined;
    const live = Number(headItem.expiresAt?.N) > this.clock.now();
    const untrimmed = parsed.seq > Number(headItem.seq?.N) - this.maxEventsPerStream;
    if (!live || !untrimmed || headItem.token?.S !== parsed.token) return undefined;
    if (event.streamId?.S !== parsed.streamId) return undefined;
    return { ...parsed, streamId: event.streamId.S, prefix: eventPrefix(parsed.streamId, parsed.token) };
  }

  private async require(sessionId: string, eventId: string): Promise<ResolvedEvent> {
    const event = await this.resolve(sessionId, eventId);
    if (!event) throw new SessionStoreError('EVENT_NOT_FOUND', 'Unknown event id for this session');
    return event;
  }

  /** Events of the stream after `afterSeq`, in order, one page of at most 1 MB. */
  private async readAfter(
    sessionId: string,
    start: ResolvedEvent,
    afterSeq: number,
  ): Promise<{ events: StoredEvent[]; more: boolean }> {
    const page = await this.runner.send<QueryCommandOutput>(
      'event read',
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': { S: this.keys.events(sessionId) },
          ':from': { S: `${start.prefix}${padSeq(afterSeq + 1)}` },
          // Digits sort before `~`: this bounds the range to this stream generation.
          ':to': { S: `${start.prefix}~` },
        },
        ConsistentRead: true,
      }),
    );
    const events = (page.Items ?? []).map((i) => ({
      seq: Number(i.seq?.N),
      text: i.kind?.S === SKIPPED_KIND ? undefined : (i.m?.S ?? '{}'),
    }));
    return { events, more: page.LastEvaluatedKey !== undefined };
  }

  /**
   * Sends the stream's events after `afterSeq`, in order, skipping priming events; returns the last
   * sequence number handled. With `contiguous`, stops at a missing sequence number (an append
   * still in flight) instead of jumping over it.
   */
  private async replay(
    sessionId: string,
    start: ResolvedEvent,
    afterSeq: number,
    send: SendEvent,
    stopped: () => boolean,
    contiguous = false,
  ): Promise<{ last: number; gap: boolean }> {
    let last = afterSeq;
    for (;;) {
      const { events, more } = await this.readAfter(sessionId, start, last);
      for (const event of events) {
        if (contiguous && event.seq !== last + 1) return { last, gap: true };
        if (stopped()) return { last, gap: false };
        last = event.seq;
        // Priming events are never replayed; skip markers hold no event.
        if (event.text === undefined || event.text === '{}') continue;
        await send(formatEventId(start.token, start.streamId, event.seq), JSON.parse(event.text));
      }
      if (!more || events.length === 0) return { last, gap: false };
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

  /** Polls for events after `after` until stopped; a missing number is waited for, then skipped. */
  private async tail(
    sessionId: string,
    start: ResolvedEvent,
    after: number,
    controller: AbortController,
    options: FollowOptions,
  ): Promise<void> {
    const stopped = () => controller.signal.aborted;
    let last = after;
    let gapSince: number | undefined;
    while (!stopped()) {
      await sleep(this.followIntervalMs);
      if (stopped()) return;
      try {
        const result = await this.replay(sessionId, start, last, options.send, stopped, true);
        last = result.last;
        if (!result.gap) {
          gapSince = undefined;
          continue;
        }
        gapSince ??= Date.now();
        if (Date.now() - gapSince < GAP_TIMEOUT_MS) continue;
        // The writers of the missing numbers died or stalled between claiming and writing them:
        // fence every number up to the first event present, in one go. Whether a marker or a late
        // append wins each one, the next read sees which.
        const first = (await this.readAfter(sessionId, start, last)).events[0]?.seq;
        gapSince = undefined;
        if (first === undefined) continue;
        // A follower far behind finds trimmed numbers, not stalled ones: only the numbers just
        // before the first event present can still be written; older ones are passed over.
        const from = Math.max(last + 1, first - MAX_FENCES_AT_ONCE);
        const missing = Array.from({ length: first - from }, (_, i) => from + i);
        await Promise.all(missing.map((seq) => this.fenceOff(sessionId, start, seq)));
        last = from - 1;
      } catch (error) {
        if (stopped()) return;
        // A failed send (client gone) or a DynamoDB error ends this follower; the caller may follow again.
        options.onError?.(toStoreError(error, 'event follow'));
        controller.abort();
        return;
      }
    }
  }

  /** Whether the item at `sk` is an event (not absent, not a skip marker). */
  private async holdsEvent(pk: string, sk: string): Promise<boolean> {
    const out = await this.runner.send<GetItemCommandOutput>(
      'event append check',
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: pk }, sk: { S: sk } },
        ConsistentRead: true,
        ProjectionExpression: 'kind',
      }),
    );
    return out.Item?.kind?.S === 'event';
  }

  /**
   * Writes a skip marker at `seq` unless an event is there: after it, an append of that number
   * fails (its condition), so no follower can have moved past an event that then appears.
   */
  private async fenceOff(sessionId: string, start: ResolvedEvent, seq: number): Promise<void> {
    try {
      await this.runner.send(
        'event gap fence',
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: this.keys.events(sessionId) },
            sk: { S: `${start.prefix}${padSeq(seq)}` },
            kind: { S: SKIPPED_KIND },
            seq: { N: String(seq) },
            ttl: { N: String(ttlSeconds(this.clock.now() + 2 * this.ttlMs)) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        [CONDITION_FAILED],
      );
    } catch (err) {
      // The event landed first: it will be read and sent like any other.
      if (awsErrorName(err) !== CONDITION_FAILED) throw err;
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

function newToken(): string {
  return randomBytes(12).toString('base64url');
}

/** Sort-key prefix of the events of one stream generation. */
function eventPrefix(streamId: string, token: string): string {
  return `e#${streamKey(streamId)}#${token}#`;
}
