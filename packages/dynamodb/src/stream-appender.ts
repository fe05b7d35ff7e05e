import { randomBytes, randomUUID } from 'node:crypto';
import { PutItemCommand, type TransactWriteItem, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { type Clock, SessionStoreError } from '@mcp-session-store/core';
import { awsErrorName, type CallRunner, toStoreError } from './call-runner.js';
import type { Item } from './record-item.js';
import { ttlSeconds } from './table.js';

/** What a stream's head item says: its generation's token, its last sequence number, its expiry. */
export interface StreamHead {
  readonly token: string;
  readonly seq: number;
  readonly expiresAt: number;
}

/** Where one stream lives: its head's key and how to key its events. */
export interface StreamLocation {
  readonly pk: string;
  readonly headSk: string;
  readonly streamId: string;
  eventSk(token: string, seq: number): string;
}

/** The head an item holds, or undefined if it is not a well-formed head. */
export function headOf(item: Item | undefined): StreamHead | undefined {
  const token = item?.token?.S;
  const seq = Number(item?.seq?.N);
  const expiresAt = Number(item?.expiresAt?.N);
  if (token === undefined || !Number.isSafeInteger(seq) || !Number.isFinite(expiresAt)) return undefined;
  return { token, seq, expiresAt };
}

/** A random per-generation token (16 base64url characters). */
export function newToken(): string {
  return randomBytes(12).toString('base64url');
}

const CANCELLED = 'TransactionCanceledException';
const CONDITION_FAILED = 'ConditionalCheckFailedException';
/** Heads remembered per process: a miss costs one refused request, so a bound is cheap. */
const MAX_CACHED_HEADS = 10_000;
/** Attempts of one append (refused ones teach the head; conflicts wait a little). */
const MAX_ATTEMPTS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

type CancellationReason = { Code?: string; Item?: Item };

/**
 * Appends events to streams, one request each. The first event of a stream (of a generation) is
 * written inside the stream's head item itself: one conditional `PutItem` (there is no head yet, or
 * only an expired one), the common case of a POST's stream, whose response is often its only event.
 * Event n > 1 is one `TransactWriteItems`: a conditional write of the head (its sequence number
 * moved from n - 1 to n, its expiry refreshed) and the put of event n, plus the removal of event
 * n - max once the stream is over its cap. The head is the one place writers meet: event n exists
 * if and only if the head reached n, so every stream is gap-free and in one order whatever the
 * number of processes, and no claimed-but-unwritten number ever exists.
 *
 * What the head holds is remembered per process, and appends to one stream are serialized in the
 * process, so the next append is one request. A head another process moved (or a process's first
 * append to a stream others wrote) refuses the write and returns the head as it is
 * (`ReturnValuesOnConditionCheckFailure`): the append is retried from it, one more request.
 */
export class StreamAppender {
  private readonly heads = new Map<string, StreamHead>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly runner: CallRunner,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly limits: { readonly ttlMs: number; readonly maxEventsPerStream: number },
  ) {}

  /** Appends `text` to the stream; resolves with the event's generation token and sequence number. */
  append(location: StreamLocation, text: string): Promise<StreamHead> {
    const key = `${location.pk}\0${location.headSk}`;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(
      () => this.write(key, location, text),
      () => this.write(key, location, text),
    );
    this.queues.set(key, run);
    const settle = () => {
      if (this.queues.get(key) === run) this.queues.delete(key);
    };
    run.then(settle, settle);
    return run;
  }

  /** Forgets every remembered head (after a purge or on close). */
  clear(): void {
    this.heads.clear();
  }

  private remembered(key: string): StreamHead | undefined {
    return this.heads.get(key);
  }

  private remember(key: string, head: StreamHead | undefined): void {
    this.heads.delete(key);
    if (head === undefined) return;
    this.heads.set(key, head);
    if (this.heads.size > MAX_CACHED_HEADS) this.heads.delete(this.heads.keys().next().value!);
  }

  private async write(key: string, location: StreamLocation, text: string): Promise<StreamHead> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.clock.now();
      const known = this.remembered(key);
      // A head that expired (or that this process never saw) starts a new generation: a new token
      // makes every id of the old one invalid, and its events sort apart.
      const continuing = known !== undefined && known.expiresAt > now;
      const next: StreamHead = {
        token: continuing ? known.token : newToken(),
        seq: continuing ? known.seq + 1 : 1,
        expiresAt: now + this.limits.ttlMs,
      };
      if (!continuing) {
        const outcome = await this.start(location, text, next, now);
        this.remember(key, outcome ?? next);
        if (outcome === undefined) return next;
        continue;
      }
      const items = this.transaction(location, text, next, known, now);
      try {
        await this.runner.send(
          'event append',
          new TransactWriteItemsCommand({ TransactItems: items, ClientRequestToken: randomUUID() }),
          [CANCELLED],
        );
        this.remember(key, next);
        return next;
      } catch (err) {
        if (awsErrorName(err) !== CANCELLED) throw err;
        const reasons = (err as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
        const [head, event] = reasons;
        if (head?.Code === 'ConditionalCheckFailed') {
          // Another process moved the head, or it expired, or it is gone (purged): start from it.
          this.remember(key, headOf(head.Item));
          continue;
        }
        if (reasons.some((r) => r.Code === 'TransactionConflict')) {
          // Another append to this stream is in flight elsewhere: let it finish.
          await sleep(5 * 2 ** Math.min(attempt, 6) * (1 + Math.random()));
          continue;
        }
        if (event?.Code === 'ConditionalCheckFailed') {
          // An event where the head says none is: trust neither, learn the head again.
          this.remember(key, undefined);
          continue;
        }
        throw toStoreError(err, 'event append');
      }
    }
    throw new SessionStoreError(
      'BACKEND_UNAVAILABLE',
      'The stream kept changing during an append; try again',
    );
  }

  /**
   * Starts a generation: the head, holding event 1 (`m`), if there is no head or only an expired
   * one. Resolves undefined once written, or with the live head that refused it.
   */
  private async start(
    location: StreamLocation,
    text: string,
    next: StreamHead,
    now: number,
  ): Promise<StreamHead | undefined> {
    try {
      await this.runner.send(
        'event append',
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: location.pk },
            sk: { S: location.headSk },
            kind: { S: 'stream' },
            streamId: { S: location.streamId },
            token: { S: next.token },
            seq: { N: '1' },
            expiresAt: { N: String(next.expiresAt) },
            ttl: { N: String(ttlSeconds(next.expiresAt)) },
            m: { S: text },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(now) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        [CONDITION_FAILED],
      );
      return undefined;
    } catch (err) {
      if (awsErrorName(err) !== CONDITION_FAILED) throw err;
      const current = headOf((err as { Item?: Item }).Item);
      // Our own head (the SDK retried a write whose first attempt was applied): written.
      if (current?.token === next.token) return undefined;
      if (current === undefined) {
        throw new SessionStoreError('BACKEND_ERROR', 'A stream head is unreadable; purge the session');
      }
      return current;
    }
  }

  private transaction(
    location: StreamLocation,
    text: string,
    next: StreamHead,
    known: StreamHead,
    now: number,
  ): TransactWriteItem[] {
    const { tableName } = this;
    const headKey = { pk: { S: location.pk }, sk: { S: location.headSk } };
    const trimmed = next.seq - this.limits.maxEventsPerStream;
    const headWrite: TransactWriteItem = {
      Update: {
        TableName: tableName,
        Key: headKey,
        // Event 1 lives in the head: trimming it removes it from there.
        UpdateExpression: `SET seq = :seq, expiresAt = :e, #ttl = :ttl${trimmed === 1 ? ' REMOVE m' : ''}`,
        ConditionExpression: '#token = :token AND seq = :prev AND expiresAt > :now',
        ExpressionAttributeNames: { '#token': 'token', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':seq': { N: String(next.seq) },
          ':e': { N: String(next.expiresAt) },
          ':ttl': { N: String(ttlSeconds(next.expiresAt)) },
          ':token': { S: known.token },
          ':prev': { N: String(known.seq) },
          ':now': { N: String(now) },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
    const items: TransactWriteItem[] = [
      headWrite,
      {
        Put: {
          TableName: tableName,
          Item: {
            pk: { S: location.pk },
            sk: { S: location.eventSk(next.token, next.seq) },
            kind: { S: 'event' },
            streamId: { S: location.streamId },
            seq: { N: String(next.seq) },
            m: { S: text },
            // Native clean-up a full TTL after the stream's expiry: earlier events of a stream
            // that keeps being appended to stay resumable (reads judge expiry by the head).
            ttl: { N: String(ttlSeconds(next.expiresAt + this.limits.ttlMs)) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
    if (trimmed >= 2) {
      items.push({
        Delete: {
          TableName: tableName,
          Key: { pk: { S: location.pk }, sk: { S: location.eventSk(next.token, trimmed) } },
        },
      });
    }
    return items;
  }
}
