/**
 * Why a `requestState` was refused (`RequestStateError.reason`). Stable: match on it, never on the
 * message.
 *
 * | reason | meaning |
 * | --- | --- |
 * | `malformed` | not a state this codec mints (wrong shape, not a string, too long) |
 * | `unknown-key` | sealed under a key id the keyring no longer (or never) held |
 * | `tampered` | failed AES-256-GCM authentication: altered, forged, or sealed for another use |
 * | `expired` | presented after its TTL |
 * | `foreign` | issued to another principal |
 * | `bind` | issued for another request (method and name, or your `bind`) |
 * | `replayed` | already used once (only with `claims`) |
 * | `unavailable` | the claim store could not be reached: refused, never accepted unchecked (retryable) |
 */
export type RequestStateFailure =
  | 'malformed'
  | 'unknown-key'
  | 'tampered'
  | 'expired'
  | 'foreign'
  | 'bind'
  | 'replayed'
  | 'unavailable';

const MESSAGES: Record<RequestStateFailure, string> = {
  malformed: 'requestState is malformed',
  'unknown-key': 'requestState was sealed with a key id the keyring does not hold',
  tampered: 'requestState failed authentication: altered, forged or sealed for another use',
  expired: 'requestState has expired',
  foreign: 'requestState was issued to another principal',
  bind: 'requestState was issued for another request',
  replayed: 'requestState was already used',
  unavailable: 'requestState could not be checked for reuse: the claim store is unavailable',
};

// A global symbol, so `isRequestStateError` works across two loaded copies of core (ESM and CJS).
const BRAND = Symbol.for('@mcp-session-store/core/RequestStateError');

/**
 * What `verify` of {@link createRequestStateCodec} throws. The message is fixed per
 * {@link RequestStateFailure | reason}: it never holds the payload, a key, the principal or the
 * state. SDK v2 answers any throw of `ServerOptions.requestState.verify` with the JSON-RPC error
 * `-32602` `"Invalid or expired requestState"` (`data.reason: 'invalid_request_state'`) and hands
 * this error's message to the server's `onerror`.
 *
 * @example
 * ```ts
 * server.onerror = (error) => log.warn(error.message); // "... rejected tools/call: requestState was already used"
 * try {
 *   await codec.verify(state, ctx);
 * } catch (error) {
 *   if (isRequestStateError(error, 'replayed')) metrics.replays++;
 * }
 * ```
 */
export class RequestStateError extends Error {
  /** Why the state was refused. */
  readonly reason: RequestStateFailure;
  /**
   * True only for `unavailable`: the same state may pass once the claim store answers, unless the
   * claim was recorded and only its answer was lost (then a retry is refused as `replayed`).
   */
  readonly retryable: boolean;

  constructor(reason: RequestStateFailure, options: { cause?: unknown } = {}) {
    super(MESSAGES[reason], options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RequestStateError';
    this.reason = reason;
    this.retryable = reason === 'unavailable';
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True if `err` is a {@link RequestStateError} (from any copy of this package), optionally with
 * the given reason.
 *
 * @example
 * ```ts
 * if (isRequestStateError(err, 'expired')) console.log('the user took too long');
 * ```
 */
export function isRequestStateError(err: unknown, reason?: RequestStateFailure): err is RequestStateError {
  if (typeof err !== 'object' || err === null) return false;
  if ((err as Record<symbol, unknown>)[BRAND] !== true) return false;
  return reason === undefined || (err as RequestStateError).reason === reason;
}
