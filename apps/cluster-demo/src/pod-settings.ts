// What a demo pod reads from its environment besides the backend (see env-backend): which SDK major
// it serves with, how long it keeps idle sessions, how many it keeps, how long it keeps serving
// after SIGTERM, whether it exports OpenTelemetry metrics and traces (`pnpm demo --serve`), and the
// soak self-test's deliberate leak. Parsed in one place, with errors that name the variable, so the
// soak and the tests can set them and a typo fails loudly instead of running with a default.

import { DEFAULT_SDK, parseSdkMajor, type SdkMajor } from './sdk-major.js';

/** Environment variables a demo pod reads (all optional). */
export const POD_ENV = {
  /** `1`: the SDK 1.x router and example server; `2`: SDK v2's (`--sdk` of the demo). */
  sdk: 'DEMO_SDK',
  /** Milliseconds a pod keeps a session no request or stream has used (router `localIdleMs`). */
  localIdleMs: 'DEMO_LOCAL_IDLE_MS',
  /** The most sessions a pod keeps in memory (router `maxLocalSessions`). */
  maxLocalSessions: 'DEMO_MAX_LOCAL_SESSIONS',
  /**
   * Milliseconds a pod keeps serving after SIGTERM, not ready, before it drains
   * (`createGracefulShutdown`'s `graceMs`): the balancer's time to take it out.
   */
  shutdownGraceMs: 'DEMO_SHUTDOWN_GRACE_MS',
  /**
   * Bytes the pod retains, never to free, for every MCP request it serves: a deliberate leak, for
   * the soak's self-test that its memory criterion catches one. Never set outside that test.
   */
  injectedLeakBytesPerRequest: 'SOAK_INJECT_LEAK_BYTES_PER_REQUEST',
  /**
   * `1`: serve `GET /debug/memory`, which runs two full garbage collections and answers the memory
   * still in use (see memory-probe.ts). For the soak, which samples it; off by default, since a
   * forced collection pauses the pod.
   */
  memoryProbe: 'SOAK_MEMORY_PROBE',
  /**
   * `1`: register the OpenTelemetry SDK before the router is created (pod-telemetry.ts): metrics
   * served to Prometheus on the pod's port in DEMO_METRICS_PORTS, traces to DEMO_TRACES_FILE if set.
   * `pnpm demo --serve` sets it.
   */
  telemetry: 'DEMO_TELEMETRY',
  /** Each pod's Prometheus port on 127.0.0.1, by pod name: `pod-0=9464,pod-1=9465`. */
  metricsPorts: 'DEMO_METRICS_PORTS',
  /**
   * A file every pod appends its spans to, as OpenTelemetry's `ConsoleSpanExporter` prints them,
   * each line after the pod's name (`pnpm demo --serve --traces`, which prints it as it grows).
   */
  tracesFile: 'DEMO_TRACES_FILE',
} as const;

export interface PodSettings {
  sdk: SdkMajor;
  localIdleMs: number;
  maxLocalSessions: number;
  shutdownGraceMs: number;
  /** 0 unless the soak's self-test injects a leak. */
  injectedLeakBytesPerRequest: number;
  memoryProbe: boolean;
  telemetry: boolean;
  /** Pod name to Prometheus port; empty unless telemetry is on. */
  metricsPorts: Readonly<Record<string, number>>;
  /** Empty: no traces. */
  tracesFile: string;
}

/**
 * The demo's defaults. Each live session holds its own McpServer (the example server registers the
 * conformance suite's ~40 tools, resources and prompts: ~100 KiB). Any pod brings a session back
 * from the store in a few ms, so pods let go of idle ones after a minute and keep at most 2 000:
 * memory stays bounded however many clients abandon their sessions without a DELETE.
 */
export const DEFAULT_POD_SETTINGS: Readonly<PodSettings> = {
  sdk: DEFAULT_SDK,
  localIdleMs: 60_000,
  maxLocalSessions: 2_000,
  // 20 readiness probes of the demo's balancer (every 100 ms, cluster.ts): it has taken the pod out.
  shutdownGraceMs: 2_000,
  injectedLeakBytesPerRequest: 0,
  memoryProbe: false,
  telemetry: false,
  metricsPorts: {},
  tracesFile: '',
};

function integer(env: NodeJS.ProcessEnv, name: string, min: number, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new Error(`${name} must be 1 or 0, got ${JSON.stringify(raw)}`);
}

/** `pod-0=9464,pod-1=9465` as a map; throws naming the variable on anything else. */
function portsByPod(env: NodeJS.ProcessEnv, name: string): Record<string, number> {
  const raw = env[name];
  const ports: Record<string, number> = {};
  if (raw === undefined || raw === '') return ports;
  for (const entry of raw.split(',')) {
    const [pod, port, extra] = entry.split('=');
    const value = Number(port);
    if (!pod || extra !== undefined || !Number.isInteger(value) || value < 1 || value > 65_535) {
      throw new Error(`${name} must read pod-0=PORT,pod-1=PORT,..., got ${JSON.stringify(raw)}`);
    }
    ports[pod] = value;
  }
  return ports;
}

/** Reads a pod's settings from `env`; throws an Error naming the variable on a bad value. */
export function podSettingsFromEnv(env: NodeJS.ProcessEnv): PodSettings {
  const sdk = env[POD_ENV.sdk];
  return {
    sdk: sdk === undefined || sdk === '' ? DEFAULT_SDK : parseSdkMajor(sdk, POD_ENV.sdk),
    localIdleMs: integer(env, POD_ENV.localIdleMs, 1, DEFAULT_POD_SETTINGS.localIdleMs),
    maxLocalSessions: integer(env, POD_ENV.maxLocalSessions, 1, DEFAULT_POD_SETTINGS.maxLocalSessions),
    shutdownGraceMs: integer(env, POD_ENV.shutdownGraceMs, 0, DEFAULT_POD_SETTINGS.shutdownGraceMs),
    injectedLeakBytesPerRequest: integer(env, POD_ENV.injectedLeakBytesPerRequest, 0, 0),
    memoryProbe: flag(env, POD_ENV.memoryProbe),
    telemetry: flag(env, POD_ENV.telemetry),
    metricsPorts: portsByPod(env, POD_ENV.metricsPorts),
    tracesFile: env[POD_ENV.tracesFile] ?? '',
  };
}

/** The environment that gives a pod `settings` (only what differs from the defaults). */
export function podSettingsEnv(settings: Partial<PodSettings>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of Object.keys(POD_ENV) as Array<keyof PodSettings>) {
    const value = settings[key];
    if (value === undefined || value === DEFAULT_POD_SETTINGS[key]) continue;
    if (typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length > 0) env[POD_ENV[key]] = entries.map(([pod, port]) => `${pod}=${port}`).join(',');
    } else env[POD_ENV[key]] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  }
  return env;
}
