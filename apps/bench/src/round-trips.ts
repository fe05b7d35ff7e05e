// Round trips per MCP request: a steady stream of tools/call on established sessions, two pods in
// round robin, counted (not timed), so no noise can fake them:
// - Redis: its own counters. MONITOR sees each command a client sends (script-internal commands
//   are marked `lua` and left out: a script is one round trip); INFO commandstats counts every
//   command executed, script-internal ones included.
// - PostgreSQL: statements sent, counted at the pg.Pool the adapters share.
// - DynamoDB: requests sent, counted by an AWS SDK middleware, by operation.
// Against them: a re-implementation of the original proposal's Redis store algorithm.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { type Adapters, adaptersFor, type SharedBackend } from './backends.js';
import { forEachConcurrent } from './concurrency.js';
import type { BenchContext, SectionResult } from './context.js';
import { callEcho, openSession } from './mcp-http.js';
import { ProposalRedisStore } from './proposal-redis-store.js';
import { type Served, serveRouters, serveStock } from './servers.js';
import { fmt, table } from './stats.js';

const SESSIONS = 16;
const CONCURRENCY = 8;

interface Counted {
  variant: string;
  backend: SharedBackend;
  /** Round trips (requests/statements/commands sent) per tools/call, by kind. */
  perRequest: Record<string, number>;
  /** Redis only: commands executed per tools/call, script-internal included. */
  executed?: Record<string, number>;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const divide = (counts: Record<string, number>, n: number) =>
  Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / n]));
const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Sessions opened and warmed on every endpoint (rehydration is measured in its own section). */
async function warmSessions(served: Served): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < SESSIONS; i++) ids.push(await openSession(served.endpoints[0]!));
  let id = 1_000_000;
  for (const sessionId of ids)
    for (const endpoint of served.endpoints) await callEcho(endpoint, sessionId, id++);
  return ids;
}

/** `requests` calls, alternating endpoints (round robin), CONCURRENCY in flight. */
async function steadyCalls(served: Served, sessionIds: string[], requests: number): Promise<void> {
  const calls = Array.from({ length: requests }, (_, n) => n);
  await forEachConcurrent(calls, CONCURRENCY, (n) =>
    callEcho(served.endpoints[n % served.endpoints.length]!, sessionIds[n % sessionIds.length]!, n + 1),
  );
}

/** Redis: commands sent (MONITOR, scripts' own excluded) and executed (commandstats). */
async function redisCounters(redisUrl: string) {
  const admin = new Redis(redisUrl);
  // monitor() opens a connection of its own; `admin` stays the one that sends commands.
  const monitor = await admin.monitor();
  let sent: Record<string, number> = {};
  let counting = false;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (counting && source !== 'lua') bump(sent, String(args[0]).toLowerCase());
  });
  return {
    async start() {
      await admin.config('RESETSTAT');
      sent = {};
      counting = true;
    },
    async stop(): Promise<{ sent: Record<string, number>; executed: Record<string, number> }> {
      counting = false;
      const executed: Record<string, number> = {};
      for (const m of (await admin.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        if (m[1] !== 'info' && !m[1]!.startsWith('config')) executed[m[1]!] = Number(m[2]);
      }
      return { sent: { ...sent }, executed };
    },
    close() {
      monitor.disconnect();
      admin.disconnect();
    },
  };
}

/** Counts statements sent through `pool` (pool.query and checked-out clients' query), by verb. */
function countStatements(pool: pg.Pool, counts: { on: boolean; by: Record<string, number> }): void {
  const verb = (args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    const first = (text ?? '?').trim().split(/\s+/)[0]!.toLowerCase();
    // A statement that opens with a CTE is named by it: say so rather than print a bare "with".
    return first === 'with' ? 'with (CTE)' : first;
  };
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    if (counts.on) bump(counts.by, verb(args));
    return query(...args);
  };
  pool.on('connect', (client) => {
    const clientQuery = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
      if (counts.on) bump(counts.by, verb(args));
      return clientQuery(...args);
    };
  });
}

/** Counts requests sent by `client`, by operation. */
function countRequests(client: DynamoDBClient, counts: { on: boolean; by: Record<string, number> }): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (counts.on) bump(counts.by, String(context.commandName ?? '?').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
}

async function measureRouters(
  ctx: BenchContext,
  backend: SharedBackend,
  withEvents: boolean,
  requests: number,
): Promise<Counted> {
  const variant = withEvents ? 'ours: store + bus + event store' : 'ours: store + bus';
  const namespace = `bench-rt-${backend}-${withEvents ? 'ev' : 'no-ev'}`;
  const adapters: Adapters[] = [];
  const counts = { on: false, by: {} as Record<string, number> };
  for (let i = 0; i < 2; i++) {
    const a = await adaptersFor(ctx, backend, namespace);
    if (a.driver.pool) countStatements(a.driver.pool, counts);
    if (a.driver.dynamodb) countRequests(a.driver.dynamodb, counts);
    adapters.push(a);
  }
  const redis = backend === 'redis' ? await redisCounters(ctx.redisUrl) : undefined;
  const served = await serveRouters(2, (i) => ({
    store: adapters[i]!.store,
    ...(withEvents && { eventStore: adapters[i]!.eventStore }),
    bus: adapters[i]!.bus,
  }));
  try {
    const ids = await warmSessions(served);
    await redis?.start();
    counts.on = true;
    await steadyCalls(served, ids, requests);
    counts.on = false;
    const redisCounts = await redis?.stop();
    return {
      variant,
      backend,
      perRequest: divide(redisCounts ? redisCounts.sent : counts.by, requests),
      ...(redisCounts && { executed: divide(redisCounts.executed, requests) }),
    };
  } finally {
    await served.close();
    redis?.close();
    for (const a of adapters) await a.close();
  }
}

