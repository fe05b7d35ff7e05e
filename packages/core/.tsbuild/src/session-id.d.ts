/** Longest session id a store accepts. */
export declare const MAX_SESSION_ID_LENGTH = 256;
/** True if `id` is 1-256 visible ASCII characters (0x21-0x7E). */
export declare function isValidSessionId(id: unknown): id is string;
/**
 * Throws `INVALID_SESSION_ID` unless `id` is valid. Stores call it before any backend call, so a
 * hostile id never reaches a key, a query or a log line.
 */
export declare function assertValidSessionId(id: unknown): asserts id is string;
/**
 * A new session id: 256 bits from the operating system's CSPRNG, base64url (43 characters).
 *
 * @example
 * ```ts
 * const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: generateSessionId });
 * ```
 */
export declare function generateSessionId(): string;
/**
 * A session id made safe for logs: the first 6 characters and the length, never the whole id
 * (a full id is a bearer credential for that session).
 */
export declare function redactSessionId(id: string): string;
//# sourceMappingURL=session-id.d.ts.map