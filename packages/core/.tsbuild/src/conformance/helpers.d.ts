import { TestClock } from '../clock.js';
import { type ErrorCode, type SessionStoreError } from '../errors.js';
import type { AdapterFactory, AdapterFactoryContext, AdapterUnderTest, SuiteOptions, TestApi } from './types.js';
/** A fresh namespace: safe as a key prefix, table suffix or schema name. */
export declare function randomNamespace(): string;
/** A fresh valid session id. */
export declare function randomId(prefix?: string): string;
export declare function sleep(ms: number): Promise<void>;
/** Polls `check` until it returns true; fails with `message` after `timeoutMs`. */
export declare function waitFor(check: () => boolean, message: string, timeoutMs?: number): Promise<void>;
/** Asserts that `promise` rejects with a {@link SessionStoreError} of `code`; returns the error. */
export declare function rejectsWithCode(promise: Promise<unknown> | (() => unknown), code: ErrorCode, what: string): Promise<SessionStoreError>;
/** One test's world: its context (with a controllable clock) and the errors reported to it. */
export interface TestWorld {
    readonly ctx: AdapterFactoryContext;
    readonly clock: TestClock;
    readonly reported: SessionStoreError[];
    /**
     * Builds one more adapter instance (another "process") on the same namespace, optionally with
     * other limits.
     */
    open(overrides?: ContextOverrides): Promise<AdapterUnderTest>;
    /** Builds an adapter instance on a second, fresh namespace of the same backend. */
    openOtherNamespace(): Promise<AdapterUnderTest>;
}
export type ContextOverrides = Partial<Omit<AdapterFactoryContext, 'clock' | 'onError'>>;
/**
 * Registers tests for a suite, each in its own world, bounded in time and closed afterwards.
 */
export declare function testRegistrar(api: TestApi, factory: AdapterFactory, options: SuiteOptions): (name: string, body: (world: TestWorld) => Promise<void>, overrides?: ContextOverrides) => void;
/** Fails clearly when the adapter did not provide the component a suite needs. */
export declare function required<T>(component: T | undefined, what: string): T;
//# sourceMappingURL=helpers.d.ts.map