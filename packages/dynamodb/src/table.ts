import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { SessionStoreError } from '@mcp-session-store/core';
import { awsErrorName, toStoreError } from './call-runner.js';

/** The attribute DynamoDB's native TTL reads: epoch **seconds**. */
export const TTL_ATTRIBUTE = 'ttl';
/** The global secondary index `list()` reads: sessions by principal. */
export const PRINCIPAL_INDEX = 'byPrincipal';

/**
 * The table every component of this package uses: one table for sessions, events and bus items
 * (single-table design, `pk`/`sk` strings, a `kind` attribute), on-demand billing, a keys-only GSI
 * on `gpk`/`gsk` for `list()`. Put it in your infrastructure code, then enable TTL on
 * {@link TTL_ATTRIBUTE} (CreateTable cannot; {@link createTable} does both).
 *
 * @example
 * ```ts
 * import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
 * await client.send(new CreateTableCommand(tableDefinition('mcp-sessions')));
 * ```
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gpk', AttributeType: 'S' },
      { AttributeName: 'gsk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: PRINCIPAL_INDEX,
        KeySchema: [
          { AttributeName: 'gpk', KeyType: 'HASH' },
          { AttributeName: 'gsk', KeyType: 'RANGE' },
        ],
        // Keys only: every candidate is re-read with a consistent GetItem anyway.
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}

/** Options of {@link createTable}. */
export interface CreateTableOptions {
  /** The table to create (or reuse). */
  tableName: string;
  /** How long to wait for the table to become ACTIVE. Default 60 000 ms. */
  timeoutMs?: number | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Creates the table of {@link tableDefinition} for development and tests: idempotent (an existing
 * table is reused), waits until the table and its index are ACTIVE, and enables native TTL on
 * {@link TTL_ATTRIBUTE}. In production, prefer your infrastructure code.
 *
 * @example
 * ```ts
 * const client = new DynamoDBClient({ endpoint: 'http://127.0.0.1:8000', region: 'local' });
 * await createTable(client, { tableName: 'mcp-sessions' });
 * ```
 */
export async function createTable(client: DynamoDBClient, options: CreateTableOptions): Promise<void> {
  const { tableName, timeoutMs = 60_000 } = options;
  if (typeof tableName !== 'string' || tableName.length < 3) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'tableName must be a DynamoDB table name');
  }
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (err) {
    if (awsErrorName(err) !== 'ResourceInUseException') throw toStoreError(err, 'create table');
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) break;
    if (Date.now() > deadline) {
      throw new SessionStoreError('BACKEND_UNAVAILABLE', `Table not ACTIVE within ${timeoutMs} ms`);
    }
    await sleep(200);
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (err) {
    // Two processes enabling it at once: the loser is told it is already enabled.
    if (!/already enabled/i.test(String((err as Error).message))) throw toStoreError(err, 'enable TTL');
  }
}

/** Epoch seconds for the native TTL attribute: rounded up, so DynamoDB never deletes early. */
export function ttlSeconds(expiresAtMs: number): number {
  return Math.ceil(expiresAtMs / 1000);
}
