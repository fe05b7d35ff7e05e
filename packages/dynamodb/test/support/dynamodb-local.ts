// The DynamoDB Local harness lives in @mcp-session-store/testing (the demo and benchmarks use it too).
export {
  type DynamoDBLocalHandle,
  startDynamoDBLocal,
} from '@mcp-session-store/testing';
