/**
 * `@mcp-session-store/testing`: start real backends (Redis, Redis Cluster, PostgreSQL, DynamoDB Local) and clusters of HTTP
 * pods behind a balancer for tests on free ports, and make sure they die with the test process.
 *
 * @packageDocumentation
 */
export {
  DYNAMODB_LOCAL_CREDENTIALS,
  type DynamoDBLocalHandle,
  type DynamoDBLocalOptions,
  startDynamoDBLocal,
} from './dynamodb-local.js';
export { type EmbeddedPostgresServer, startEmbeddedPostgres } from './embedded-postgres.js';
export { freePort, freePorts } from './free-port.js';
export { type LatencyProxyHandle, startLatencyProxy } from './latency-proxy.js';
export {
  type PodClusterHandle,
  type PodClusterOptions,
  type PodHandle,
  startPodCluster,
} from './pod-cluster.js';
export {
  killTrackedChildProcesses,
  registerExitCleanup,
  registerTempDir,
  spawnTracked,
  trackChildProcess,
} from './process-cleanup.js';
export {
  type RedisClusterHandle,
  type RedisClusterNode,
  type RedisClusterOptions,
  startRedisCluster,
} from './redis-cluster.js';
export { type RedisServerHandle, type RedisServerOptions, startRedisServer } from './redis-server.js';
export { pingRedis, type RedisAddress, RedisReplyError, type RespValue, sendRedisCommand } from './resp.js';
export {
  type BalancerFailure,
  type BalancerHandle,
  type BalancerOptions,
  type BalancerStats,
  startRoundRobinBalancer,
} from './round-robin-balancer.js';
export { messagesOf, readEvents, type SseEvent } from './sse-reader.js';
