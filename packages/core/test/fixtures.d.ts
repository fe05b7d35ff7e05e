// Types of the plain-JS fixtures (they are .mjs so the CLI can load them without a TS loader).
declare module '*/reference-store.mjs' {
  import type { AdapterFactory, AdapterFactoryContext } from '../src/conformance/index.js';
  import type { SessionStore } from '../src/index.js';
  export class ReferenceSessionStore implements SessionStore {
    constructor(ctx: AdapterFactoryContext);
  }
  export interface ReferenceSessionStore extends SessionStore {}
  export function referenceFactory(wrap?: (store: SessionStore) => SessionStore): AdapterFactory;
}
declare module '*/broken-stores.mjs' {
  import type { SessionStore } from '../src/index.js';
  export const BROKEN_STORES: Record<string, new (base: SessionStore) => SessionStore>;
}
declare module '*/reference-claim-store.mjs' {
  import type { AdapterFactory, AdapterFactoryContext } from '../src/conformance/index.js';
  import type { ClaimStore, ClaimStoreCapabilities } from '../src/index.js';
  export class ReferenceClaimStore implements ClaimStore {
    constructor(
      ctx: Pick<AdapterFactoryContext, 'namespace' | 'clock'>,
      clock?: ClaimStoreCapabilities['clock'],
      nativeTtl?: boolean,
    );
    readonly capabilities: ClaimStoreCapabilities;
    claim(key: string, ttlMs: number): Promise<boolean>;
    close(): Promise<void>;
    /** The remaining TTL of the claim on `key`, or null. */
    ttlOf(key: string): number | null;
  }
  export function referenceClaimFactory(options?: {
    clock?: ClaimStoreCapabilities['clock'];
    Store?: typeof ReferenceClaimStore;
    readBack?: boolean;
  }): AdapterFactory;
}
declare module '*/broken-claim-stores.mjs' {
  import type { ReferenceClaimStore } from './fixtures/reference-claim-store.mjs';
  export const BROKEN_CLAIM_STORES: Record<string, typeof ReferenceClaimStore>;
}
declare module '*/reference-event-store.mjs' {
  import type { AdapterFactory, AdapterFactoryContext } from '../src/conformance/index.js';
  import type { EventStoreFactory } from '../src/index.js';
  export class ReferenceEventStore {
    constructor(ctx: AdapterFactoryContext);
  }
  export interface ReferenceEventStore extends EventStoreFactory {}
  export function referenceEventFactory(Store?: typeof ReferenceEventStore): AdapterFactory;
}
declare module '*/broken-event-stores.mjs' {
  import type { ReferenceEventStore } from './fixtures/reference-event-store.mjs';
  export const BROKEN_EVENT_STORES: Record<string, typeof ReferenceEventStore>;
}
