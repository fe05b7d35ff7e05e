import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  DeleteItemCommand,
  type DeleteItemCommandOutput,
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
  applyPatch,
  assertValidSessionId,
  buildRecord,
  type Clock,
  closedError,
  expiryAt,
  isExpired,
  type ListOptions,
  type NewSession,
  resolveStoreLimits,
  type SessionPage,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type SessionStoreBaseOptions,
  type SessionStoreCapabilities,
  SessionStoreError,
  type StoreLimits,
  systemClock,
  type UpdateOptions,
  validateExpectedVersion,
  validateListOptions,
  validateNewSession,
  validatePatch,
} from '@mcp-session-store/core';
import { awsErrorName, CallRunner } from './call-runner.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DynamoKeys } from './keys.js';
import { contentJson, decodeItem, type Item, numberOf, RECORD_SK, recordItem } from './record-item.js';
import { PRINCIPAL_INDEX, ttlSeconds } from './table.js';

/**
 * Largest `maxRecordBytes` accepted: a DynamoDB item is at most 400 KB, keys and attribute names
 * included, so the record JSON gets 375 KiB and the rest is headroom.
 */
export const MAX_RECORD_BYTES_LIMIT = 375 * 1024;

const CONDITION_FAILED = 'ConditionalCheckFailedException';
/** Internal re-reads of a last-writer-wins update racing other writers, before giving up. */
const MAX_UPDATE_ATTEMPTS = 50;

/** Options of {@link DynamoDBSessionStore}. */
export interface DynamoDBSessionStoreOptions extends SessionStoreBaseOptions {
  /** Your `DynamoDBClient`. The store never destroys it. */
  client: DynamoDBClient;
  /** The table of {@link tableDefinition}. */
  tableName: string;
  /** First part of every key: stores with different namespaces never see each other. Default `'mcp'`. */
  namespace?: string | undefined;
  /** Idle TTL in seconds (the original proposal's option); same as `idleTtlMs` / 1000. */
  ttlSeconds?: number | undefined;
  /** Time source for every expiry decision. Default: the system clock. */
  clock?: Clock | undefined;
  /** Bound on each DynamoDB call, SDK retries included. Default 5000 ms. */
  callTimeoutMs?: number | undefined;
}

const CAPABILITIES: SessionStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/dynamodb',
  clock: 'injectable',
  nativeTtl: true,
  listByPrincipal: true,
  sharedAcrossProcesses: true,
  ttlGranularityMs: 1000,
});

function resolveLimits(options: DynamoDBSessionStoreOptions): StoreLimits {
  const { ttlSeconds: seconds, idleTtlMs } = options;
  if (seconds !== undefined) {
    if (!Number.isSafeInteger(seconds) || seconds <= 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'ttlSeconds must be a positive integer');
    }
    if (idleTtlMs !== undefined && idleTtlMs !== seconds * 1000) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'ttlSeconds and idleTtlMs disagree: give one');
    }
  }
  const limits = resolveStoreLimits({ ...options, idleTtlMs: idleTtlMs ?? (seconds && seconds * 1000) });
  if (limits.maxRecordBytes > MAX_RECORD_BYTES_LIMIT) {
    throw new SessionStoreError(
      'INVALID_ARGUMENT',
      `maxRecordBytes must be at most ${MAX_RECORD_BYTES_LIMIT} (DynamoDB items are at most 400 KB)`,
    );
  }
  return limits;
}

function notFound(): SessionStoreError {
  return new SessionStoreError('SESSION_NOT_FOUND', 'No live session with this id');
}

/**
 * A {@link SessionStore} on one DynamoDB table (AWS SDK v3, low-level client). Creates are
 * conditional puts (a live item is never overwritten), updates compare-and-set on `version`,
 * touches are conditional updates that cannot resurrect. Every item carries the native TTL
 * attribute (epoch seconds) for clean-up, and a millisecond `expiresAt` checked on every read,
 * since DynamoDB deletes expired items only eventually. Reads are strongly consistent.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { DynamoDBSessionStore } from '@mcp-session-store/dynamodb';
 *
 * const store = new DynamoDBSessionStore({
 *   client: new DynamoDBClient({}),
 *   tableName: 'mcp-sessions',
 *   ttlSeconds: 3600,
 * });
 * ```
 */
export class DynamoDBSessionStore implements SessionStore {
  readonly capabilities = CAPABILITIES;
  private readonly keys: DynamoKeys;
  private readonly runner: CallRunner;
  private readonly tableName: string;
  private readonly limits: StoreLimits;
  private readonly clock: Clock;
  private readonly onError: SessionStoreBaseOptions['onError'];
  private closed = false;

