// Test pods (pod-main.ts) over the Redis service, under a key prefix of their own that is removed
// afterwards: what the multi-process tests share.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type PodClusterHandle, startPodCluster } from '@mcp-session-store/testing';
import { Redis } from 'ioredis';
import type { SdkMajor } from './sdk-major.js';

/** The Redis the pods use: `REDIS_URL`, or the local service. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Where the test pod's entry point is, for `startPodCluster` commands. */
export const POD_MAIN = join(__dirname, 'pod-main.ts');

/**
 * Starts `pods` test pods over Redis behind the round-robin balancer, their servers built on SDK
 * major `sdk`, their keys under a fresh prefix named after `name`. `stop()` stops them and deletes every key under that prefix.
 *
 * @example
 * ```ts
 * let cluster: PodClusterHandle;
 * beforeAll(async () => (cluster = await startRedisPodCluster('security')), 60_000);
 * afterAll(() => cluster?.stop());
 * ```
 */
export async function startRedisPodCluster(
  name: string,
  pods = 3,
  sdk: SdkMajor = 1,
): Promise<PodClusterHandle> {
  const keyPrefix = `mcpss-test:${name}-${randomBytes(4).toString('hex')}:`;
  const cluster = await startPodCluster({
    command: [process.execPath, '--import', 'tsx', POD_MAIN],
    pods,
    env: { REDIS_URL, KEY_PREFIX: keyPrefix, SDK_MAJOR: String(sdk) },
  });
  return {
    url: cluster.url,
    balancer: cluster.balancer,
    pods: cluster.pods,
    kill: (index) => cluster.kill(index),
    restart: (index) => cluster.restart(index),
    output: (index) => cluster.output(index),
    async stop() {
      await cluster.stop();
      await deleteRedisKeys(keyPrefix);
    },
  };
}

/** Deletes every key of the Redis at `REDIS_URL` under `prefix`: a test's clean-up. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
