declare module '*/conformance-factory.mjs' {
  import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
  import type { AdapterFactory } from '@mcp-session-store/core/conformance';
  export function localClient(endpoint?: string): DynamoDBClient;
  export function deleteNamespace(client: DynamoDBClient, namespace: string): Promise<string[]>;
  const factory: AdapterFactory;
  export default factory;
}
