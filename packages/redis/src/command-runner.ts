import { createHash } from 'node:crypto';
import { isSessionStoreError, SessionStoreError, withBackendTimeout } from '@mcp-session-store/core';
import type { RedisClient } from './redis-client.js';

/** Default bound on one Redis call, so a lost connection never leaves a promise hanging. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

// Server errors that mean "not now" rather than "never": the call may succeed when retried.
// Stryker disable next-line Regex: equivalent, a Redis error reply starts with its code and none of ours names these codes later in its text
const TRANSIENT_REPLY = /^(LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|OOM|MOVED|ASK)\b/;

function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

/** Maps a driver error to a `SessionStoreError`, keeping it as `cause`. */
export function toStoreError(err: unknown, what: string): SessionStoreError {
  if (isSessionStoreError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (isReplyError(err) && !TRANSIENT_REPLY.test(message)) {
    return new SessionStoreError('BACKEND_ERROR', `Redis refused ${what}: ${message}`, { cause: err });
  }
  return new SessionStoreError('BACKEND_UNAVAILABLE', `Redis unavailable during ${what}: ${message}`, {
    cause: err,
  });
}

/** A Lua script, called by its SHA1 and loaded on a node only when that node lacks it. */
export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly source: string,
    readonly keyCount: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

/**
 * Runs every Redis call of an adapter: bounds it in time (`BACKEND_UNAVAILABLE`, retryable, when
 * Redis does not answer, even while ioredis queues commands for a reconnect), maps driver errors to
 * typed ones, and counts calls (for tests and benchmarks).
 */
export class CommandRunner {
  private count = 0;

  constructor(
    readonly client: RedisClient,
    readonly timeoutMs: number = DEFAULT_COMMAND_TIMEOUT_MS,
  ) {
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'commandTimeoutMs must be a positive integer');
    }
  }

  /** How many calls were sent to Redis. */
  get calls(): number {
    return this.count;
  }

  /** Runs `call` (one round trip), bounded by the timeout. */
  async run<T>(what: string, call: (client: RedisClient) => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await withBackendTimeout(call(this.client), {
        backend: 'Redis',
        what,
        timeoutMs: this.timeoutMs,
      });
    } catch (err) {
      throw toStoreError(err, what);
    }
  }

  /** Runs a script by SHA1, loading it with EVAL on a node that answers NOSCRIPT. */
  async script<T>(script: LuaScript, keys: string[], args: Array<string | number>): Promise<T> {
    return this.run(script.name, async (client) => {
      try {
        return (await client.evalsha(script.sha, script.keyCount, ...keys, ...args)) as T;
      } catch (err) {
        if (!(isReplyError(err) && err.message.startsWith('NOSCRIPT'))) throw err;
        return (await client.eval(script.source, script.keyCount, ...keys, ...args)) as T;
      }
    });
  }
}
