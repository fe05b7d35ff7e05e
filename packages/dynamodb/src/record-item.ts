import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { decodeRecord, type SessionRecord, type SessionStoreError } from '@mcp-session-store/core';
import type { DynamoKeys } from './keys.js';
import { ttlSeconds } from './table.js';

/** A DynamoDB item in the low-level client's AttributeValue form. */
export type Item = Record<string, AttributeValue>;

/** Sort key of a session record item. */
export const RECORD_SK = 'rec';

/**
 * A session is one item: `data` holds the JSON of the content fields (id, principal,
 * protocolVersion, clientInfo, clientCapabilities, logLevel, metadata); the times and version are
 * number attributes of their own, so `touch` changes them with an UpdateItem and `update`
 * compares `version` in a condition, neither re-writing the JSON.
 */
export function recordItem(keys: DynamoKeys, record: SessionRecord): Item {
  const { createdAt, lastActivityAt, expiresAt, version, ...content } = record;
  const item: Item = {
    pk: { S: keys.session(record.id) },
    sk: { S: RECORD_SK },
    kind: { S: 'session' },
    data: { S: JSON.stringify(content) },
    createdAt: { N: String(createdAt) },
    lastActivityAt: { N: String(lastActivityAt) },
    expiresAt: { N: String(expiresAt) },
    version: { N: String(version) },
    ttl: { N: String(ttlSeconds(expiresAt)) },
  };
  if (record.principal !== null) {
    item.gpk = { S: keys.principal(record.principal) };
    item.gsk = { S: record.id };
  }
  return item;
}

/** The content JSON of a record (what `update` rewrites). */
export function contentJson(record: SessionRecord): string {
  const { createdAt, lastActivityAt, expiresAt, version, ...content } = record;
  return JSON.stringify(content);
}

/** A number attribute, or NaN when absent or not a number. */
export function numberOf(item: Item, name: string): number {
  const value = item[name]?.N;
  return value === undefined ? Number.NaN : Number(value);
}

/**
 * The record an item holds. An item that does not make a valid record is reported through
 * `onError` (`CORRUPT_RECORD`, redacted id) and reads as null. Expiry is the caller's check.
 */
export function decodeItem(
  id: string,
  item: Item,
  onError: ((error: SessionStoreError) => void) | undefined,
): SessionRecord | null {
  const data = item.data?.S ?? '';
  // Glue the number attributes into the content JSON and let core's decoder judge the whole.
  const text = data.endsWith('}')
    ? `${data.slice(0, -1)},"createdAt":${item.createdAt?.N},"lastActivityAt":${item.lastActivityAt?.N},"expiresAt":${item.expiresAt?.N},"version":${item.version?.N}}`
    : data;
  return decodeRecord(text, id, onError);
}
