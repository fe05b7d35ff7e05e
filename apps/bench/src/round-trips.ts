// Round trips per MCP request: a steady stream of tools/call on established sessions, two pods in
// round robin, counted (not timed), so no noise can fake them:
// - Redis: its own counters. MONITOR sees each command a client sends (script-internal commands
//   are marked `lua` and left out: a script is one round trip); INFO commandstats counts every
//   command executed, script-internal ones included.
// - PostgreSQL: statements sent, counted on every client of the pg.Pool the adapters share.
// - DynamoDB: requests sent, counted by an AWS SDK middleware, by operation.
// Against them: a re-implementation of the original proposal's Redis store algorithm. Then the
// event store alone, one event at a time with the same counters: round trips per priming event
// (the SDK's `{}`, never written) and per stored event.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type EventStoreFactory, isPrimingEvent } from '@mcp-session-store/core';
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
const SHARED = ['redis', 'postgres', 'dynamodb'] as const satisfies readonly SharedBackend[];
const CONCURRENCY = 8;

interface Counted {
  variant: string;
  backend: SharedBackend;
  /** Round trips (requests/statements/commands sent) per tools/call, by kind. */
  perRequest: Record<string, number>;
  /** Redis only: commands executed per tools/call, script-internal included. */
  executed?: Record<string, number>;
  /** With the event store: the events the SDK handed it per tools/call (priming `{}` and messages). */
  sdkEvents?: { priming: number; messages: number };
}

