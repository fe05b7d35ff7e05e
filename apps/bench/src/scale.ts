// Scale: many stored sessions. Store get+touch latency with an almost empty keyspace against one
// holding N sessions (both present at once, samples interleaved), backend memory per idle session,
// and process memory per live session in a pod (router against the stock SDK, same run).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SessionStore } from '@mcp-session-store/core';
import { createMcpSessionRouter } from '@mcp-session-store/core/router';
import { createTable, DynamoDBSessionStore, DynamoKeys } from '@mcp-session-store/dynamodb';
import { MemoryBackend, MemoryMessageBus, MemorySessionStore } from '@mcp-session-store/memory';
import { migrate, PostgresSessionStore } from '@mcp-session-store/postgres';
import { RedisKeys, RedisSessionStore } from '@mcp-session-store/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { BACKEND_LABELS, dynamodbClient, newBenchSession, type SharedBackend } from './backends.js';
import { createBenchServer } from './bench-server.js';
import { forEachConcurrent } from './concurrency.js';
import type { BenchContext, SectionResult } from './context.js';
import { openSession } from './mcp-http.js';
import { type Served, serveStock } from './servers.js';
import { fmt, median, percentile, table } from './stats.js';

/** Sessions in the "almost empty" keyspace. */
const SMALL = 100;
const FILL_CONCURRENCY = 64;
/** Sessions sampled for per-key memory (Redis MEMORY USAGE, DynamoDB item size). */
const MEMORY_SAMPLE = 200;
const KEY_PREFIX = 'bench-scale:';
const NAMESPACE = 'bench-scale';

