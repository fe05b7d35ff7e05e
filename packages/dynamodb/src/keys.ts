import { createHash } from 'node:crypto';
import { SessionStoreError } from '@mcp-session-store/core';

/** Default namespace: the first part of every partition key. */
export const DEFAULT_NAMESPACE = 'mcp';

const NAMESPACE = /^[\x21-\x22\x24-\x7e]{1,128}$/;
// DynamoDB keys are at most 1024 (sort) / 2048 (partition) bytes: long values are hashed.
const MAX_RAW_KEY_PART = 600;

/** `value` itself when short, else `~` + its SHA-256 (base64url); `~` never starts base64url. */
export function keyPart(value: string): string {
  if (Buffer.byteLength(value, 'utf8') <= MAX_RAW_KEY_PART) return value;
  return `~${createHash('sha256').update(value, 'utf8').digest('base64url')}`;
}

/** `streamId` as a sort-key segment: base64url (no `#`), hashed when long. */
export function streamKey(streamId: string): string {
  return keyPart(Buffer.from(streamId, 'utf8').toString('base64url'));
}

/**
 * The key layout of the single table (see the README): every partition key starts with the
 * namespace and `#`, so two namespaces never share an item.
 *
 * | item | `pk` | `sk` |
 * | --- | --- | --- |
 * | session record | `<ns>#s#<id>` | `rec` |
 * | stream head (token, last seq, expiry, event 1) | `<ns>#e#<sessionId>` | `h#<stream>` |
 * | event n > 1 | `<ns>#e#<sessionId>` | `e#<stream>#<token>#<seq, 16 digits>` |
 * | bus subscription | `<ns>#b#sub#<channel>` | `<busId>` |
 * | bus inbox item | `<ns>#b#in#<busId>` | `<publisherId>#<seq, 12 digits>#<chunk, 4 digits>` |
 * | claim | `<ns>#c#<key>` | `claim` |
 *
 * The principal index (GSI `byPrincipal`) uses `gpk` = `<ns>#p#<principal>` and `gsk` = session id.
 */
export class DynamoKeys {
  readonly namespace: string;

  constructor(namespace: string = DEFAULT_NAMESPACE) {
    if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
      throw new SessionStoreError(
        'INVALID_ARGUMENT',
        'namespace must be 1-128 visible ASCII characters without #',
      );
    }
    this.namespace = namespace;
  }

  session(id: string): string {
    return `${this.namespace}#s#${id}`;
  }

  principal(principal: string): string {
    return `${this.namespace}#p#${keyPart(principal)}`;
  }

  events(sessionId: string): string {
    return `${this.namespace}#e#${sessionId}`;
  }

  claim(key: string): string {
    return `${this.namespace}#c#${key}`;
  }

  subscribers(channel: string): string {
    return `${this.namespace}#b#sub#${channel}`;
  }

  inbox(busId: string): string {
    return `${this.namespace}#b#in#${busId}`;
  }
}
