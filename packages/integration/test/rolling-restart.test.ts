// A rolling deploy as Kubernetes runs one, under traffic: pods serving both protocol eras
// (createMcpDualEraHandler, pod-main.ts with POD_ERAS=both) over Redis, behind a balancer that
// health-checks /readyz and retries nothing but a refused connection. Every pod in turn gets
// SIGTERM while it is still in the balancer (its own failing readiness probe takes it out), drains
// (createGracefulShutdown), exits and is started again; for several rounds. Meanwhile the SDKs'
// real clients keep working: 2025 sessions (SDK 1.x's and v2's clients: calls, progress,
// elicitation, notifications on the GET stream) and 2026-07-28 clients (calls, progress,
// multi-round-trip elicitation, listen streams fed by a publisher on the shared event bus).
// It must lose nothing: no failed request, no connection reset before an answer, no answer cut,
// every 2025 notification delivered, no gap inside a listen stream, every pod exiting by itself.
//
// CI runs it short (2 rounds over 3 pods). The long run, whose figures the README reports:
//   pnpm --filter @mcp-session-store/integration rolling-restart:long
// ROLLING_ROUNDS, ROLLING_PODS, ROLLING_SESSION_CLIENTS (per SDK major), ROLLING_LISTEN_CLIENTS set
// the size; ROLLING_REPORT=<file> writes the figures as JSON.
import { writeFileSync } from 'node:fs';
import { createServerEventBus, type SharedServerEventBus } from '@mcp-session-store/core';
import { RedisMessageBus } from '@mcp-session-store/redis';
import { type PodClusterHandle, startPodCluster } from '@mcp-session-store/testing';
import { Redis } from 'ioredis';
import { type BackendNamespace, backendNamespace } from '../src/backend-env.js';
import { POD_MAIN, REDIS_URL } from '../src/redis-pod-cluster.js';
import { CHANGE_SEQ_META, runListenClient } from '../src/rolling/listen-traffic.js';
import { runSessionClient, type TrafficContext } from '../src/rolling/session-traffic.js';
import { type ListenWindow, RollingTally } from '../src/rolling/tally.js';
import { waitUntil } from './support/wait-until.js';

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const ROUNDS = setting('ROLLING_ROUNDS', 2);
const PODS = setting('ROLLING_PODS', 3);
const SESSION_CLIENTS = setting('ROLLING_SESSION_CLIENTS', 2);
const LISTEN_CLIENTS = setting('ROLLING_LISTEN_CLIENTS', 3);
/** How often the balancer probes /readyz (a Kubernetes readiness probe's period, scaled down). */
const PROBE_INTERVAL_MS = 100;
/** The pods' grace period: many probe intervals, so the balancer has taken a pod out before it drains. */
const GRACE_MS = 2_000;
/** The drain deadline is the helper's default (10 s); a pod still running after this is SIGKILLed. */
const TERMINATION_GRACE_MS = GRACE_MS + 10_000 + 5_000;
/** The publisher's pace: one numbered change for every listen stream. */
const PUBLISH_EVERY_MS = 100;

interface Restart {
  pod: string;
  round: number;
  /** When it got SIGTERM, from the start of the traffic (`+12.3 s`, as failures are stamped). */
  signalledAt: string;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Requests the clients got answered while this pod was being replaced. */
  answeredMeanwhile: number;
  /** When the balancer stopped sending it requests, after its SIGTERM. */
  outOfBalancerAfterMs: number | undefined;
  /** From SIGTERM until the new process was back in the balancer. */
  tookMs: number;
}

let backend: BackendNamespace | undefined;
let cluster: PodClusterHandle | undefined;
let redis: Redis | undefined;
let bus: RedisMessageBus | undefined;
let events: SharedServerEventBus | undefined;
let publisher: NodeJS.Timeout | undefined;

afterAll(async () => {
  clearInterval(publisher);
  await cluster?.stop();
  await events?.close();
  await bus?.close();
  redis?.disconnect();
  await backend?.cleanUp();
});

