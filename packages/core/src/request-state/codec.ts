import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../clock.js';
import { type ClaimStore, MAX_CLAIM_TTL_MS } from '../contract/claim-store.js';
import { ENVELOPE_PREFIX, envelopeKeyId, openEnvelope, sealEnvelope } from '../encryption/envelope.js';
import { Keyring, type KeyringOptions } from '../encryption/keyring.js';
import { isSessionStoreError, SessionStoreError } from '../errors.js';
import { findNonJson } from '../json.js';
import { instrumentClaimStore } from '../telemetry/instrumented-backends.js';
import { Telemetry, type TelemetryOptions } from '../telemetry/telemetry.js';
import {
  bindingDigest,
  defaultRequestBinding,
  defaultRequestStatePrincipal,
  type RequestStateContext,
  sameDigest,
} from './binding.js';
import { RequestStateError } from './errors.js';

/** Default life of a minted state: 600 s, as SDK v2's codec. */
export const DEFAULT_REQUEST_STATE_TTL_SECONDS = 600;

/**
 * How much longer than the state's remaining life its claim is kept: pods' clocks differ, and a
 * pod whose clock is behind still takes the state for live after the claim made on another pod
 * would have ended. Covers clock differences of up to a minute.
 */
export const REQUEST_STATE_CLAIM_MARGIN_MS = 60_000;

/** Longest state `verify` reads (characters); anything longer is `malformed` without decryption. */
const MAX_STATE_CHARS = 1024 * 1024;
/** What the AES-GCM additional data binds besides the envelope version and key id. */
const CONTEXT = ['request-state', 'v1'] as const;
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const BODY_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Options of {@link createRequestStateCodec}. */
export interface RequestStateCodecOptions<C extends RequestStateContext = RequestStateContext> {
  /**
   * The AES-256 keys, as for `encryptSessionStore`: the active key seals new states, every listed
   * key opens states sealed under it, so keys rotate without breaking rounds in flight. Every pod
   * needs the same keys; since pods pick up a new keyring at different moments, rotate in three
   * steps, each on every pod before the next: add the new key (listed, not active), make it active,
   * then drop the old one once `ttlSeconds` have passed (making a new key active in one step lets a
   * pod seal states that pods without the key yet refuse as `unknown-key`).
   */
  keyring: KeyringOptions | Keyring;
  /** How long a minted state stays valid, in seconds: positive, at most 7 days. Default 600. */
  ttlSeconds?: number | undefined;
  /**
   * The principal a state is bound to, from the request's context; a state is refused (`foreign`)
   * when presented by another. Return null for "no principal". Default
   * {@link defaultRequestStatePrincipal}: `extra.sub` of the access token's `AuthInfo`, else its
   * `clientId`, else null. Return your user id when your tokens carry it elsewhere.
   */
  principal?: ((ctx: C) => string | null) | undefined;
  /**
   * The request a state is bound to; a state is refused (`bind`) on a request giving another
   * value. Default: the method and the name it acts on (`tools/call` and the tool, `prompts/get`
   * and the prompt, `resources/read` and the URI, from the request's `Mcp-Name` header). Where a
   * request has no such header (stdio, a 2025 session) only the method is bound: return what your
   * handler knows here (e.g. a digest of the salient arguments) to bind more.
   */
  bind?: ((ctx: C) => string) | undefined;
  /**
   * At-most-once use: each state carries a random id, and `verify` claims it for the state's
   * remaining life (plus {@link REQUEST_STATE_CLAIM_MARGIN_MS}); a second use, on any pod sharing
   * the claim store, is refused (`replayed`). When the claim store fails, `verify` refuses the
   * state (`unavailable`), never accepts it unchecked. Without it, a state may be used any number
   * of times until it expires.
   */
  claims?: ClaimStore | undefined;
  /**
   * Traces and metrics of the `claims` calls (a `claim claims` span inside the request's trace,
   * `db.client.operation.duration`), as the router's `telemetry` option: the global OpenTelemetry
   * providers by default, explicit ones, or `false` for none.
   */
  telemetry?: TelemetryOptions | false | undefined;
  /** Time source for expiry (tests pass a `TestClock`). Default: the system clock. */
  clock?: Clock | undefined;
}

/**
 * A `requestState` codec: the shape of SDK v2's `RequestStateCodec`, so `verify` drops into
 * `ServerOptions.requestState.verify` and handlers read the payload with
 * `ctx.mcpReq.requestState<T>()`.
 */
