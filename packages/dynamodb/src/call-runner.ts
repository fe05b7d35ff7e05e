import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isSessionStoreError, SessionStoreError, withBackendTimeout } from '@mcp-session-store/core';

/** Default bound on one DynamoDB call, the SDK's own retries included. */
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

// Errors that mean "not now" rather than "never": throttling, server faults, lost connections.
const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'LimitExceededException',
  'TimeoutError',
  'AbortError',
]);

interface AwsError {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/** The exception name of an SDK error (`ConditionalCheckFailedException`, ...). */
export function awsErrorName(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as AwsError).name : undefined;
}

/** Maps an SDK error to a `SessionStoreError`, keeping it as `cause`. */
export function toStoreError(err: unknown, what: string): SessionStoreError {
  if (isSessionStoreError(err)) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsError;
  const message = e.message ?? String(err);
  const status = e.$metadata?.httpStatusCode;
  // A client fault with an HTTP answer (bad request, missing table, access denied) will not heal.
  if (!TRANSIENT.has(e.name ?? '') && e.$fault === 'client' && status !== undefined && status < 500) {
    return new SessionStoreError('BACKEND_ERROR', `DynamoDB refused ${what}: ${message}`, { cause: err });
  }
  return new SessionStoreError('BACKEND_UNAVAILABLE', `DynamoDB unavailable during ${what}: ${message}`, {
    cause: err,
  });
}

/** Any command of `@aws-sdk/client-dynamodb` (their generic types do not unify). */
type AnyCommand = { readonly input: object };
type LooseSend = (command: AnyCommand, options: { abortSignal: AbortSignal }) => Promise<unknown>;

/**
 * Runs every DynamoDB call of an adapter: bounds it in time (an abort signal plus a timer, so a
 * dead endpoint gives `BACKEND_UNAVAILABLE` instead of a hanging promise, whatever the client's
 * own retry settings), maps SDK errors to typed ones, and counts calls.
 */
export class CallRunner {
  private count = 0;

  constructor(
    readonly client: DynamoDBClient,
    readonly timeoutMs: number = DEFAULT_CALL_TIMEOUT_MS,
  ) {
    if (!client || typeof (client as { send?: unknown }).send !== 'function') {
      throw new SessionStoreError('INVALID_ARGUMENT', 'client (a DynamoDBClient) is required');
    }
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'callTimeoutMs must be a positive integer');
    }
  }

  /** How many calls were sent to DynamoDB (each is one round trip, not counting SDK retries). */
  get calls(): number {
    return this.count;
  }

  /**
   * Sends `command`. Errors named in `expected` (e.g. `ConditionalCheckFailedException`) are thrown
   * as they are, for the caller to handle; every other error is mapped by {@link toStoreError}.
   */
  async send<T>(what: string, command: AnyCommand, expected: readonly string[] = []): Promise<T> {
    this.count++;
    const controller = new AbortController();
    const send = this.client.send.bind(this.client) as unknown as LooseSend;
    const attempt = send(command, { abortSignal: controller.signal }) as Promise<T>;
    try {
      return await withBackendTimeout(attempt, {
        backend: 'DynamoDB',
        what,
        timeoutMs: this.timeoutMs,
        onTimeout: () => controller.abort(),
      });
    } catch (err) {
      if (expected.includes(awsErrorName(err) ?? '')) throw err;
      throw toStoreError(err, what);
    }
  }
}
