import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TestClock } from '../clock.js';
import { type ErrorCode, isSessionStoreError, type SessionStoreError } from '../errors.js';
import type {
  AdapterFactory,
  AdapterFactoryContext,
  AdapterUnderTest,
  SuiteOptions,
  TestApi,
} from './types.js';

/** A fresh namespace: safe as a key prefix, table suffix or schema name. */
export function randomNamespace(): string {
  return `t${randomBytes(7).toString('hex').slice(0, 13)}`;
}

/** A fresh valid session id. */
export function randomId(prefix = 's'): string {
  return `${prefix}-${randomBytes(12).toString('base64url')}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it returns true; fails with `message` after `timeoutMs`. The default is
 * generous (a loaded CI machine) and below the per-test bound (20 s), so a failure names the condition.
 */
export async function waitFor(check: () => boolean, message: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms: ${message}`);
    await sleep(5);
  }
}

/** Asserts that `promise` rejects with a {@link SessionStoreError} of `code`; returns the error. */
export async function rejectsWithCode(
  promise: Promise<unknown> | (() => unknown),
  code: ErrorCode,
  what: string,
): Promise<SessionStoreError> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    error = err;
  }
  assert.ok(error !== undefined, `${what}: expected ${code}, but it succeeded`);
  assert.ok(
    isSessionStoreError(error),
    `${what}: expected a SessionStoreError ${code}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
  );
  assert.equal(error.code, code, `${what}: expected ${code}, got ${error.code} (${error.message})`);
  assert.ok(error.message.trim().length > 0, `${what}: a ${code} error must say what went wrong`);
  return error;
}

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
 * The context the suites give an adapter factory: a fresh namespace, a new {@link TestClock}, the
 * suites' limits (60 s TTLs, 256 KiB records, 1 000 events per stream), errors dropped. For code
 * that builds an adapter outside a suite, e.g. to probe it or to run extra checks beside the suites.
 *
 * @example
 * ```ts
 * const reported: SessionStoreError[] = [];
 * const adapter = await factory(suiteContext({ onError: (e) => reported.push(e) }));
 * ```
 */
export function suiteContext(overrides: Partial<AdapterFactoryContext> = {}): AdapterFactoryContext {
  return {
    idleTtlMs: 60_000,
    maxLifetimeMs: undefined,
    maxRecordBytes: 256 * 1024,
    eventTtlMs: 60_000,
    maxEventsPerStream: 1_000,
    namespace: randomNamespace(),
    clock: new TestClock(),
    onError: () => {},
    ...overrides,
  };
}

async function closeAdapter(adapter: AdapterUnderTest): Promise<void> {
  const results = await Promise.allSettled([
    adapter.sessionStore?.close(),
    adapter.eventStore?.close(),
    adapter.bus?.close(),
    adapter.claimStore?.close(),
  ]);
  await adapter.dispose?.();
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

/**
 * Registers tests for a suite, each in its own world, bounded in time and closed afterwards.
 */
export function testRegistrar(api: TestApi, factory: AdapterFactory, options: SuiteOptions) {
  const timeoutMs = options.testTimeoutMs ?? 20_000;
  return function test(
    name: string,
    body: (world: TestWorld) => Promise<void>,
    overrides: ContextOverrides = {},
  ): void {
    if (options.exclude && name in options.exclude) return;
    api.it(name, async () => {
      const clock = new TestClock();
      const reported: SessionStoreError[] = [];
      const ctx = suiteContext({ ...overrides, clock, onError: (error) => reported.push(error) });
      const opened: AdapterUnderTest[] = [];
      const world: TestWorld = {
        ctx,
        clock,
        reported,
        async open(limits = {}) {
          const adapter = await factory({ ...ctx, ...limits, namespace: ctx.namespace });
          opened.push(adapter);
          return adapter;
        },
        async openOtherNamespace() {
          const adapter = await factory({ ...ctx, namespace: randomNamespace() });
          opened.push(adapter);
          return adapter;
        },
      };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`test did not finish within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([body(world), timeout]);
      } finally {
        clearTimeout(timer);
        // Close in reverse order of opening, so shared resources go last.
        for (const adapter of opened.reverse()) await closeAdapter(adapter);
      }
    });
  };
}

/** Fails clearly when the adapter did not provide the component a suite needs. */
export function required<T>(component: T | undefined, what: string): T {
  if (component === undefined) {
    assert.fail(`the adapter factory returned no ${what}; run only the suites the adapter implements`);
  }
  return component;
}

/**
 * Asserts what every component's `capabilities` must say whatever the adapter: its npm package name
 * (what users see in reports and errors) and, when present, a known `clock` and `delivery` (the
 * suites read them to decide how to test expiry and delivery).
 */
export function assertDeclaredAdapter(
  capabilities: { adapter: string; clock?: string; delivery?: string },
  what: string,
): void {
  assert.match(
    capabilities.adapter,
    /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/,
    `${what}.capabilities.adapter must be the adapter's package name`,
  );
  if ('clock' in capabilities) {
    assert.ok(
      capabilities.clock === 'injectable' || capabilities.clock === 'backend',
      `${what}.capabilities.clock must be injectable or backend, got ${String(capabilities.clock)}`,
    );
  }
  if ('delivery' in capabilities) {
    assert.ok(
      capabilities.delivery === 'at-most-once' || capabilities.delivery === 'at-least-once',
      `${what}.capabilities.delivery must be at-most-once or at-least-once, got ${String(capabilities.delivery)}`,
    );
  }
}