export interface RequestStateCodec<T = unknown, C extends RequestStateContext = RequestStateContext> {
  /**
   * Seals `payload` (any JSON value) into the opaque string a handler returns in
   * `inputRequired({ requestState })`, bound to `ctx`'s principal and request. `ctx` is required
   * (optional in the type only to match SDK v2's codec); without it, or with a payload that is not
   * JSON, it rejects with `INVALID_ARGUMENT`.
   */
  mint(payload: T, ctx?: C): Promise<string>;
  /**
   * Opens an echoed state and resolves its payload; rejects with a {@link RequestStateError}
   * (`malformed`, `unknown-key`, `tampered`, `expired`, `foreign`, `bind`, `replayed`,
   * `unavailable`). Pass it as `ServerOptions.requestState.verify`.
   */
  verify(state: string, ctx: C): Promise<T>;
}

function invalid(message: string): SessionStoreError {
  return new SessionStoreError('INVALID_ARGUMENT', message);
}

function resolveTtlMs(ttlSeconds: unknown): number {
  const seconds = ttlSeconds ?? DEFAULT_REQUEST_STATE_TTL_SECONDS;
  const ms = typeof seconds === 'number' ? Math.round(seconds * 1000) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > MAX_CLAIM_TTL_MS) {
    throw invalid('ttlSeconds must be a positive number of seconds, at most 7 days');
  }
  return ms;
}

/** What the sealed state holds. */
interface SealedState {
  /** Format version of this object. */
  v: 1;
  /** Random id: the claim key of at-most-once use. */
  id: string;
  /** End of validity, epoch ms (exclusive). */
  exp: number;
  /** Digest of the principal binding. */
  pr: string;
  /** Digest of the request binding. */
  rq: string;
  /** The caller's payload. */
  p: unknown;
}

function isSealedState(value: unknown): value is SealedState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<SealedState>;
  return (
    s.v === 1 &&
    typeof s.id === 'string' &&
    ID_PATTERN.test(s.id) &&
    Number.isSafeInteger(s.exp) &&
    typeof s.pr === 'string' &&
    typeof s.rq === 'string' &&
    'p' in s
  );
}

/** Opens the envelope, mapping every failure to a reason; never says more than the reason. */
function open(keyring: Keyring, state: unknown): SealedState {
  if (typeof state !== 'string' || state.length > MAX_STATE_CHARS || !state.startsWith(ENVELOPE_PREFIX)) {
    throw new RequestStateError('malformed');
  }
  const keyId = envelopeKeyId(state);
  if (keyId === undefined) throw new RequestStateError('malformed');
  const encoded = state.slice(ENVELOPE_PREFIX.length + keyId.length + 1);
  // Only the canonical base64url of the bytes: a changed unused trailing bit is a changed state.
  if (!BODY_PATTERN.test(encoded) || Buffer.from(encoded, 'base64url').toString('base64url') !== encoded) {
    throw new RequestStateError('malformed');
  }
  let plaintext: Buffer;
  try {
    plaintext = openEnvelope(keyring, state, CONTEXT);
  } catch (error) {
    const reason = isSessionStoreError(error) ? error.details.reason : undefined;
    if (reason === 'unknown-key') throw new RequestStateError('unknown-key');
    if (reason === 'unauthenticated') throw new RequestStateError('tampered');
    throw new RequestStateError('malformed');
  }
  let sealed: unknown;
  try {
    sealed = JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw new RequestStateError('malformed');
  }
  if (!isSealedState(sealed)) throw new RequestStateError('malformed');
  return sealed;
}

