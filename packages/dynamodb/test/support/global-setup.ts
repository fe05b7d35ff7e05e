// Jest global setup: one DynamoDB Local for every test file; its endpoint goes to DYNAMODB_ENDPOINT
// (inherited by the workers and by the processes the tests spawn).
import type { DynamoDBLocalHandle } from './dynamodb-local.js';

// Global setup files get no moduleNameMapper, so `./x.js` would not find the `.ts` file: require it.
const { startDynamoDBLocal } = require('./dynamodb-local') as typeof import('./dynamodb-local.js');

export default async function globalSetup(): Promise<void> {
  const local = await startDynamoDBLocal();
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
  (globalThis as { __dynamodbLocal?: DynamoDBLocalHandle }).__dynamodbLocal = local;
}
