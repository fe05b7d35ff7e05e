import type { DynamoDBLocalHandle } from './dynamodb-local.js';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __dynamodbLocal?: DynamoDBLocalHandle }).__dynamodbLocal?.stop();
}