async function fill(store: SessionStore, count: number, log?: (line: string) => void): Promise<string[]> {
  const ids: string[] = [];
  const step = Math.max(100_000, Math.ceil(count / 10));
  await forEachConcurrent(Array.from({ length: count }), FILL_CONCURRENCY, async () => {
    ids.push((await store.create(newBenchSession())).id);
    if (ids.length % step === 0 && ids.length < count) log?.(`  scale: ${fmt(ids.length)} of ${fmt(count)}`);
  });
  return ids;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

function sample<T>(items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

/** Named sizes in bytes (e.g. `used_memory`), as a backend reports them. */
type Footprint = Record<string, number>;

/** One memory figure for idle sessions in a backend. */
interface MemoryRow {
  what: string;
  bytesPerSession: number;
}

/**
 * One backend with two keyspaces that never share a structure (Redis databases, PostgreSQL schemas,
 * DynamoDB tables): `small` holds {@link SMALL} sessions, `large` holds N.
 */
interface Subject {
  readonly backend: SharedBackend;
  readonly n: number;
  readonly small: SessionStore;
  readonly large: SessionStore;
  /** Where the two keyspaces live, for the method text. */
  readonly layout: string;
  /** Sizes the backend reports for the large keyspace, read before and after the fill. */
  footprint(): Promise<Footprint>;
  /** Per-session memory figures once `ids` are stored. */
  memory(ids: readonly string[], before: Footprint, after: Footprint): Promise<MemoryRow[]>;
  /** Settles the backend after the fill (e.g. VACUUM ANALYZE), so no maintenance runs mid-measurement. */
  settle(): Promise<void>;
  /** Deletes the data and closes every client. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

async function redisSubject(ctx: BenchContext, n: number): Promise<Subject> {
  // Databases 1 and 2 of the run's own redis-server: one dictionary each, so "almost empty" is real.
  const smallClient = new Redis(ctx.redisUrl, { db: 1 });
  const largeClient = new Redis(ctx.redisUrl, { db: 2 });
  const small = new RedisSessionStore({ redis: smallClient, keyPrefix: KEY_PREFIX });
  const large = new RedisSessionStore({ redis: largeClient, keyPrefix: KEY_PREFIX });
  const keys = new RedisKeys(KEY_PREFIX);
  return {
    backend: 'redis',
    n,
    small,
    large,
    layout: 'databases 1 and 2 of the same redis-server',
    async footprint() {
      const info = await largeClient.info('memory');
      return { used: Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN) };
    },
    async memory(ids, before, after) {
      const usages: number[] = [];
      for (const id of sample(ids, MEMORY_SAMPLE)) {
        usages.push((await largeClient.memory('USAGE', keys.session(id))) ?? Number.NaN);
      }
      return [
        {
          what: `MEMORY USAGE of the record hash, mean of ${usages.length} keys`,
          bytesPerSession: usages.reduce((a, b) => a + b, 0) / usages.length,
        },
        {
          what: 'INFO used_memory delta / N (key, hash, expiry, dictionary growth)',
          bytesPerSession: (after.used! - before.used!) / n,
        },
      ];
    },
    async settle() {},
    async close() {
      try {
        for (const client of [smallClient, largeClient]) {
          let cursor = '0';
          do {
            const [next, found] = await client.scan(cursor, 'MATCH', `${KEY_PREFIX}*`, 'COUNT', 1000);
            if (found.length > 0) await client.unlink(...found);
            cursor = next;
          } while (cursor !== '0');
        }
      } finally {
        await Promise.allSettled([small.close(), large.close()]);
        smallClient.disconnect();
        largeClient.disconnect();
      }
    },
  };
}

async function postgresSubject(ctx: BenchContext, n: number): Promise<Subject> {
  const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 10 });
  pool.on('error', () => {});
  // Two schemas of their own: a table that really is almost empty, sizes no other section touches.
  const schemas = { small: 'bench_scale_small', large: 'bench_scale_large' };
  try {
    await migrate(pool, { schema: schemas.small });
    await migrate(pool, { schema: schemas.large });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const small = new PostgresSessionStore({ pool, schema: schemas.small });
  const large = new PostgresSessionStore({ pool, schema: schemas.large });
  const sessions = large.names.sessions;
  const size = async (fn: string) => {
    const { rows } = await pool.query<{ bytes: string }>(`SELECT ${fn}($1::regclass) AS bytes`, [sessions]);
    return Number(rows[0]!.bytes);
  };
  return {
    backend: 'postgres',
    n,
    small,
    large,
    layout: `schemas \`${schemas.small}\` and \`${schemas.large}\` of the same database (migrate() in each)`,
    async footprint() {
      return { total: await size('pg_total_relation_size'), heap: await size('pg_relation_size') };
    },
    async memory(_ids, before, after) {
      return [
        {
          what: 'pg_total_relation_size delta / N (table, TOAST, indexes)',
          bytesPerSession: (after.total! - before.total!) / n,
        },
        {
          what: 'of which the table heap (pg_relation_size delta / N)',
          bytesPerSession: (after.heap! - before.heap!) / n,
        },
      ];
    },
    async settle() {
      await pool.query(`VACUUM ANALYZE ${small.names.sessions}`);
      await pool.query(`VACUUM ANALYZE ${sessions}`);
      // Flush the fill's dirty pages now rather than in a checkpoint during the measurement.
      await pool.query('CHECKPOINT').catch(() => {});
    },
    async close() {
      try {
        for (const schema of Object.values(schemas))
          await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await Promise.allSettled([small.close(), large.close()]);
        await pool.end();
      }
    },
  };
}

/** DynamoDB's size of an attribute value: UTF-8 bytes of a string, ~1 byte per 2 digits + 1 of a number. */
function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) {
    const digits = value.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  throw new Error('item size: unexpected attribute type');
}

/** An item's size as DynamoDB bills it: attribute names plus values. */
function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + valueSize(value),
    0,
  );
}