  constructor(options: DynamoDBSessionStoreOptions) {
    if (typeof options?.tableName !== 'string' || options.tableName.length === 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'tableName is required');
    }
    this.runner = new CallRunner(options.client, options.callTimeoutMs);
    this.keys = new DynamoKeys(options.namespace);
    this.tableName = options.tableName;
    this.limits = resolveLimits(options);
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError;
  }

  /** How many calls this store has sent to DynamoDB. */
  get backendCalls(): number {
    return this.runner.calls;
  }

  async create(session: NewSession): Promise<SessionRecord> {
    this.assertOpen();
    validateNewSession(session);
    const now = this.clock.now();
    // Validated and size-checked locally: an oversized record never travels.
    const record = buildRecord(session, now, this.limits);
    try {
      await this.runner.send(
        'session create',
        new PutItemCommand({
          TableName: this.tableName,
          Item: recordItem(this.keys, record),
          // A live item is never overwritten; an expired one DynamoDB has not deleted yet may be.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
        [CONDITION_FAILED],
      );
    } catch (err) {
      if (awsErrorName(err) !== CONDITION_FAILED) throw err;
      throw new SessionStoreError('SESSION_EXISTS', 'A live session with this id exists');
    }
    return record;
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.assertOpen();
    assertValidSessionId(id);
    const item = await this.read(id);
    return item ? this.liveRecord(id, item) : null;
  }

  async update(id: string, patch: SessionPatch, options: UpdateOptions = {}): Promise<SessionRecord> {
    this.assertOpen();
    assertValidSessionId(id);
    validatePatch(patch);
    validateExpectedVersion(options.expectedVersion);
    for (let attempt = 1; ; attempt++) {
      const item = await this.read(id);
      const current = item ? this.liveRecord(id, item) : null;
      if (!current) throw notFound();
      if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
        throw new SessionStoreError('SESSION_CONFLICT', 'The session was changed by another writer', {
          details: { expectedVersion: options.expectedVersion, currentVersion: current.version },
        });
      }
      const next = applyPatch(current, patch, this.limits.maxRecordBytes);
      try {
        // Only the content and version change, so a concurrent touch is neither lost nor a conflict.
        const out = await this.runner.send<UpdateItemCommandOutput>(
          'session update',
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: this.recordKey(id),
            UpdateExpression: 'SET #data = :data, version = :next',
            ConditionExpression: 'version = :v AND expiresAt > :now',
            ExpressionAttributeNames: { '#data': 'data' },
            ExpressionAttributeValues: {
              ':data': { S: contentJson(next) },
              ':next': { N: String(next.version) },
              ':v': { N: String(current.version) },
              ':now': { N: String(this.clock.now()) },
            },
            ReturnValues: 'ALL_NEW',
          }),
          [CONDITION_FAILED],
        );
        const stored = out.Attributes ? decodeItem(id, out.Attributes, this.onError) : null;
        if (!stored) throw notFound();
        return stored;
      } catch (err) {
        if (awsErrorName(err) !== CONDITION_FAILED) throw err;
        // Changed, deleted or expired meanwhile: the next read tells which.
        if (attempt >= MAX_UPDATE_ATTEMPTS) {
          throw new SessionStoreError('SESSION_CONFLICT', 'Too many concurrent writers; try again', {
            details: { currentVersion: current.version },
          });
        }
      }
    }
  }

  async touch(id: string): Promise<boolean> {
    this.assertOpen();
    assertValidSessionId(id);
    const now = this.clock.now();
    const idleExpiry = now + this.limits.idleTtlMs;
    const maxLifetime = this.limits.maxLifetimeMs;
    // One conditional update in the common case. With a max lifetime, the condition also says the
    // idle expiry is within the cap; when it is not, the cap is computed from createdAt and set.
    const first = await this.slide(
      id,
      now,
      idleExpiry,
      maxLifetime === null ? null : idleExpiry - maxLifetime,
    );
    if (first !== 'failed') return true;
    if (maxLifetime === null) return false;
    const item = await this.read(id);
    if (!item || numberOf(item, 'expiresAt') <= now) return false;
    const createdAt = numberOf(item, 'createdAt');
    if (!Number.isFinite(createdAt)) return false;
    const capped = expiryAt(createdAt, now, this.limits);
    if (capped <= now) return false;
    return (await this.slide(id, now, capped, null, createdAt)) === 'ok';
  }

  async delete(id: string): Promise<boolean> {
    this.assertOpen();
    assertValidSessionId(id);
    const out = await this.runner.send<DeleteItemCommandOutput>(
      'session delete',
      new DeleteItemCommand({ TableName: this.tableName, Key: this.recordKey(id), ReturnValues: 'ALL_OLD' }),
    );
    return out.Attributes !== undefined && numberOf(out.Attributes, 'expiresAt') > this.clock.now();
  }

  async list(principal: string, options?: ListOptions): Promise<SessionPage> {
    this.assertOpen();
    if (typeof principal !== 'string') {
      throw new SessionStoreError('INVALID_ARGUMENT', 'principal must be a string');
    }
    const { limit, cursor } = validateListOptions(options);
    const gpk = this.keys.principal(principal);
    let startKey = cursor === null ? undefined : decodeCursor(cursor, gpk);
    const records: SessionRecord[] = [];
    while (records.length < limit) {
      const page = await this.queryIndex(gpk, limit - records.length, startKey);
      records.push(...(await this.liveOfPrincipal(principal, page.Items ?? [])));
      startKey = page.LastEvaluatedKey;
      if (!startKey) return { records, nextCursor: null };
    }
    // DynamoDB hands a LastEvaluatedKey whenever Limit was reached: peek so the last page says so.
    const more = await this.queryIndex(gpk, 1, startKey);
    return { records, nextCursor: (more.Items ?? []).length > 0 ? encodeCursor(startKey!) : null };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private recordKey(id: string): Item {
    return { pk: { S: this.keys.session(id) }, sk: { S: RECORD_SK } };
  }

  private async read(id: string): Promise<Item | undefined> {
    const out = await this.runner.send<GetItemCommandOutput>(
      'session get',
      new GetItemCommand({ TableName: this.tableName, Key: this.recordKey(id), ConsistentRead: true }),
    );
    return out.Item;
  }

  /** The record of `item` if it decodes and has not expired at the clock's now. */
  private liveRecord(id: string, item: Item): SessionRecord | null {
    // Expired items read as absent before decoding: a stale leftover is never reported as corrupt.
    if (numberOf(item, 'expiresAt') <= this.clock.now()) return null;
    const record = decodeItem(id, item, this.onError);
    return record && !isExpired(record, this.clock.now()) ? record : null;
  }

  /**
   * Sets `lastActivityAt` = now and `expiresAt` = `expiresAt` if the item is live (and, with
   * `minCreatedAt`, created late enough for the cap; with `createdAt`, created exactly then).
   */
  private async slide(
    id: string,
    now: number,
    expiresAt: number,
    minCreatedAt: number | null,
    createdAt?: number,
  ): Promise<'ok' | 'failed'> {
    const values: Item = {
      ':now': { N: String(now) },
      ':e': { N: String(expiresAt) },
      ':ttl': { N: String(ttlSeconds(expiresAt)) },
    };
    let condition = 'attribute_exists(pk) AND expiresAt > :now';
    if (minCreatedAt !== null) {
      condition += ' AND createdAt >= :minCreated';
      values[':minCreated'] = { N: String(minCreatedAt) };
    }
    if (createdAt !== undefined) {
      condition += ' AND createdAt = :created';
      values[':created'] = { N: String(createdAt) };
    }
    try {
      await this.runner.send(
        'session touch',
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.recordKey(id),
          UpdateExpression: 'SET lastActivityAt = :now, expiresAt = :e, #ttl = :ttl',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: values,
        }),
        [CONDITION_FAILED],
      );
      return 'ok';
    } catch (err) {
      if (awsErrorName(err) !== CONDITION_FAILED) throw err;
      return 'failed';
    }
  }

  private queryIndex(gpk: string, limit: number, startKey: Item | undefined): Promise<QueryCommandOutput> {
    return this.runner.send<QueryCommandOutput>(
      'principal index query',
      new QueryCommand({
        TableName: this.tableName,
        IndexName: PRINCIPAL_INDEX,
        KeyConditionExpression: 'gpk = :p',
        ExpressionAttributeValues: { ':p': { S: gpk } },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
  }

  /**
   * The live records of `principal` among index entries. The index is eventually consistent, so
   * each candidate is re-read with one consistent BatchGetItem and checked.
   */
  private async liveOfPrincipal(principal: string, entries: Item[]): Promise<SessionRecord[]> {
    const ids = entries.map((e) => e.gsk?.S).filter((id): id is string => typeof id === 'string');
    if (ids.length === 0) return [];
    const found = new Map<string, Item>();
    let pending: Item[] = ids.map((id) => this.recordKey(id));
    for (let round = 0; pending.length > 0; round++) {
      if (round > 10) throw new SessionStoreError('BACKEND_UNAVAILABLE', 'DynamoDB kept throttling list');
      const out = await this.runner.send<BatchGetItemCommandOutput>(
        'session list read',
        new BatchGetItemCommand({
          RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of out.Responses?.[this.tableName] ?? []) found.set(item.pk?.S ?? '', item);
      pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    const records: SessionRecord[] = [];
    for (const id of ids) {
      const item = found.get(this.keys.session(id));
      const record = item ? this.liveRecord(id, item) : null;
      if (record?.principal === principal) records.push(record);
    }
    return records;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError('DynamoDBSessionStore');
  }
}