/** What the event store alone costs per event, one at a time (nothing else runs on that backend). */
interface EventCost {
  backend: SharedBackend;
  /** Round trips per call, by kind, for each kind of event. */
  priming: Record<string, number>;
  newStream: Record<string, number>;
  getStream: Record<string, number>;
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

/**
 * Counts statements sent through `pool`, by verb, on its clients: `pool.query` runs `client.query`
 * on a pooled client, so counting at the client counts every statement once (the pool must have
 * no client yet).
 */
function countStatements(pool: pg.Pool, counts: { on: boolean; by: Record<string, number> }): void {
  const verb = (args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    const first = (text ?? '?').trim().split(/\s+/)[0]!.toLowerCase();
    // A statement that opens with a CTE is named by it: say so rather than print a bare "with".
    return first === 'with' ? 'with (CTE)' : first;
  };
  if (pool.totalCount > 0) throw new Error('countStatements needs a pool with no client yet');
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
  const sdkEvents = { on: false, priming: 0, messages: 0 };
  const served = await serveRouters(2, (i) => ({
    store: adapters[i]!.store,
    ...(withEvents && { eventStore: tallyingEventStore(adapters[i]!.eventStore, sdkEvents) }),
    bus: adapters[i]!.bus,
  }));
  try {
    const ids = await warmSessions(served);
    await redis?.start();
    counts.on = true;
    sdkEvents.on = true;
    await steadyCalls(served, ids, requests);
    counts.on = false;
    sdkEvents.on = false;
    const redisCounts = await redis?.stop();
    return {
      variant,
      backend,
      perRequest: divide(redisCounts ? redisCounts.sent : counts.by, requests),
      ...(redisCounts && { executed: divide(redisCounts.executed, requests) }),
      ...(withEvents && {
        sdkEvents: { priming: sdkEvents.priming / requests, messages: sdkEvents.messages / requests },
      }),
    };
  } finally {
    await served.close();
    redis?.close();
    for (const a of adapters) await a.close();
  }
}

/** `events`, counting what the SDK hands it to store while `tally.on`: priming events and messages. */
function tallyingEventStore(
  events: EventStoreFactory,
  tally: { on: boolean; priming: number; messages: number },
): EventStoreFactory {
  return {
    capabilities: events.capabilities,
    forSession(sessionId) {
      const inner = events.forSession(sessionId);
      return {
        sessionId: inner.sessionId,
        storeEvent(streamId, message) {
          if (tally.on) {
            if (isPrimingEvent(message)) tally.priming++;
            else tally.messages++;
          }
          return inner.storeEvent(streamId, message);
        },
        tailEventId: (streamId) => inner.tailEventId(streamId),
        getStreamIdForEventId: (eventId) => inner.getStreamIdForEventId(eventId),
        replayEventsAfter: (lastEventId, options) => inner.replayEventsAfter(lastEventId, options),
        follow: (lastEventId, options) => inner.follow(lastEventId, options),
      };
    },
    purgeSession: (sessionId) => events.purgeSession(sessionId),
    close: () => events.close(),
  };
}

const EVENTS_PER_KIND = 200;
const SAMPLE_MESSAGE = {
  jsonrpc: '2.0',
  id: 1,
  result: { content: [{ type: 'text', text: 'x' }] },
};

/**
 * The event store alone on `backend` (its bus closed, so nothing else sends anything), one event at
 * a time on one session, counted like the rest: priming events on new streams (what the SDK writes
 * when a POST opens its stream), a message on a new stream each (a POST's response), and messages
 * appended to the GET stream (server-initiated notifications).
 */
async function measureEventCosts(ctx: BenchContext, backend: SharedBackend): Promise<EventCost> {
  const counts = { on: false, by: {} as Record<string, number> };
  const a = await adaptersFor(ctx, backend, `bench-rt-${backend}-event-costs`);
  if (a.driver.pool) countStatements(a.driver.pool, counts);
  if (a.driver.dynamodb) countRequests(a.driver.dynamodb, counts);
  await a.bus.close();
  const redis = backend === 'redis' ? await redisCounters(ctx.redisUrl) : undefined;
  const store = a.eventStore.forSession(`bench-event-costs-${backend}-${Date.now()}`);
  const count = async (write: (n: number) => Promise<unknown>): Promise<Record<string, number>> => {
    await write(-1); // the GET stream's first event is not its steady state
    await redis?.start();
    counts.by = {};
    counts.on = true;
    for (let n = 0; n < EVENTS_PER_KIND; n++) await write(n);
    counts.on = false;
    const redisCounts = await redis?.stop();
    return divide(redisCounts ? redisCounts.sent : counts.by, EVENTS_PER_KIND);
  };
  try {
    return {
      backend,
      priming: await count((n) => store.storeEvent(`post-priming-${n}`, {})),
      newStream: await count((n) => store.storeEvent(`post-response-${n}`, SAMPLE_MESSAGE)),
      getStream: await count(() => store.storeEvent('_GET_stream', SAMPLE_MESSAGE)),
    };
  } finally {
    redis?.close();
    await a.close();
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
  for (const backend of SHARED) {
    for (const withEvents of [false, true]) {
      ctx.log(`  round trips: ${backend}, ${withEvents ? 'with' : 'without'} event store`);
      results.push(await measureRouters(ctx, backend, withEvents, requests));
    }
  }
  ctx.log('  round trips: the proposal algorithm on Redis');
  const proposal = await measureProposal(ctx, requests);
  results.push(proposal);
  const costs: EventCost[] = [];
  for (const backend of SHARED) {
    ctx.log(`  round trips: ${backend}, the event store alone, per event`);
    costs.push(await measureEventCosts(ctx, backend));
  }

  const rows = results.map((r) => [
    r.backend,
    r.variant,
    fmt(sum(r.perRequest), 2),
    breakdown(r.perRequest),
    r.sdkEvents ? `${fmt(r.sdkEvents.priming, 2)} + ${fmt(r.sdkEvents.messages, 2)}` : '',
    r.executed ? fmt(sum(r.executed), 2) : '',
  ]);
  const costRows = costs.map((c) => [
    c.backend,
    `${fmt(sum(c.priming), 2)} (${breakdown(c.priming)})`,
    `${fmt(sum(c.newStream), 2)} (${breakdown(c.newStream)})`,
    `${fmt(sum(c.getStream), 2)} (${breakdown(c.getStream)})`,
  ]);
  const find = (backend: SharedBackend, withEvents: boolean) =>
    results.find(
      (r) =>
        r.backend === backend &&
        r.variant === (withEvents ? 'ours: store + bus + event store' : 'ours: store + bus'),
    )!;
  const ours = find('redis', false);
  const oursEvents = find('redis', true);
  const bySession = (backend: SharedBackend) => sum(find(backend, false).perRequest);
  const resumable = (backend: SharedBackend) => sum(find(backend, true).perRequest);
  const primingWrites = Math.max(...costs.map((c) => sum(c.priming)));
  const markdown = `Method: ${SESSIONS} established sessions, each already served once by both pods; then ${fmt(requests)} \`tools/call\` requests, alternating the two pods (round robin, no affinity), ${CONCURRENCY} in flight. Counted, not timed: Redis commands a client sent (MONITOR; commands run inside a Lua script are not round trips and are left out; the last column is INFO commandstats, everything Redis executed), PostgreSQL statements sent on the pg.Pool's connections, DynamoDB requests sent (AWS SDK middleware), divided by the number of requests. The DynamoDB bus polls its inbox every 50 ms whatever the traffic: its \`Query\` calls are included. "SDK events" is what the SDK handed the event store per request: priming events (\`{}\`, one per POST stream, for clients of protocol 2025-11-25 and later) + messages (the response).

The proposal row is **a re-implementation of the original proposal's Redis store algorithm** (upstream PR #1193: an existence check, then the activity update as GET followed by SETEX, on every request), run in one stock SDK process, written for this comparison.

${table(['backend', 'variant', 'round trips / request', 'by command', 'SDK events / request (priming + messages)', 'Redis commands executed / request'], rows)}

Session state costs no round trip per request on a session in use: a pod that holds the session answers from memory, refreshes the expiry at most once per quarter of the idle TTL, and learns of deletions over the bus. A session a pod has released (idle over \`localIdleMs\`, 10 min by default, or evicted by its LRU) costs one store read and a rehydration on its next request there (see [Rehydration latency](#rehydration)); a session whose requests come further apart than a quarter of its TTL costs a touch each time. The event store (resumable streams) costs one round trip per stored event, and nothing for the SDK's priming event: its id is derived from the session and stream ids (it stands for the start of the stream), so a \`tools/call\` whose stream holds its response costs one round trip; the proposal offers no resumability at all.

The event store alone, per event: ${fmt(EVENTS_PER_KIND)} events of each kind, one at a time, on one session of a fresh event store whose bus is closed (nothing else sends anything), counted the same way; the GET stream already holds an event when counting starts. On DynamoDB a stream's first event is one \`PutItem\` (of the stream's head, which holds it), each later one a \`TransactWriteItems\` (the head and the event; a stream over its cap also drops its oldest event in it); a pod's first append to a stream another pod wrote costs one more, refused, request.

${table(['backend', 'priming event (`{}`)', 'message on a new stream (a response)', 'message on the GET stream'], costRows)}`;
  return {
    id: 'round-trips',
    title: 'Round trips per MCP request',
    markdown,
    headlines: [
      `Round trips per tools/call for session state: ${fmt(bySession('redis'), 2)} on Redis, ${fmt(bySession('postgres'), 2)} on PostgreSQL, ${fmt(bySession('dynamodb'), 2)} on DynamoDB (bus polling included), against ${fmt(sum(proposal.perRequest), 2)} for the original proposal's algorithm (re-implemented, same run); with resumable streams: ${fmt(resumable('redis'), 2)} on Redis, ${fmt(resumable('postgres'), 2)} on PostgreSQL, ${fmt(resumable('dynamodb'), 2)} on DynamoDB (bus polling included); the event store alone, per stored event: ${costs.map((c) => `${fmt(sum(c.newStream), 2)} (${c.backend})`).join(', ')}; per priming event: ${fmt(primingWrites, 2)} on every backend.`,
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
