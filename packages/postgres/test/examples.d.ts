declare module '*/conformance-factory.mjs' {
  import type { AdapterFactory } from '@mcp-session-store/core/conformance';
  import type { Pool } from 'pg';
  export const DATABASE_URL: string;
  export function createFactory(connectionString?: string): AdapterFactory;
  export function dropSchema(pool: Pool, schema: string): Promise<void>;
  export function testSchema(namespace: string): string;
  const factory: AdapterFactory;
  export default factory;
}
