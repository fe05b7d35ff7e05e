declare module '*/conformance-factory.mjs' {
  import type { AdapterFactory } from '@mcp-session-store/core/conformance';

  const factory: AdapterFactory;
  export default factory;
}
