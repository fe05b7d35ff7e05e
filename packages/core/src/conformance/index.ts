/**
 * The shared conformance suites: every adapter, ours or a third party's, proves itself with them.
 * Runner-agnostic (pass your runner's `describe`/`it`), or run them with no framework through
 * {@link ConformanceRunner} or the `mcp-session-store-conformance` CLI.
 *
 * @packageDocumentation
 */
import type { ClaimStore } from '../contract/claim-store.js';
import type { EventStoreFactory } from '../contract/event-store.js';
import type { MessageBus } from '../contract/message-bus.js';
import type { SessionStore } from '../contract/session-store.js';
import { claimStoreSuite } from './claim-store-suite.js';
import { eventStoreSuite } from './event-store-suite.js';
import { messageBusSuite } from './message-bus-suite.js';
import { sessionStoreSuite } from './session-store-suite.js';
import { stateHandleSuite } from './state-handle-suite.js';
import type { AdapterFactory, SuiteOptions, TestApi } from './types.js';

export { claimStoreSuite, INVALID_CLAIM_KEYS, INVALID_CLAIM_TTLS } from './claim-store-suite.js';
export { eventStoreSuite } from './event-store-suite.js';
export { randomNamespace, suiteContext } from './helpers.js';
export { messageBusSuite } from './message-bus-suite.js';
export { ConformanceRunner, type TestResult } from './runner.js';
export {
  INVALID_SESSION_IDS,
  sampleSession,
  sessionStoreSuite,
  UPDATE_AT_SIZE_LIMIT,
} from './session-store-suite.js';
export { stateHandleSuite } from './state-handle-suite.js';
export type {
  AdapterFactory,
  AdapterFactoryContext,
  AdapterInspector,
  AdapterUnderTest,
  SuiteOptions,
  TestApi,
} from './types.js';

/** The suites by name, as the CLI's `--suite` takes them. */
export const SUITES = {
  sessions: sessionStoreSuite,
  events: eventStoreSuite,
  bus: messageBusSuite,
  claims: claimStoreSuite,
  handles: stateHandleSuite,
} as const satisfies Record<string, (api: TestApi, factory: AdapterFactory, options?: SuiteOptions) => void>;

/** A suite name. */
export type SuiteName = keyof typeof SUITES;

/** What an adapter provides, to pick the suites that apply. */
export interface ProvidedComponents {
  sessionStore?: SessionStore | undefined;
  eventStore?: EventStoreFactory | undefined;
  bus?: MessageBus | undefined;
  claimStore?: ClaimStore | undefined;
}

/** The suites that apply to the components an adapter provides. */
export function suitesFor(components: ProvidedComponents): SuiteName[] {
  const names: SuiteName[] = [];
  if (components.sessionStore) names.push('sessions');
  if (components.eventStore) names.push('events');
  if (components.bus) names.push('bus');
  if (components.claimStore) names.push('claims');
  // State handles are built on the session store: they apply wherever there is one.
  if (components.sessionStore) names.push('handles');
  return names;
}
