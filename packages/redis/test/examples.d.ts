declare module '*/conformance-factory.mjs' {
  import type { AdapterFactory } from '@mcp-session-store/core/conformance';
  import type { Cluster, Redis } from 'ioredis';
  export function createFactory(connect: () => Redis | Cluster, where?: string): AdapterFactory;
  export function deleteKeys(redis: Redis | Cluster, prefix: string): Promise<string[]>;
  export function testPrefix(namespace: string): string;
  const factory: AdapterFactory;
  export default factory;
}
