// The key the v2 example server seals its multi-round-trip `requestState` with (2026-07-28,
// SEP-2322). The client echoes the state to whichever process the balancer picks, so every process
// of one server must verify with the same key: the demo and `pnpm conformance` give all of them one
// random key through DEMO_REQUEST_STATE_KEY. A process started by hand without it gets a key of its
// own, which is only right when it is the only process. No SDK import: the parent process that
// starts the pods loads none.
import { randomBytes } from 'node:crypto';

/** The environment variable holding the key (at least 32 bytes of UTF-8). */
export const REQUEST_STATE_KEY_ENV = 'DEMO_REQUEST_STATE_KEY';

/** The fewest bytes SDK v2's `createRequestStateCodec` accepts for its HMAC key. */
const MIN_KEY_BYTES = 32;

/** A fresh random key, for the environment of every process of one server. */
export const newRequestStateKey = (): string => randomBytes(MIN_KEY_BYTES).toString('base64url');

/**
 * The key from `env`, or a fresh random one when unset (one process only).
 * Throws an Error naming the variable for a key shorter than 32 bytes.
 */
export function requestStateKeyFromEnv(env: NodeJS.ProcessEnv): string {
  const key = env[REQUEST_STATE_KEY_ENV] || newRequestStateKey();
  if (Buffer.byteLength(key, 'utf8') < MIN_KEY_BYTES) {
    throw new Error(`${REQUEST_STATE_KEY_ENV} must be at least ${MIN_KEY_BYTES} bytes long`);
  }
  return key;
}