/**
 * A codec for the 2026-07-28 multi-round-trip `requestState` that works across pods: what SDK v2's
 * `createRequestStateCodec` does, plus what a cluster needs.
 *
 * - **Sealed with core's keyring**: AES-256-GCM (confidential and authenticated: the client cannot
 *   read the payload), the key id in clear and bound, with the version, in the authenticated data.
 *   The active key seals, every listed key opens: rotate keys without breaking rounds in flight.
 * - **Bound by default** to the principal and to the originating method and name (the spec's
 *   SHOULDs): a state is refused when presented by another principal or on another tool, prompt or
 *   resource. Both are options (`principal`, `bind`).
 * - **Expires** after `ttlSeconds` (600).
 * - **At most once**, optionally (`claims`): a second use on any pod is refused.
 *
 * Every refusal is a {@link RequestStateError} whose message names only the reason. Through SDK v2
 * (`ServerOptions.requestState.verify`), the client sees the JSON-RPC error `-32602`
 * `"Invalid or expired requestState"` with `data.reason: 'invalid_request_state'`, in an HTTP 200
 * response, never a 5xx; the reason goes to the server's `onerror`. That includes a claim store
 * outage (`unavailable`): the state is refused, not accepted unchecked. The client then has to
 * start the call over without the state (a fresh `tools/call`). The same holds with `claims` when a
 * client re-sends a retry whose first attempt reached the server (a broken response stream): the
 * state was used by that attempt.
 *
 * @example
 * ```ts
 * import { createRequestStateCodec } from '@mcp-session-store/core';
 * import { RedisClaimStore } from '@mcp-session-store/redis'; // or any ClaimStore
 * import { createMcpHandler, inputRequired, McpServer } from '@modelcontextprotocol/server';
 *
 * const codec = createRequestStateCodec<{ step: number }>({
 *   keyring: { activeKeyId: '2025-07', keys: { '2025-07': process.env.STATE_KEY_2025_07! } },
 *   claims: new RedisClaimStore({ redis }), // consumed at most once, on any pod
 * });
 *
 * const handler = createMcpHandler(() => {
 *   const server = new McpServer({ name: 'app', version: '1' }, { requestState: { verify: codec.verify } });
 *   server.registerTool('wizard', { description: 'two steps' }, async (ctx) => {
 *     const state = ctx.mcpReq.requestState<{ step: number }>(); // verified and decoded
 *     if (!state) {
 *       const name = inputRequired.elicit({ message: 'Your name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } });
 *       return inputRequired({ inputRequests: { name }, requestState: await codec.mint({ step: 1 }, ctx) });
 *     }
 *     return { content: [{ type: 'text', text: `done at step ${state.step}` }] };
 *   });
 *   return server;
 * });
 * ```
 */
export function createRequestStateCodec<T = unknown, C extends RequestStateContext = RequestStateContext>(
  options: RequestStateCodecOptions<C>,
): RequestStateCodec<T, C> {
  if (typeof options !== 'object' || options === null) {
    throw invalid('createRequestStateCodec needs options { keyring }');
  }
  const keyring = Keyring.from(options.keyring);
  const ttlMs = resolveTtlMs(options.ttlSeconds);
  const clock = options.clock ?? systemClock;
  const given = options.claims;
  const principalOf = options.principal ?? defaultRequestStatePrincipal;
  const bindOf = options.bind ?? defaultRequestBinding;
  for (const [name, fn] of [
    ['principal', options.principal],
    ['bind', options.bind],
  ] as const) {
    if (fn !== undefined && typeof fn !== 'function') throw invalid(`${name} must be a function`);
  }
  if (given !== undefined && typeof given?.claim !== 'function') {
    throw invalid('claims must be a ClaimStore');
  }
  const claims = given && instrumentClaimStore(given, Telemetry.create(options.telemetry));

  const digests = (ctx: C): { pr: string; rq: string } => {
    const principal = principalOf(ctx);
    if (principal !== null && typeof principal !== 'string') {
      throw invalid('principal(ctx) must return a string or null');
    }
    const request = bindOf(ctx);
    if (typeof request !== 'string') throw invalid('bind(ctx) must return a string');
    return { pr: bindingDigest('principal', principal), rq: bindingDigest('request', request) };
  };

  return {
    async mint(payload, ctx) {
      if (ctx === undefined || ctx === null || typeof ctx !== 'object') {
        throw invalid(
          "mint(payload, ctx) needs the handler's ctx: the state is bound to its principal and request",
        );
      }
      const bad = findNonJson(payload, 'payload');
      if (bad) throw invalid(`${bad} is not JSON`);
      const sealed: SealedState = {
        v: 1,
        id: randomBytes(16).toString('base64url'),
        exp: clock.now() + ttlMs,
        ...digests(ctx),
        p: payload,
      };
      return sealEnvelope(keyring, JSON.stringify(sealed), CONTEXT);
    },

    async verify(state, ctx) {
      if (ctx === undefined || ctx === null || typeof ctx !== 'object') {
        throw invalid(
          "verify(state, ctx) needs the request's ctx: the state is bound to its principal and request",
        );
      }
      const sealed = open(keyring, state);
      const now = clock.now();
      if (sealed.exp <= now) throw new RequestStateError('expired');
      const expected = digests(ctx);
      if (!sameDigest(sealed.pr, expected.pr)) throw new RequestStateError('foreign');
      if (!sameDigest(sealed.rq, expected.rq)) throw new RequestStateError('bind');
      if (claims) {
        const claimTtlMs = Math.min(
          MAX_CLAIM_TTL_MS,
          Math.max(1_000, sealed.exp - now) + REQUEST_STATE_CLAIM_MARGIN_MS,
        );
        let won: boolean;
        try {
          won = await claims.claim(`rs:${sealed.id}`, claimTtlMs);
        } catch (cause) {
          throw new RequestStateError('unavailable', { cause });
        }
        if (won !== true) throw new RequestStateError('replayed');
      }
      return sealed.p as T;
    },
  };
}