async function measureProposal(ctx: BenchContext, requests: number): Promise<Counted> {
  const redis = new Redis(ctx.redisUrl);
  const counters = await redisCounters(ctx.redisUrl);
  const served = await serveStock(new ProposalRedisStore(redis, 'bench-rt-proposal:'));
  try {
    const ids = await warmSessions(served);
    await counters.start();
    await steadyCalls(served, ids, requests);
    const { sent, executed } = await counters.stop();
    return {
      variant: 'original proposal algorithm (re-implementation)',
      backend: 'redis',
      perRequest: divide(sent, requests),
      executed: divide(executed, requests),
    };
  } finally {
    await served.close();
    counters.close();
    redis.disconnect();
  }
}

const breakdown = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${fmt(v, 2)}`)
    .join(', ') || 'none';

export async function runRoundTrips(ctx: BenchContext): Promise<SectionResult> {
  const requests = ctx.quick ? 400 : 2_000;
  const results: Counted[] = [];
  for (const backend of ['redis', 'postgres', 'dynamodb'] as const) {
    for (const withEvents of [false, true]) {
      ctx.log(`  round trips: ${backend}, ${withEvents ? 'with' : 'without'} event store`);
      results.push(await measureRouters(ctx, backend, withEvents, requests));
    }
  }
  ctx.log('  round trips: the proposal algorithm on Redis');
  const proposal = await measureProposal(ctx, requests);
  results.push(proposal);

  const rows = results.map((r) => [
    r.backend,
    r.variant,
    fmt(sum(r.perRequest), 2),
    breakdown(r.perRequest),
    r.executed ? fmt(sum(r.executed), 2) : '',
  ]);
  const ours = results.find((r) => r.backend === 'redis' && r.variant === 'ours: store + bus')!;
  const oursEvents = results.find(
    (r) => r.backend === 'redis' && r.variant !== ours.variant && r.variant.startsWith('ours'),
  )!;
  const bySession = (backend: SharedBackend) =>
    sum(results.find((r) => r.backend === backend && r.variant === 'ours: store + bus')!.perRequest);
  const markdown = `Method: ${SESSIONS} established sessions, each already served once by both pods; then ${fmt(requests)} \`tools/call\` requests, alternating the two pods (round robin, no affinity), ${CONCURRENCY} in flight. Counted, not timed: Redis commands a client sent (MONITOR; commands run inside a Lua script are not round trips and are left out; the last column is INFO commandstats, everything Redis executed), PostgreSQL statements sent through the pg.Pool, DynamoDB requests sent (AWS SDK middleware), divided by the number of requests. The DynamoDB bus polls its inbox every 50 ms whatever the traffic: its \`Query\` calls are included.

The proposal row is **a re-implementation of the original proposal's Redis store algorithm** (upstream PR #1193: an existence check, then the activity update as GET followed by SETEX, on every request), run in one stock SDK process, written for this comparison.

${table(['backend', 'variant', 'round trips / request', 'by command', 'Redis commands executed / request'], rows)}

Session state costs no round trip per request on a session in use: a pod that holds the session answers from memory, refreshes the expiry at most once per quarter of the idle TTL, and learns of deletions over the bus. A session a pod has released (idle over \`localIdleMs\`, 10 min by default, or evicted by its LRU) costs one store read and a rehydration on its next request there (see [Rehydration latency](#rehydration)); a session whose requests come further apart than a quarter of its TTL costs a touch each time. The event store (resumable streams) writes each SSE event the SDK emits, a priming event and the response, so its cost is per event, not per session lookup; the proposal offers no resumability at all.`;
  return {
    id: 'round-trips',
    title: 'Round trips per MCP request',
    markdown,
    headlines: [
      `Round trips per tools/call for session state: ${fmt(bySession('redis'), 2)} on Redis, ${fmt(bySession('postgres'), 2)} on PostgreSQL, ${fmt(bySession('dynamodb'), 2)} on DynamoDB (bus polling included), against ${fmt(sum(proposal.perRequest), 2)} for the original proposal's algorithm (re-implemented, same run); with resumable streams on Redis: ${fmt(sum(oursEvents.perRequest), 2)}.`,
    ],
    chart: {
      title: 'Round trips per tools/call (Redis)',
      unit: 'round trips',
      bars: [
        { label: 'ours: store + bus', value: sum(ours.perRequest) },
        { label: 'ours: + event store', value: sum(oursEvents.perRequest) },
        { label: 'proposal (re-impl.)', value: sum(proposal.perRequest) },
      ],
    },
  };
}
