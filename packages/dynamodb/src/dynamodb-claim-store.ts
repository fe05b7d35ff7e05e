import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type ClaimStore,
  type ClaimStoreBaseOptions,
  type ClaimStoreCapabilities,
  type Clock,
  closedError,
  SessionStoreError,
  systemClock,
  validateClaim,
} from '@mcp-session-store/core';
import { awsErrorName, CallRunner } from './call-runner.js';
import { DynamoKeys } from './keys.js';
import { ttlSeconds } from './table.js';

/** Sort key of a claim item. */
export const CLAIM_SK = 'claim';

const CONDITION_FAILED = 'ConditionalCheckFailedException';

/**
 * Options of {@link DynamoDBClaimStore}.
 *
 * @example
 * ```ts
 * const options: DynamoDBClaimStoreOptions = { client, tableName: 'mcp-sessions', namespace: 'mcp' };
 * ```
 */
export interface DynamoDBClaimStoreOptions extends ClaimStoreBaseOptions {
  /** Your `DynamoDBClient`. The store never destroys it. */
  client: DynamoDBClient;
  /** The table of {@link tableDefinition} (the one the other components use). */
  tableName: string;
  /** First part of every key: stores with different namespaces never see each other. Default `'mcp'`. */
  namespace?: string | undefined;
  /**
   * Time source of every expiry decision. Default: this process's system clock. Pods sharing claims
   * must agree on time: a pod whose clock runs ahead by `d` ms can take over a claim `d` ms early.
   */
  clock?: Clock | undefined;
  /** Bound on each DynamoDB call, SDK retries included. Default 5000 ms. */
  callTimeoutMs?: number | undefined;
}

const CAPABILITIES: ClaimStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/dynamodb',
  // DynamoDB has no server clock a condition can read: the claim's end is computed and compared
  // with the store's clock (the process's, unless one is injected).
  clock: 'injectable',
  nativeTtl: true,
  sharedAcrossProcesses: true,
  // The native TTL attribute is in epoch seconds.
  ttlGranularityMs: 1000,
});

/**
 * A {@link ClaimStore} on the package's single DynamoDB table: each claim is one conditional
 * `PutItem` of `<ns>#c#<key>` / `claim` with `attribute_not_exists(pk) OR expiresAt <= :now`, so
 * DynamoDB picks the one winner (the others get `ConditionalCheckFailedException`: `false`). The
 * item holds the claim's end in ms (`expiresAt`, judged with the store's clock) and the native TTL
 * attribute in epoch seconds, rounded up, for DynamoDB to delete it.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { DynamoDBClaimStore } from '@mcp-session-store/dynamodb';
 *
 * const claims = new DynamoDBClaimStore({ client: new DynamoDBClient({}), tableName: 'mcp-sessions' });
 * if (!(await claims.claim(`rs:${stateId}`, 600_000))) throw new Error('requestState already used');
 * ```
 */
export class DynamoDBClaimStore implements ClaimStore {
  readonly capabilities = CAPABILITIES;
  private readonly keys: DynamoKeys;
  private readonly runner: CallRunner;
  private readonly tableName: string;
  private readonly clock: Clock;
  private closed = false;

  constructor(options: DynamoDBClaimStoreOptions) {
    if (typeof options?.tableName !== 'string' || options.tableName.length === 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'tableName is required');
    }
    this.runner = new CallRunner(options.client, options.callTimeoutMs);
    this.keys = new DynamoKeys(options.namespace);
    this.tableName = options.tableName;
    this.clock = options.clock ?? systemClock;
  }

  /** How many calls this store has sent to DynamoDB (one per claim). */
  get backendCalls(): number {
    return this.runner.calls;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    if (this.closed) throw closedError('DynamoDBClaimStore');
    validateClaim(key, ttlMs);
    const now = this.clock.now();
    const expiresAt = now + ttlMs;
    try {
      await this.runner.send(
        'claim',
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: this.keys.claim(key) },
            sk: { S: CLAIM_SK },
            kind: { S: 'claim' },
            expiresAt: { N: String(expiresAt) },
            ttl: { N: String(ttlSeconds(expiresAt)) },
          },
          // A live claim is never overwritten; an expired one DynamoDB has not deleted yet may be.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
        [CONDITION_FAILED],
      );
      return true;
    } catch (err) {
      if (awsErrorName(err) === CONDITION_FAILED) return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
