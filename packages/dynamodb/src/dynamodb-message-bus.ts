import { randomBytes } from 'node:crypto';
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  assertBusPayload,
  assertValidChannel,
  closedError,
  type JsonValue,
  MAX_BUS_PAYLOAD_BYTES,
  type MessageBus,
  type MessageBusCapabilities,
  type MessageHandler,
  SessionStoreError,
  type Unsubscribe,
} from '@mcp-session-store/core';
import { CallRunner, toStoreError } from './call-runner.js';
import { assemble, groupInbox, type InboxMessage, inboxItems, isComplete } from './inbox-items.js';
import { DynamoKeys } from './keys.js';
import type { Item } from './record-item.js';
import { ttlSeconds } from './table.js';

/** Default interval at which a subscribed bus polls its inbox. */
export const DEFAULT_POLL_INTERVAL_MS = 50;
/** Default lifetime of a subscription item; it is refreshed every third of it while subscribed. */
export const DEFAULT_SUBSCRIPTION_TTL_MS = 30_000;
/** Leftover inbox items (of a crashed process) are removed by native TTL after this long. */
const INBOX_TTL_MS = 10 * 60_000;
/** How long a missing message of a publisher (a write in flight) is waited for before it is skipped. */
const GAP_TIMEOUT_MS = 3_000;
/** Messages a publisher writes together in one round of BatchWriteItem calls. */
const PUBLISH_BATCH = 64;

/** Options of {@link DynamoDBMessageBus}. */
export interface DynamoDBMessageBusOptions {
  /** Your `DynamoDBClient`. Never destroyed by the bus. */
  client: DynamoDBClient;
  /** The table of {@link tableDefinition}. */
  tableName: string;
  /** First part of every key: buses of different namespaces never exchange messages. Default `'mcp'`. */
  namespace?: string | undefined;
  /** How often a subscribed bus polls its inbox (the added delivery latency). Default 50 ms. */
  pollIntervalMs?: number | undefined;
  /** Lifetime of a subscription item, refreshed every third of it. Default 30 000 ms. */
  subscriptionTtlMs?: number | undefined;
  /** Bound on each DynamoDB call, SDK retries included. Default 5000 ms. */
  callTimeoutMs?: number | undefined;
  /** Errors thrown by handlers (`HANDLER_ERROR`) and failed polls or refreshes. */
  onError?: ((error: SessionStoreError) => void) | undefined;
}

const CAPABILITIES: MessageBusCapabilities = Object.freeze({
  adapter: '@mcp-session-store/dynamodb',
  sharedAcrossProcesses: true,
  delivery: 'at-most-once',
  maxPayloadBytes: MAX_BUS_PAYLOAD_BYTES,
});

interface Subscription {
  active: boolean;
  queue: Promise<void>;
  handler: MessageHandler;
}

