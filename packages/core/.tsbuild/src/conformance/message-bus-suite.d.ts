import type { AdapterFactory, SuiteOptions, TestApi } from './types.js';
/**
 * The message bus conformance suite: delivery across instances, per-publisher order, isolation,
 * payload limits, error containment and close.
 *
 * @example
 * ```ts
 * messageBusSuite({ describe, it }, (ctx) => ({ bus: new MemoryMessageBus({ namespace: ctx.namespace }) }));
 * ```
 */
export declare function messageBusSuite(api: TestApi, factory: AdapterFactory, options?: SuiteOptions): void;
//# sourceMappingURL=message-bus-suite.d.ts.map