import { randomBytes } from 'node:crypto';
import { SessionStoreError } from '../errors.js';

/** What a handle prefix may look like: a letter, then letters or digits, 1-32 characters in all. */
export const STATE_HANDLE_PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,31}$/;

/** The prefix of handles when none is given: handles look like `state_Xq3…` (43 characters after `_`). */
export const DEFAULT_STATE_HANDLE_PREFIX = 'state';

/** Random bytes in a handle: 256 bits from the operating system's CSPRNG. */
const HANDLE_RANDOM_BYTES = 32;
/** Length of those bytes in base64url, without padding. */
const HANDLE_BODY_LENGTH = 43;

/**
 * Mints and recognizes the handles of one kind (`<prefix>_<43 base64url characters>`). A handle is
 * visible ASCII, has no structure beyond its prefix, and is at least 45 characters long, so it is
 * never equal to an id of `generateSessionId()` (43 characters) or `randomUUID()` (36).
 */
export class HandleFormat {
  private readonly pattern: RegExp;

  constructor(readonly prefix: string) {
    if (typeof prefix !== 'string' || !STATE_HANDLE_PREFIX_PATTERN.test(prefix)) {
      throw new SessionStoreError(
        'INVALID_ARGUMENT',
        'prefix must be 1-32 letters or digits, starting with a letter',
        { details: { type: typeof prefix } },
      );
    }
    // The prefix is letters and digits only: nothing in it needs escaping.
    this.pattern = new RegExp(`^${prefix}_[A-Za-z0-9_-]{${HANDLE_BODY_LENGTH}}$`);
  }

  /** A new handle: the prefix, `_`, and 256 random bits in base64url. */
  mint(): string {
    return `${this.prefix}_${randomBytes(HANDLE_RANDOM_BYTES).toString('base64url')}`;
  }

  /** True if `value` has the shape of a handle of this kind (it may still be unknown or expired). */
  matches(value: unknown): value is string {
    return typeof value === 'string' && this.pattern.test(value);
  }

  /**
   * Throws `INVALID_ARGUMENT` unless `value` has the shape of a handle of this kind. The error
   * never holds the value (it may be another kind's live handle): only its type and length.
   */
  assert(value: unknown): asserts value is string {
    if (this.matches(value)) return;
    throw new SessionStoreError(
      'INVALID_ARGUMENT',
      `Not a state handle of this kind: expected "${this.prefix}_" and ${HANDLE_BODY_LENGTH} base64url characters`,
      { details: { type: typeof value, length: typeof value === 'string' ? value.length : undefined } },
    );
  }
}