interface Outgoing {
  channel: string;
  payload: Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface PublisherState {
  next: number;
  gapSince?: number | undefined;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SessionStoreError('INVALID_ARGUMENT', `${name} must be a positive integer`);
  }
  return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * A {@link MessageBus} on DynamoDB, which has no pub/sub: every bus instance has an inbox. Subscribing
 * writes a subscription item for the channel (with a TTL, refreshed while subscribed); publishing
 * reads the channel's subscribers (consistent query) and writes one inbox item per subscriber
 * (payloads above 300 KiB as several chunk items, up to 1 MiB); each subscribed bus polls its inbox,
 * delivers in per-publisher order, and deletes what it delivered. Latency: about half a poll
 * interval plus two round trips. At most once.
 *
 * @example
 * ```ts
 * const bus = new DynamoDBMessageBus({ client, tableName: 'mcp-sessions' });
 * const off = await bus.subscribe(inboxChannel('pod-1'), (msg) => route(msg));
 * await bus.publish(inboxChannel('pod-1'), { kind: 'answer' });
 * ```
 */
export class DynamoDBMessageBus implements MessageBus {
  readonly capabilities = CAPABILITIES;
  /** This instance's id: its inbox and its subscription items are keyed by it. */
  readonly busId = randomBytes(9).toString('base64url');
  private readonly keys: DynamoKeys;
  private readonly runner: CallRunner;
  private readonly tableName: string;
  private readonly pollIntervalMs: number;
  private readonly subscriptionTtlMs: number;
  private readonly onError: DynamoDBMessageBusOptions['onError'];
  private readonly channels = new Map<string, Set<Subscription>>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly outgoing: Outgoing[] = [];
  /** Next sequence number per subscriber bus: contiguous per (publisher, subscriber) pair. */
  private readonly nextSeq = new Map<string, number>();
  private readonly publishers = new Map<string, PublisherState>();
  private draining = false;
  private polling = false;
  private pollFailing = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: DynamoDBMessageBusOptions) {
    if (typeof options?.tableName !== 'string' || options.tableName.length === 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'tableName is required');
    }
    this.runner = new CallRunner(options.client, options.callTimeoutMs);
    this.keys = new DynamoKeys(options.namespace);
    this.tableName = options.tableName;
    this.pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS);
    this.subscriptionTtlMs = positive(
      'subscriptionTtlMs',
      options.subscriptionTtlMs,
      DEFAULT_SUBSCRIPTION_TTL_MS,
    );
    this.onError = options.onError;
  }

  /** How many calls this bus has sent to DynamoDB. */
  get backendCalls(): number {
    return this.runner.calls;
  }

  publish(channel: string, payload: JsonValue): Promise<void> {
    try {
      this.assertOpen();
      assertValidChannel(channel);
      const text = assertBusPayload(payload, this.capabilities.maxPayloadBytes);
      // Queued synchronously: the order of publish() calls is the order of delivery.
      return new Promise<void>((resolve, reject) => {
        this.outgoing.push({ channel, payload: Buffer.from(text, 'utf8'), resolve, reject });
        if (!this.draining) void this.drain();
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe> {
    this.assertOpen();
    assertValidChannel(channel);
    if (typeof handler !== 'function') {
      throw new SessionStoreError('INVALID_ARGUMENT', 'handler must be a function');
    }
    const subscription: Subscription = { active: true, queue: Promise.resolve(), handler };
    let subscriptions = this.channels.get(channel);
    if (!subscriptions) {
      subscriptions = new Set();
      this.channels.set(channel, subscriptions);
      const registered = this.register(channel);
      this.pending.set(channel, registered);
      try {
        await registered;
      } catch (error) {
        if (this.channels.get(channel) === subscriptions && subscriptions.size === 0) {
          this.channels.delete(channel);
        }
        throw error;
      } finally {
        this.pending.delete(channel);
      }
    } else {
      // Another subscribe of this channel may still be registering: resolve only once it is live.
      await this.pending.get(channel);
    }
    subscriptions.add(subscription);
    this.startBackground();
    return async () => {
      if (!subscription.active) return;
      subscription.active = false;
      subscriptions.delete(subscription);
      if (subscriptions.size === 0 && this.channels.get(channel) === subscriptions) {
        this.channels.delete(channel);
        if (!this.closed) await this.unregister(channel);
      }
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.refreshTimer);
    const channels = [...this.channels.keys()];
    for (const subscriptions of this.channels.values()) for (const s of subscriptions) s.active = false;
    this.channels.clear();
    // Best effort: a subscription item left behind only costs publishers a write until its TTL.
    await Promise.allSettled(channels.map((channel) => this.unregister(channel)));
  }

  private assertOpen(): void {
    if (this.closed) throw closedError('DynamoDBMessageBus');
  }

  private subscriptionItem(channel: string): Item {
    const expiresAt = Date.now() + this.subscriptionTtlMs;
    return {
      pk: { S: this.keys.subscribers(channel) },
      sk: { S: this.busId },
      kind: { S: 'subscription' },
      expiresAt: { N: String(expiresAt) },
      ttl: { N: String(ttlSeconds(expiresAt)) },
    };
  }

  private async register(channel: string): Promise<void> {
    await this.runner.send(
      'bus subscribe',
      new PutItemCommand({ TableName: this.tableName, Item: this.subscriptionItem(channel) }),
    );
  }

  private async unregister(channel: string): Promise<void> {
    await this.runner.send(
      'bus unsubscribe',
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: this.keys.subscribers(channel) }, sk: { S: this.busId } },
      }),
    );
  }

  /** Starts the inbox poller and the subscription refresher, once. */
  private startBackground(): void {
    if (!this.polling) {
      this.polling = true;
      void this.pollLoop();
    }
    if (!this.refreshTimer) {
      this.refreshTimer = setInterval(() => void this.refresh(), Math.ceil(this.subscriptionTtlMs / 3));
      this.refreshTimer.unref();
    }
  }

  private async refresh(): Promise<void> {
    const requests = [...this.channels.keys()].map((channel) => ({
      PutRequest: { Item: this.subscriptionItem(channel) },
    }));
    try {
      await this.writeAll(requests, 'bus subscription refresh');
    } catch (error) {
      this.onError?.(toStoreError(error, 'bus subscription refresh'));
    }
  }

  // ---- publishing ----

  /** Writes queued publishes, a batch at a time, strictly after the previous batch was written. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.outgoing.length > 0) {
        const batch = this.outgoing.splice(0, PUBLISH_BATCH);
        try {
          await this.writeBatch(batch);
          for (const message of batch) message.resolve();
        } catch (error) {
          const typed = toStoreError(error, 'bus publish');
          for (const message of batch) message.reject(typed);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async writeBatch(batch: Outgoing[]): Promise<void> {
    const channels = [...new Set(batch.map((m) => m.channel))];
    const subscribers = new Map<string, string[]>();
    await Promise.all(
      channels.map(async (channel) => subscribers.set(channel, await this.subscribersOf(channel))),
    );
    const ttl = ttlSeconds(Date.now() + INBOX_TTL_MS);
    const requests: WriteRequest[] = [];
    for (const message of batch) {
      for (const subscriber of subscribers.get(message.channel) ?? []) {
        const seq = this.nextSeq.get(subscriber) ?? 1;
        this.nextSeq.set(subscriber, seq + 1);
        const pk = this.keys.inbox(subscriber);
        for (const Item of inboxItems(pk, this.busId, seq, message.channel, message.payload, ttl)) {
          requests.push({ PutRequest: { Item } });
        }
      }
    }
    await this.writeAll(requests, 'bus publish');
  }

  /** Ids of the live subscriber buses of a channel (consistent: a resolved subscribe is seen). */
  private async subscribersOf(channel: string): Promise<string[]> {
    const ids: string[] = [];
    const now = Date.now();
    let startKey: Item | undefined;
    do {
      const page = await this.runner.send<QueryCommandOutput>(
        'bus subscribers',
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: this.keys.subscribers(channel) } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (Number(item.expiresAt?.N) > now && item.sk?.S) ids.push(item.sk.S);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }

  /** BatchWriteItem in groups of 25 (concurrently), re-sending what DynamoDB left unprocessed. */
  private async writeAll(requests: WriteRequest[], what: string): Promise<void> {
    const groups: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += 25) groups.push(requests.slice(i, i + 25));
    await Promise.all(
      groups.map(async (group) => {
        let left = group;
        for (let round = 0; left.length > 0; round++) {
          if (round > 10)
            throw new SessionStoreError('BACKEND_UNAVAILABLE', `DynamoDB kept throttling ${what}`);
          if (round > 0) await sleep(25 * round);
          const out = await this.runner.send<BatchWriteItemCommandOutput>(
            what,
            new BatchWriteItemCommand({ RequestItems: { [this.tableName]: left } }),
          );
          left = out.UnprocessedItems?.[this.tableName] ?? [];
        }
      }),
    );
  }

  // ---- receiving ----

  private async pollLoop(): Promise<void> {
    while (!this.closed && this.channels.size > 0) {
      try {
        await this.poll();
        this.pollFailing = false;
      } catch (error) {
        // Report the first failure of a streak, not one per interval.
        if (!this.pollFailing) this.onError?.(toStoreError(error, 'bus poll'));
        this.pollFailing = true;
      }
      // Referenced, unlike other timers: a live subscription keeps the process up, as a socket would.
      await new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs));
    }
    this.polling = false;
  }

  private async poll(): Promise<void> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    for (let page = 0; page < 16; page++) {
      const out = await this.runner.send<QueryCommandOutput>(
        'bus poll',
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: this.keys.inbox(this.busId) } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    if (items.length === 0 || this.closed) return;
    const done: Item[] = [];
    for (const [publisher, messages] of groupInbox(items)) {
      done.push(...this.take(publisher, messages));
    }
    if (done.length > 0) {
      await this.writeAll(
        done.map((Key) => ({ DeleteRequest: { Key } })),
        'bus inbox delete',
      );
    }
  }

  /**
   * Delivers a publisher's messages in sequence order; returns the keys of the items to delete. A
   * missing or incomplete message is waited for (its write may be in flight), then skipped.
   */
  private take(publisher: string, messages: InboxMessage[]): Item[] {
    const state = this.publishers.get(publisher) ?? { next: 1 };
    this.publishers.set(publisher, state);
    const done: Item[] = [];
    for (const message of messages) {
      if (message.seq < state.next) {
        done.push(...message.keys); // already delivered or skipped
        continue;
      }
      if (message.seq > state.next || !isComplete(message)) {
        state.gapSince ??= Date.now();
        if (Date.now() - state.gapSince < GAP_TIMEOUT_MS) break;
        if (!isComplete(message)) {
          done.push(...message.keys);
          state.next = message.seq + 1;
          state.gapSince = undefined;
          continue;
        }
      }
      state.gapSince = undefined;
      state.next = message.seq + 1;
      done.push(...message.keys);
      this.dispatch(message.channel, assemble(message));
    }
    return done;
  }

  private dispatch(channel: string, text: string): void {
    const subscriptions = this.channels.get(channel);
    if (!subscriptions) return;
    for (const subscription of subscriptions) {
      // Each handler gets its own copy and its own queue: ordered, and never blocked by another.
      const copy = JSON.parse(text) as JsonValue;
      subscription.queue = subscription.queue.then(async () => {
        if (!subscription.active) return;
        try {
          await subscription.handler(copy);
        } catch (cause) {
          this.onError?.(new SessionStoreError('HANDLER_ERROR', 'A bus message handler threw', { cause }));
        }
      });
    }
  }
}
