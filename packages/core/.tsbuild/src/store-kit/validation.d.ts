import type { ListOptions } from '../contract/session-store.js';
import { SessionStoreError } from '../errors.js';
/** Throws `INVALID_ARGUMENT` unless `channel` is 1-256 visible ASCII characters. */
export declare function assertValidChannel(channel: unknown): asserts channel is string;
/**
 * Checks a bus payload before it is sent: `INVALID_ARGUMENT` if it is not JSON, `PAYLOAD_TOO_LARGE`
 * if its JSON text exceeds `maxBytes`. Returns the JSON text, ready to send.
 */
export declare function assertBusPayload(payload: unknown, maxBytes: number): string;
/** Validated list options: `limit` 1-1000 (default 100), `cursor` a string or null. */
export declare function validateListOptions(options?: ListOptions): {
    limit: number;
    cursor: string | null;
};
/** `CLOSED` error for a component that was closed. */
export declare function closedError(what: string): SessionStoreError;
//# sourceMappingURL=validation.d.ts.map