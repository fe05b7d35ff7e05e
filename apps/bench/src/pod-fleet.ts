// Bench pods as processes of their own (bench-pod.ts), and the balancers in front of them.
import { join } from 'node:path';
import { type PodClusterHandle, startPodCluster, startRoundRobinBalancer } from '@mcp-session-store/testing';

/** The running pods and balancers; `stop` ends every one of them, whatever failed. */
export class Fleet {
  private readonly stops: Array<() => Promise<void>> = [];

  /** `pods` copies of bench-pod.ts with `env` (VARIANT, STORE, ...), behind a round-robin balancer. */
  async cluster(pods: number, env: Record<string, string>): Promise<PodClusterHandle> {
    const cluster = await startPodCluster({
      // --expose-gc: a pod's /memory reading follows a full GC.
      command: [
        process.execPath,
        '--expose-gc',
        '--import',
        'tsx',
        join(import.meta.dirname, 'bench-pod.ts'),
      ],
      pods,
      env,
      // A dozen pods compile their TypeScript at once on a small, shared machine.
      readyTimeoutMs: 120_000,
    });
    this.stops.push(() => cluster.stop());
    return cluster;
  }

  async affinityBalancer(cluster: PodClusterHandle): Promise<string> {
    const balancer = await startRoundRobinBalancer(
      cluster.pods.map((pod) => pod.url),
      { affinity: 'session' },
    );
    this.stops.push(() => balancer.stop());
    return balancer.url;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.stops.map((stop) => stop()));
  }
}

/** Starts every cluster at once; throws the first failure (the fleet stops whatever did start). */
export async function startAll(
  fleet: Fleet,
  specs: ReadonlyArray<readonly [pods: number, env: Record<string, string>]>,
): Promise<PodClusterHandle[]> {
  const started = await Promise.allSettled(specs.map(([pods, env]) => fleet.cluster(pods, env)));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return started.map((result) => (result as PromiseFulfilledResult<PodClusterHandle>).value);
}
