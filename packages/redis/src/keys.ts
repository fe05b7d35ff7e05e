import { SessionStoreError } from '@mcp-session-store/core';

/** Default key prefix, as in the original `SessionStore` proposal. */
export const DEFAULT_KEY_PREFIX = 'mcp:session:';

// `%`, `{` and `}` are escaped so a value can never open or close a hash tag early: every key of
// one session then hashes to one cluster slot, whatever characters the session id holds.
function hashTag(value: string): string {
  return value.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
}

/**
 * The key layout. Every key of one session shares the hash tag `{<id>}`, so multi-key scripts
 * never hit CROSSSLOT on Redis Cluster:
 *
 * | key | type | holds |
 * | --- | --- | --- |
 * | `<prefix>{<id>}` | hash | the session record |
 * | `<prefix>{<id>}:events` | hash | the session's event-id token and its stream ids |
 * | `<prefix>{<id>}:stream:<streamId>` | stream | one SSE stream's events |
 * | `<prefix>principal:{<principal>}` | sorted set | ids of the principal's sessions (for `list`) |
 * | `<prefix>claim:{<key>}` | string | one claim (`RedisClaimStore`), expiring with it |
 *
 * Bus channels (not keys) are `<prefix>bus:<channel>`.
 */
export class RedisKeys {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_KEY_PREFIX) {
    if (typeof prefix !== 'string' || !/^[\x21-\x7a|~]{1,128}$/.test(prefix)) {
      throw new SessionStoreError(
        'INVALID_ARGUMENT',
        'keyPrefix must be 1-128 visible ASCII characters without { or }',
      );
    }
    this.prefix = prefix;
  }

  session(id: string): string {
    return `${this.prefix}{${hashTag(id)}}`;
  }

  events(sessionId: string): string {
    return `${this.session(sessionId)}:events`;
  }

  stream(sessionId: string, streamId: string): string {
    return `${this.session(sessionId)}:stream:${streamId}`;
  }

  principal(principal: string): string {
    return `${this.prefix}principal:{${hashTag(principal)}}`;
  }

  claim(key: string): string {
    return `${this.prefix}claim:{${hashTag(key)}}`;
  }

  channel(name: string): string {
    return `${this.prefix}bus:${name}`;
  }
}