test(
  `${ROUNDS} rounds of SIGTERM to each of ${PODS} pods under traffic of both eras: nothing is lost`,
  async () => {
    backend = await backendNamespace('redis', 'rolling');
    cluster = await startPodCluster({
      command: [process.execPath, '--import', 'tsx', POD_MAIN],
      pods: PODS,
      env: { ...backend.env, SDK_MAJOR: '2', POD_ERAS: 'both', SHUTDOWN_GRACE_MS: String(GRACE_MS) },
      readiness: { path: '/readyz', intervalMs: PROBE_INTERVAL_MS },
      terminationGraceMs: TERMINATION_GRACE_MS,
      readyTimeoutMs: 60_000,
    });
    const pods = cluster;
    // Numbered changes from one publisher, as a worker with no handler would announce them: one
    // connection, so every pod gets them in order.
    redis = new Redis(REDIS_URL);
    bus = new RedisMessageBus({ redis, keyPrefix: backend.env.KEY_PREFIX! });
    events = createServerEventBus({ bus });
    await events.ready();
    const tally = new RollingTally();
    let stopping = false;
    const ctx: TrafficContext = { url: `${pods.url}/mcp`, tally, stopping: () => stopping };
    publisher = setInterval(() => {
      tally.changesPublished++;
      events!.publish({
        kind: 'tools_list_changed',
        params: { _meta: { [CHANGE_SEQ_META]: tally.changesPublished } },
      });
    }, PUBLISH_EVERY_MS);

    const clients: Array<Promise<void>> = [];
    for (let i = 0; i < SESSION_CLIENTS; i++)
      clients.push(runSessionClient(1, ctx), runSessionClient(2, ctx));
    for (let i = 0; i < LISTEN_CLIENTS; i++) {
      const windows: ListenWindow[] = [];
      tally.listenWindows.push(windows);
      clients.push(runListenClient(ctx, windows));
    }
    const clientCount = clients.length;
    // Every client is under way before the first pod goes.
    await waitUntil(() => tally.answered >= 4 * clientCount, 'traffic from every client', {
      timeoutMs: 60_000,
    });

    const started = Date.now();
    const restarts: Restart[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (let index = 0; index < PODS; index++) {
        const pod = pods.pods[index]!;
        const answeredBefore = tally.answered;
        const signalled = Date.now();
        let outOfBalancerAfterMs: number | undefined;
        const watch = setInterval(() => {
          if (outOfBalancerAfterMs === undefined && !pods.balancer.routable().includes(pod.url)) {
            outOfBalancerAfterMs = Date.now() - signalled;
          }
        }, 10);
        // SIGTERM while still in the balancer; resolves once the new process is back in it.
        await pods.restart(index);
        clearInterval(watch);
        restarts.push({
          pod: pod.name,
          round,
          signalledAt: tally.at(signalled),
          exit: pod.lastExit,
          answeredMeanwhile: tally.answered - answeredBefore,
          outOfBalancerAfterMs,
          tookMs: Date.now() - signalled,
        });
      }
    }
    stopping = true;
    await Promise.all(clients);
    clearInterval(publisher);
    const durationMs = Date.now() - started;

    const figures = {
      rounds: ROUNDS,
      pods: PODS,
      clients: { session2025: 2 * SESSION_CLIENTS, modern2026: LISTEN_CLIENTS },
      durationMs,
      restarts: restarts.length,
      requests: tally.requests,
      failed: tally.failures.length,
      transportErrors: tally.transportErrors.length,
      balancer: { ...pods.balancer.stats, failures: undefined },
      sessions2025: tally.sessions,
      notifications2025: {
        sent: tally.sessionNotificationsSent,
        delivered: tally.sessionNotificationsDelivered,
        duplicated: tally.sessionNotificationsDuplicated,
      },
      changes2026: {
        published: tally.changesPublished,
        delivered: tally.changesDelivered,
        missingInsideStreams: tally.changesMissingInStreams.length,
        publishedWhileRelistening: tally.changesBetweenStreams,
        listenStreams: tally.listenWindows.flat().length,
        endedByServer: tally.listensEndedByServer,
      },
      restartTimings: restarts.map(
        ({ pod, round, signalledAt, outOfBalancerAfterMs, tookMs, answeredMeanwhile }) => ({
          pod,
          round,
          signalledAt,
          outOfBalancerAfterMs,
          tookMs,
          answeredMeanwhile,
        }),
      ),
    };
    console.log(`rolling restart: ${JSON.stringify(figures, null, 2)}`);
    if (process.env.ROLLING_REPORT)
      writeFileSync(process.env.ROLLING_REPORT, `${JSON.stringify(figures, null, 2)}\n`);

    // What a client could see: nothing.
    expect({
      failures: tally.failures,
      transportErrors: tally.transportErrors,
      resetBeforeAnswer: pods.balancer.stats.resetBeforeAnswer,
      cutMidAnswer: pods.balancer.stats.cutMidAnswer,
      unavailable: pods.balancer.stats.unavailable,
      balancerFailures: pods.balancer.stats.failures.map((f) => ({ ...f, at: tally.at(f.at) })),
      notificationsMissing2025: tally.sessionNotificationsMissing,
      changesMissingInsideListenStreams: tally.changesMissingInStreams,
      listenStreamsEndedWithoutResult: tally.listensEndedByServer.remote,
    }).toEqual({
      failures: [],
      transportErrors: [],
      resetBeforeAnswer: 0,
      cutMidAnswer: 0,
      unavailable: 0,
      balancerFailures: [],
      notificationsMissing2025: [],
      changesMissingInsideListenStreams: [],
      listenStreamsEndedWithoutResult: 0,
    });
    // Every pod drained and exited by itself, within its termination grace period.
    expect(restarts.filter((r) => r.exit?.code !== 0 || r.exit.signal !== null)).toEqual([]);
    // The test tested something: traffic during every restart, every kind of delivery exercised,
    // and listen streams ended by draining pods, each followed by a new one.
    expect(restarts.filter((r) => r.answeredMeanwhile === 0)).toEqual([]);
    expect(tally.sessionNotificationsDelivered).toBeGreaterThan(0);
    expect(tally.changesDelivered).toBeGreaterThan(0);
    expect(tally.listensEndedByServer.graceful).toBeGreaterThan(0);
  },
  (ROUNDS * PODS * 30 + 180) * 1_000,
);