async function dynamodbSubject(ctx: BenchContext, n: number): Promise<Subject> {
  const client: DynamoDBClient = dynamodbClient(ctx);
  // Two tables of their own: DeleteTable afterwards is the cheap clean-up.
  const tables = { small: 'mcp-bench-scale-small', large: 'mcp-bench-scale-large' };
  try {
    await createTable(client, { tableName: tables.small });
    await createTable(client, { tableName: tables.large });
  } catch (error) {
    client.destroy();
    throw error;
  }
  const small = new DynamoDBSessionStore({ client, tableName: tables.small, namespace: NAMESPACE });
  const large = new DynamoDBSessionStore({ client, tableName: tables.large, namespace: NAMESPACE });
  const keys = new DynamoKeys(NAMESPACE);
  return {
    backend: 'dynamodb',
    n,
    small,
    large,
    layout: `tables \`${tables.small}\` and \`${tables.large}\` of the same DynamoDB Local`,
    // DynamoDB Local's storage says nothing about DynamoDB's: the size is computed per item instead.
    footprint: async () => ({}),
    async memory(ids) {
      const sizes: number[] = [];
      for (const id of sample(ids, MEMORY_SAMPLE)) {
        const out = await client.send(
          new GetItemCommand({
            TableName: tables.large,
            Key: { pk: { S: keys.session(id) }, sk: { S: 'rec' } },
            ConsistentRead: true,
          }),
        );
        if (out.Item) sizes.push(itemSize(out.Item));
      }
      const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
      return [
        {
          what: `item size, computed from attribute names and values, mean of ${sizes.length} items`,
          bytesPerSession: mean,
        },
        {
          what: 'storage: item size + 100 bytes of per-item index overhead (as AWS bills storage)',
          bytesPerSession: mean + 100,
        },
      ];
    },
    async settle() {},
    async close() {
      try {
        for (const table of Object.values(tables)) {
          await client.send(new DeleteTableCommand({ TableName: table }));
        }
      } finally {
        await Promise.allSettled([small.close(), large.close()]);
        client.destroy();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------

interface LatencyRow {
  backend: SharedBackend;
  n: number;
  smallP50: number;
  largeP50: number;
  ratioP50: number;
  smallP99: number;
  largeP99: number;
  ratioP99: number;
  samples: number;
  /** Creates per second while filling. */
  fillRate: number;
}

/** One get then one touch of `id`, in ms. */
async function getTouch(store: SessionStore, id: string): Promise<number> {
  const start = performance.now();
  if (!(await store.get(id))) throw new Error('scale: a stored session read as absent');
  if (!(await store.touch(id))) throw new Error('scale: a stored session could not be touched');
  return performance.now() - start;
}

async function measureBackend(
  ctx: BenchContext,
  backend: SharedBackend,
): Promise<{ latency: LatencyRow; memory: MemoryRow[]; layout: string }> {
  // DynamoDB gets fewer: see the method text.
  const n = backend === 'dynamodb' ? (ctx.quick ? 2_000 : 20_000) : ctx.quick ? 10_000 : 1_000_000;
  const rounds = ctx.quick ? 3 : 5;
  // DynamoDB Local answers in milliseconds: fewer samples keep the section short.
  const perRound = backend === 'dynamodb' ? (ctx.quick ? 120 : 200) : 200;
  const subject =
    backend === 'redis'
      ? await redisSubject(ctx, n)
      : backend === 'postgres'
        ? await postgresSubject(ctx, n)
        : await dynamodbSubject(ctx, n);
  try {
    const smallIds = await fill(subject.small, SMALL);
    const before = await subject.footprint();
    const started = performance.now();
    const largeIds = await fill(subject.large, n, ctx.log);
    const seconds = (performance.now() - started) / 1000;
    ctx.log(`  scale: ${backend} filled ${fmt(n)} sessions in ${fmt(seconds, 1)} s (${fmt(n / seconds)}/s)`);
    const memory = await subject.memory(largeIds, before, await subject.footprint());
    await subject.settle();
    // Warm-up on both sides (connections, JIT), then interleaved samples: the two keyspaces take
    // turns, sample by sample, the order alternating, so noise lands on both alike.
    for (let i = 0; i < 20; i++) {
      await getTouch(subject.small, pick(smallIds));
      await getTouch(subject.large, pick(largeIds));
    }
    const perRoundFigures: Array<{ s50: number; l50: number; s99: number; l99: number }> = [];
    for (let round = 0; round < rounds; round++) {
      const smallMs: number[] = [];
      const largeMs: number[] = [];
      for (let i = 0; i < perRound; i++) {
        if (i % 2 === 0) {
          smallMs.push(await getTouch(subject.small, pick(smallIds)));
          largeMs.push(await getTouch(subject.large, pick(largeIds)));
        } else {
          largeMs.push(await getTouch(subject.large, pick(largeIds)));
          smallMs.push(await getTouch(subject.small, pick(smallIds)));
        }
      }
      perRoundFigures.push({
        s50: percentile(smallMs, 0.5),
        l50: percentile(largeMs, 0.5),
        s99: percentile(smallMs, 0.99),
        l99: percentile(largeMs, 0.99),
      });
    }
    const med = (f: (r: (typeof perRoundFigures)[number]) => number) => median(perRoundFigures.map(f));
    return {
      latency: {
        backend,
        n,
        smallP50: med((r) => r.s50),
        largeP50: med((r) => r.l50),
        ratioP50: med((r) => r.l50 / r.s50),
        smallP99: med((r) => r.s99),
        largeP99: med((r) => r.l99),
        ratioP99: med((r) => r.l99 / r.s99),
        samples: perRound,
        fillRate: n / seconds,
      },
      memory,
      layout: subject.layout,
    };
  } finally {
    await subject.close();
  }
}

// ---------------------------------------------------------------------------------------------

interface PodMemory {
  variant: string;
  sessions: number;
  /** heapUsed + external, per live session, in KiB. */
  kibPerSession: number;
  heapKib: number;
  externalKib: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function settledMemory(): Promise<{ heap: number; external: number }> {
  // Twice, with a turn of the event loop between: finalizers and weak references get to run.
  for (let i = 0; i < 2; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, external } = process.memoryUsage();
  return { heap: heapUsed, external };
}

async function openSessions(endpoint: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  await forEachConcurrent(Array.from({ length: count }), 8, async () => {
    ids.push(await openSession(endpoint));
  });
  return ids;
}

/** Opens `count` sessions on `served` and measures what they cost this process. */
async function podMemory(variant: string, served: Served, count: number): Promise<PodMemory> {
  const endpoint = served.endpoints[0]!;
  // Warm-up: lazily built state (JIT, HTTP connection pools, SDK modules) is not per session.
  await openSessions(endpoint, 50);
  const before = await settledMemory();
  // The ids stay referenced until the reading: they are the client's share, and tiny.
  const ids = await openSessions(endpoint, count);
  const after = await settledMemory();
  if (ids.length !== count) throw new Error('scale: sessions did not open');
  const heap = after.heap - before.heap;
  const external = after.external - before.external;
  return {
    variant,
    sessions: count,
    kibPerSession: (heap + external) / count / 1024,
    heapKib: heap / count / 1024,
    externalKib: external / count / 1024,
  };
}

/** A router on in-memory store and bus, on its own node:http server. */
async function serveRouter(): Promise<Served> {
  const backend = new MemoryBackend();
  const store = new MemorySessionStore({ backend });
  const bus = new MemoryMessageBus({ backend });
  const router = createMcpSessionRouter({
    store,
    bus,
    processId: 'bench-scale',
    createServer: () => createBenchServer(),
    keepAliveMs: 0,
  });
  const server: Server = createServer((req, res) => void router.handle(req, res));
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  } catch (error) {
    await router.close({ deadlineMs: 1_000 });
    await Promise.allSettled([store.close(), bus.close()]);
    throw error;
  }
  return {
    endpoints: [`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`],
    async close() {
      try {
        await router.close({ deadlineMs: 1_000 });
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled([store.close(), bus.close()]);
      }
    },
  };
}

async function measurePods(ctx: BenchContext): Promise<PodMemory[]> {
  const count = ctx.quick ? 500 : 2_000;
  const results: PodMemory[] = [];
  for (const [variant, serve] of [
    ['router (ours), in-memory store and bus', serveRouter],
    ['stock SDK (a Map of transports)', () => serveStock()],
  ] as const) {
    ctx.log(`  scale: ${fmt(count)} live sessions, ${variant}`);
    const served = await serve();
    try {
      results.push(await podMemory(variant, served, count));
    } finally {
      await served.close();
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------

export async function runScale(ctx: BenchContext): Promise<SectionResult> {
  const latency: LatencyRow[] = [];
  const memory: Array<{ backend: SharedBackend; rows: MemoryRow[] }> = [];
  const layouts: string[] = [];
  for (const backend of ['redis', 'postgres', 'dynamodb'] as const) {
    const started = performance.now();
    ctx.log(`  scale: ${backend}`);
    const result = await measureBackend(ctx, backend);
    latency.push(result.latency);
    memory.push({ backend, rows: result.memory });
    layouts.push(`${BACKEND_LABELS[backend]}: ${result.layout}`);
    ctx.log(`  scale: ${backend} done in ${fmt((performance.now() - started) / 1000, 1)} s`);
  }
  const pods = await measurePods(ctx);
  const rounds = ctx.quick ? 3 : 5;
  const ms = (v: number) => fmt(v, v < 10 ? 2 : 1);
  const latencyTable = table(
    [
      'backend',
      'N',
      `p50 ms, ${SMALL} stored`,
      'p50 ms, N stored',
      'p50 ratio',
      `p99 ms, ${SMALL} stored`,
      'p99 ms, N stored',
      'p99 ratio',
    ],
    latency.map((r) => [
      BACKEND_LABELS[r.backend],
      fmt(r.n),
      ms(r.smallP50),
      ms(r.largeP50),
      `${fmt(r.ratioP50, 2)}×`,
      ms(r.smallP99),
      ms(r.largeP99),
      `${fmt(r.ratioP99, 2)}×`,
    ]),
  );
  const memoryTable = table(
    ['backend', 'N', 'figure', 'bytes per idle session'],
    memory.flatMap((m) =>
      m.rows.map((row) => [
        BACKEND_LABELS[m.backend],
        fmt(latency.find((l) => l.backend === m.backend)!.n),
        row.what,
        fmt(row.bytesPerSession),
      ]),
    ),
  );
  const podTable = table(
    ['pod', 'live sessions', 'KiB per live session (heap + external)', 'heap', 'external'],
    pods.map((p) => [
      p.variant,
      fmt(p.sessions),
      fmt(p.kibPerSession, 1),
      fmt(p.heapKib, 1),
      fmt(p.externalKib, 1),
    ]),
  );
  const [router, stock] = pods as [PodMemory, PodMemory];
  const gcNote = gc
    ? 'with `global.gc()` forced (twice) before each reading'
    : '**without a forced GC** (node ran without `--expose-gc`): the figures include garbage not yet collected';
  const dynamoN = latency.find((l) => l.backend === 'dynamodb')!.n;
  const largeN = latency.find((l) => l.backend === 'redis')!.n;
  const dynamoRate = latency.find((l) => l.backend === 'dynamodb')!.fillRate;
  const markdown = `Method: on each backend, two keyspaces that share no structure hold sessions at the same time: one with ${SMALL} sessions ("almost empty") and one with N (${layouts.join('; ')}). They are filled through the store's \`create\` (${FILL_CONCURRENCY} in flight). N is ${fmt(largeN)} on Redis and PostgreSQL and **${fmt(dynamoN)} on DynamoDB**: DynamoDB Local (a Java process over SQLite, not DynamoDB's partitioned storage) filled at ${fmt(dynamoRate)} creates/s in this run, so a million would take ${fmt(1_000_000 / dynamoRate / 60)} minutes, and its flatness at any N would say nothing about DynamoDB, whose GetItem and UpdateItem by key do not depend on the table's size by design. Fill rates in this run: ${latency.map((l) => `${BACKEND_LABELS[l.backend]} ${fmt(l.fillRate)} creates/s`).join(', ')}. Latency is one \`get\` then one \`touch\` of a session picked at random, one at a time, the two keyspaces taking turns sample by sample (order alternating); ${rounds} rounds of ${fmt(latency[0]!.samples)} samples per keyspace (${fmt(latency.find((l) => l.backend === 'dynamodb')!.samples)} on DynamoDB); the figures are medians over the rounds of each round's percentile, and the ratios medians of the per-round ratios. With so few samples a round, p99 is a round's second- or third-slowest sample: one pause of the backend's process moves it, so read p50 for flatness and p99 for outliers. Rehydrating a session on another process reads it with exactly this \`get\` (the server built around it does not depend on N), so this is also what rehydration costs at scale. PostgreSQL tables are VACUUM ANALYZEd and a CHECKPOINT taken after the fill. Records are what the router stores for an unauthenticated session. All of it is deleted afterwards (SCAN + UNLINK, DROP SCHEMA, DeleteTable).

### Store get + touch: almost empty against N stored sessions

${latencyTable}

### Backend memory per idle session

Redis: MEMORY USAGE of ${MEMORY_SAMPLE} random record keys (\`<prefix>{<id>}\`, one hash per session), and the growth of INFO \`used_memory\` over the fill divided by N. PostgreSQL: growth of \`pg_total_relation_size\` of the sessions table over the fill, divided by N. DynamoDB: **computed**, not measured (DynamoDB Local's storage is not DynamoDB's): the billed item size of ${MEMORY_SAMPLE} random items read back with GetItem (UTF-8 bytes of attribute names and string values, about one byte per two digits plus one for numbers).

${memoryTable}

### Memory per live session in a pod

A pod serving live sessions: in this process, the router (\`createMcpSessionRouter\`, in-memory store and bus on one MemoryBackend, the bench's echo server) on a node:http server, then the stock SDK's documented pattern (one \`StreamableHTTPServerTransport\` and server per session in a Map) the same way. After 50 warm-up sessions, ${fmt(router.sessions)} sessions are opened (initialize + initialized); \`heapUsed + external\` is read before and after, ${gcNote}, and the growth is divided by the number of sessions. The router's figure includes the in-memory store's copy of each record (a backend pod would hold it in Redis, PostgreSQL or DynamoDB instead) and the client side of this benchmark (the session ids it keeps).

${podTable}`;
  const flat = latency
    .map(
      (r) =>
        `${BACKEND_LABELS[r.backend]} p50 ${fmt(r.ratioP50, 2)}× / p99 ${fmt(r.ratioP99, 2)}× at ${fmt(r.n)}`,
    )
    .join(', ');
  const idle = memory
    .map(
      (m) =>
        `${BACKEND_LABELS[m.backend]} ~${fmt(m.rows[0]!.bytesPerSession)} B${m.backend === 'dynamodb' ? ' (computed item size)' : ''}`,
    )
    .join(', ');
  return {
    id: 'scale',
    title: 'Scale: many stored sessions',
    markdown,
    headlines: [
      `Store get+touch latency with N stored sessions against an almost empty keyspace (same run, interleaved): ${flat}.`,
      `Backend memory per idle session: ${idle}.`,
      `Memory per live session in a pod: ${fmt(router.kibPerSession, 1)} KiB behind the router against ${fmt(stock.kibPerSession, 1)} KiB for the stock SDK (${fmt(router.kibPerSession / stock.kibPerSession, 2)}×, same run${gc ? '' : ', GC not forced'}).`,
    ],
    chart: {
      title: 'Store get+touch latency, N stored sessions / almost empty (p50 and p99)',
      unit: '×',
      bars: latency.flatMap((r) => [
        { label: `${r.backend} p50`, value: r.ratioP50 },
        { label: `${r.backend} p99`, value: r.ratioP99 },
      ]),
    },
  };
}
