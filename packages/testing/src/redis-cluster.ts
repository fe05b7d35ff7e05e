import { findExecutable } from './find-executable.js';
import { freePorts } from './free-port.js';
import { OutputTail } from './output-tail.js';
import { spawnTracked } from './process-cleanup.js';
import { type RedisServerHandle, startRedisServer } from './redis-server.js';
import { sendRedisCommand } from './resp.js';

const HOST = '127.0.0.1';
const MIN_MASTERS = 3;
const CREATE_TIMEOUT_MS = 20_000;
const READY_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 100;
const TOTAL_SLOTS = 16_384;
const REDIS_CLI_INSTALL_HINT =
  'Install it, e.g. `apt-get install redis-server` (brings redis-tools) or `brew install redis` (macOS).';

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** How many master nodes share the 16384 slots; at least 3 (a `redis-cli` rule). Default 3. */
  masters?: number | undefined;
}

/** Address of one cluster node, as clients should be given it (nodes announce 127.0.0.1). */
export interface RedisClusterNode {
  readonly host: string;
  readonly port: number;
}

/** A running Redis Cluster made of local `redis-server` processes, without replicas. */
export interface RedisClusterHandle {
  /** The master nodes, e.g. as `rootNodes` for a cluster client. */
  readonly nodes: RedisClusterNode[];
  /** The node processes, in the order of `nodes`: kill or restart one in fault tests. */
  readonly servers: readonly RedisServerHandle[];
  /** Stops every node and removes their temp dirs. Safe to call more than once. */
  stop(): Promise<void>;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function runRedisCli(binary: string, args: readonly string[]): Promise<void> {
  const output = new OutputTail();
  const child = spawnTracked(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  output.follow(child.stdout);
  output.follow(child.stderr);
  let timer: NodeJS.Timeout | undefined;
  const result = await new Promise<string | undefined>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(`timed out after ${CREATE_TIMEOUT_MS} ms`);
    }, CREATE_TIMEOUT_MS);
    child.once('error', (error) => resolve(`failed to spawn (${error.message})`));
    // 'close', not 'exit': the output must be fully read before it goes into an error message.
    child.once('close', (code, signal) =>
      resolve(code === 0 ? undefined : signal ? `was killed by ${signal}` : `exited with code ${code}`),
    );
  });
  clearTimeout(timer);
  if (result !== undefined) {
    throw new Error(`redis-cli ${args.join(' ')} ${result}. Output:\n${output}`);
  }
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

// The cluster is usable once every node agrees: state ok, knows all masters, all slots assigned.
async function clusterProblem(nodes: readonly RedisClusterNode[]): Promise<string | undefined> {
  for (const node of nodes) {
    let info: string;
    try {
      info = String(await sendRedisCommand(node, ['CLUSTER', 'INFO']));
    } catch (error) {
      return `${node.host}:${node.port}: ${(error as Error).message}`;
    }
    const state = infoField(info, 'cluster_state');
    const known = infoField(info, 'cluster_known_nodes');
    const slots = infoField(info, 'cluster_slots_assigned');
    if (state !== 'ok' || known !== String(nodes.length) || slots !== String(TOTAL_SLOTS)) {
      return `${node.host}:${node.port}: cluster_state:${state} cluster_known_nodes:${known} cluster_slots_assigned:${slots}`;
    }
  }
  return undefined;
}

async function waitClusterReady(nodes: readonly RedisClusterNode[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const problem = await clusterProblem(nodes);
    if (problem === undefined) return;
    if (Date.now() >= deadline) {
      throw new Error(`Redis Cluster not ready within ${READY_TIMEOUT_MS} ms; last seen ${problem}`);
    }
    await delay(POLL_INTERVAL_MS);
  }
}

/**
 * Starts a real Redis Cluster on 127.0.0.1: `masters` `redis-server` processes in cluster mode
 * (each with its own temp dir, free client and bus ports, node timeout 2 s), joined with
 * `redis-cli --cluster create` (no replicas), and resolves once `CLUSTER INFO` on every node
 * reports `cluster_state:ok`, every node known and all 16384 slots assigned.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster();
 * afterAll(() => cluster.stop());
 * const client = createCluster({ rootNodes: cluster.nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) });
 * ```
 * @param options - number of masters.
 * @returns the node addresses and a `stop()` for all of them.
 * @throws Error when `redis-server` or `redis-cli` is missing (with install instructions), when
 * `masters` is below 3, or when the cluster is not ready within the deadlines (20 s to create,
 * 15 s to converge).
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? MIN_MASTERS;
  if (!Number.isSafeInteger(masters) || masters < MIN_MASTERS) {
    throw new RangeError(`startRedisCluster: masters must be an integer >= ${MIN_MASTERS}, got ${masters}`);
  }
  const redisCli = findExecutable('redis-cli', REDIS_CLI_INSTALL_HINT);
  // Client and bus ports are picked together so they are all distinct. An explicit bus port
  // (`--cluster-port`) avoids the default port + 10000, which may be taken or above 65535.
  const ports = await freePorts(masters * 2);
  const started = await Promise.allSettled(
    Array.from({ length: masters }, (_, i) =>
      startRedisServer({
        port: ports[i]!,
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
          '--cluster-port',
          String(ports[masters + i]!),
          '--cluster-announce-ip',
          HOST,
        ],
      }),
    ),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    const nodes = servers.map((server) => ({ host: server.host, port: server.port }));
    await runRedisCli(redisCli, [
      '--cluster',
      'create',
      ...nodes.map((node) => `${node.host}:${node.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitClusterReady(nodes);
    return { nodes, servers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
