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
