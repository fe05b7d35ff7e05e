import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SessionStoreError } from '@mcp-session-store/core';

type Key = Record<string, AttributeValue>;

const KEY_NAMES = ['pk', 'sk', 'gpk', 'gsk'] as const;

/** An opaque `list` cursor: base64url of the index's LastEvaluatedKey (string attributes only). */
export function encodeCursor(key: Key): string {
  const plain: Record<string, string> = {};
  for (const name of KEY_NAMES) plain[name] = key[name]?.S ?? '';
  return Buffer.from(JSON.stringify(plain), 'utf8').toString('base64url');
}

/**
 * The key a cursor encodes. `INVALID_ARGUMENT` for anything that is not a cursor of this
 * principal's listing (a cursor can never start a read in another principal's or namespace's range).
 */
export function decodeCursor(cursor: string, gpk: string): Key {
  let plain: unknown;
  try {
    plain = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    plain = null;
  }
  const valid =
    typeof plain === 'object' &&
    plain !== null &&
    KEY_NAMES.every((n) => typeof (plain as Record<string, unknown>)[n] === 'string') &&
    (plain as Record<string, string>).gpk === gpk;
  if (!valid) throw new SessionStoreError('INVALID_ARGUMENT', 'cursor must be a string from a previous page');
  const key: Key = {};
  for (const name of KEY_NAMES) key[name] = { S: (plain as Record<string, string>)[name]! };
  return key;
}
