import type { NewSession } from '../contract/session-record.js';
import type { AdapterFactory, SuiteOptions, TestApi } from './types.js';
/** Ids every store must refuse with `INVALID_SESSION_ID`, before any backend call. */
export declare const INVALID_SESSION_IDS: readonly unknown[];
/** A session as `initialize` would create it. */
export declare function sampleSession(overrides?: Partial<NewSession>): NewSession;
/**
 * The `SessionStore` conformance suite: every rule of the contract, one or more tests each.
 *
 * @example jest or vitest
 * ```ts
 * import { sessionStoreSuite } from '@mcp-session-store/core/conformance';
 * sessionStoreSuite({ describe, it }, (ctx) => ({
 *   sessionStore: new MemorySessionStore({ clock: ctx.clock, idleTtlMs: ctx.idleTtlMs, onError: ctx.onError }),
 * }));
 * ```
 * @example node:test
 * ```ts
 * import { describe, it } from 'node:test';
 * sessionStoreSuite({ describe, it }, factory);
 * ```
 */
export declare function sessionStoreSuite(api: TestApi, factory: AdapterFactory, options?: SuiteOptions): void;
//# sourceMappingURL=session-store-suite.d.ts.map