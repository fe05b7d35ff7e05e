// Store operations per adapter against the raw driver doing the nearest equivalent single command,
// on the same backend, the same data shape and the same client: what the adapter's validation,
// atomicity (scripts, conditions, CAS reads) and decoding cost in throughput.
import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { DEFAULT_IDLE_TTL_MS, type NewSession, type SessionStore } from '@mcp-session-store/core';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import {
  type Adapters,
  adaptersFor,
  BACKEND_LABELS,
  DYNAMODB_TABLE,
  newBenchSession,
  type SharedBackend,
} from './backends.js';
import { forEachConcurrent } from './concurrency.js';
import type { BenchContext, SectionResult } from './context.js';
import { fmt, median, table } from './stats.js';

const OPS = ['create', 'get', 'touch', 'CAS update'] as const;
type Op = (typeof OPS)[number];

/** One operation as run by one worker (0..CONCURRENCY-1). */
type Run = (worker: number) => Promise<void>;

/** One backend's operations, ours and raw, over sessions seeded beforehand. */
interface Subject {
  readonly backend: SharedBackend;
  readonly label: string;
  /** What the raw side sends for each operation, for the method text. */
  readonly baselines: Record<Op, string>;
  readonly ours: Record<Op, Run>;
  readonly raw: Record<Op, Run>;
  /** Cumulative backend CPU in µs (Redis INFO commandstats), where the backend reports it. */
  serverMicros?: () => Promise<number>;
  /** Removes what the measurements created. */
  cleanup(): Promise<void>;
}

const CONCURRENCY = 16;
/** Turns each side takes per round and operation. */
const SLICES = 3;
/** Sessions each side reads and touches (random pick); workers 0..15 also update their own one. */
const SEEDED = 64;
const NAMESPACE = 'bench-store-ops';
const RAW_PREFIX = 'bench-raw';

/** The record's content fields as JSON (what PostgreSQL's `data` column and DynamoDB's `data` hold). */
function contentOf(session: NewSession, metadata: Record<string, number>): Record<string, unknown> {
  return {
    protocolVersion: session.protocolVersion,
    clientInfo: session.clientInfo,
    clientCapabilities: session.clientCapabilities ?? {},
    logLevel: null,
    metadata,
  };
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** What one side did in a round: completed operations, time, and CPU spent on them. */
interface Window {
  ops: number;
  ms: number;
  /** This process's CPU (user + system), µs: the client-side cost. */
  clientMicros: number;
  /** Backend CPU, µs, where the backend reports it (Redis). */
  serverMicros: number | undefined;
}

/** Runs `run` with CONCURRENCY workers for `ms`. */
async function measureWindow(run: Run, ms: number, serverMicros?: () => Promise<number>): Promise<Window> {
  let done = 0;
  const server0 = await serverMicros?.();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (performance.now() < deadline) {
        await run(worker);
        done++;
      }
    }),
  );
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const server1 = await serverMicros?.();
  return {
    ops: done,
    ms: elapsed,
    clientMicros: cpu.user + cpu.system,
    serverMicros: server0 === undefined || server1 === undefined ? undefined : server1 - server0,
  };
}

function add(a: Window, b: Window): Window {
  return {
    ops: a.ops + b.ops,
    ms: a.ms + b.ms,
    clientMicros: a.clientMicros + b.clientMicros,
    serverMicros:
      a.serverMicros === undefined || b.serverMicros === undefined
        ? undefined
        : a.serverMicros + b.serverMicros,
  };
}

/**
 * One round of one operation: ours and raw take turns in SLICES slices each (ABAB..., the first
 * side alternating between rounds), so a load swing on a shared machine hits both sides alike.
 */
async function measureRound(
  ours: Run,
  raw: Run,
  ms: number,
  oursFirst: boolean,
  serverMicros?: () => Promise<number>,
): Promise<{ ours: Window; raw: Window }> {
  const zero: Window = { ops: 0, ms: 0, clientMicros: 0, serverMicros: serverMicros ? 0 : undefined };
  const total = { ours: zero, raw: zero };
  for (let i = 0; i < SLICES; i++) {
    for (const side of oursFirst ? (['ours', 'raw'] as const) : (['raw', 'ours'] as const)) {
      total[side] = add(
        total[side],
        await measureWindow(side === 'ours' ? ours : raw, ms / SLICES, serverMicros),
      );
    }
  }
  return total;
}

/** Our side, identical on every backend: the store, over seeded sessions; created ids are recorded. */
async function oursOps(store: SessionStore, created: string[]): Promise<Record<Op, Run>> {
  const seeded: string[] = [];
  for (let i = 0; i < SEEDED; i++) seeded.push((await store.create(newBenchSession())).id);
  created.push(...seeded);
  const versions = seeded.map(() => 1);
  let step = 0;
  return {
    create: async () => {
      created.push((await store.create(newBenchSession())).id);
    },
    get: async () => {
      if (!(await store.get(pick(seeded)))) throw new Error('ours get: session missing');
    },
    touch: async () => {
      if (!(await store.touch(pick(seeded)))) throw new Error('ours touch: session missing');
    },
    'CAS update': async (w) => {
      const record = await store.update(
        seeded[w]!,
        { metadata: { step: ++step } },
        { expectedVersion: versions[w]! },
      );
      versions[w] = record.version;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Redis: the adapter stores a hash (fields p, pv, ci, cc, ll, m:<key>, c, a, e, v; see
// packages/redis/src/record-codec.ts) with a native expiry. The raw side writes the same hash.

/** Compare-and-set on the hash's `v` field: the smallest atomic CAS Redis offers (one EVALSHA). */
const RAW_CAS = `if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3], 'v', ARGV[4])
return 1`;

function redisFields(session: NewSession, now: number): Record<string, string> {
  return {
    p: JSON.stringify(session.principal ?? null),
    pv: JSON.stringify(session.protocolVersion),
    ci: JSON.stringify(session.clientInfo),
    cc: JSON.stringify(session.clientCapabilities ?? {}),
    ll: 'null',
    c: String(now),
    a: String(now),
    e: String(now + DEFAULT_IDLE_TTL_MS),
    v: '1',
  };
}

async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

async function redisSubject(adapters: Adapters, created: string[]): Promise<Subject> {
  const redis = adapters.driver.redis!;
  const key = (id: string) => `${RAW_PREFIX}:{${id}}`;
  const rawCreate = async (): Promise<string> => {
    const session = newBenchSession();
    const k = key(session.id);
    await redis.multi().hset(k, redisFields(session, Date.now())).pexpire(k, DEFAULT_IDLE_TTL_MS).exec();
    return k;
  };
  const seeded: string[] = [];
  for (let i = 0; i < SEEDED; i++) seeded.push(await rawCreate());
  const versions = seeded.map(() => 1);
  const sha = String(await redis.script('LOAD', RAW_CAS));
  let step = 0;
  return {
    backend: 'redis',
    label: BACKEND_LABELS.redis,
    baselines: {
      create: 'MULTI { HSET of the same 9 fields; PEXPIRE } (one round trip, no existence check)',
      get: 'HGETALL of the same hash (exactly what the adapter sends), no decoding',
      touch: 'PEXPIRE',
      'CAS update': 'EVALSHA of a 3-line Lua CAS: HGET v, compare, HSET the field and v+1',
    },
    ours: await oursOps(adapters.store, created),
    raw: {
      create: async () => void (await rawCreate()),
      get: async () => {
        const fields = await redis.hgetall(pick(seeded));
        if (!fields.v) throw new Error('raw get: key missing');
      },
      touch: async () => {
        if ((await redis.pexpire(pick(seeded), DEFAULT_IDLE_TTL_MS)) !== 1)
          throw new Error('raw touch: key missing');
      },
      'CAS update': async (w) => {
        const s = ++step;
        const v = versions[w]!;
        const ok = await redis.evalsha(sha, 1, seeded[w]!, String(v), 'm:step', `"step":${s}`, String(v + 1));
        if (ok !== 1) throw new Error('raw CAS: version moved');
        versions[w] = v + 1;
      },
    },
    // Between windows only (nothing in flight): INFO itself is left out of the sum.
    async serverMicros() {
      const info = await redis.info('commandstats');
      let total = 0;
      for (const m of info.matchAll(/^cmdstat_([^:]+):.*?usec=(\d+)/gm)) {
        if (m[1] !== 'info') total += Number(m[2]);
      }
      return total;
    },
    async cleanup() {
      await deleteByPrefix(redis, `${NAMESPACE}:`);
      await deleteByPrefix(redis, `${RAW_PREFIX}:`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a table of the same shape as the adapter's (packages/postgres/sql/001_initial.sql),
// same indexes, so every write maintains the same B-trees.

const RAW_TABLE = 'bench_raw.sessions';
const RAW_COLUMNS = 'id, principal_json, data, created_at, last_activity_at, expires_at, version';

async function createRawTable(pool: pg.Pool): Promise<void> {
  await pool.query('CREATE SCHEMA IF NOT EXISTS bench_raw');
  await pool.query(`CREATE TABLE IF NOT EXISTS ${RAW_TABLE} (
  id text COLLATE "C" PRIMARY KEY,
  principal_json text COLLATE "C",
  data text NOT NULL,
  created_at bigint NOT NULL,
  last_activity_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  version bigint NOT NULL
)`);
  await pool.query(`CREATE INDEX IF NOT EXISTS sessions_expires_at ON ${RAW_TABLE} (expires_at)`);
  await pool.query(
    `CREATE INDEX IF NOT EXISTS sessions_principal ON ${RAW_TABLE} (principal_json, id) WHERE principal_json IS NOT NULL`,
  );
}

async function postgresSubject(adapters: Adapters, created: string[]): Promise<Subject> {
  const pool = adapters.driver.pool!;
  await createRawTable(pool);
  const sessions = new Map<string, NewSession>();
  const rawCreate = async (): Promise<NewSession> => {
    const session = newBenchSession();
    const now = Date.now();
    await pool.query(`INSERT INTO ${RAW_TABLE} (${RAW_COLUMNS}) VALUES ($1, $2, $3, $4, $4, $5, 1)`, [
      session.id,
      null,
      JSON.stringify(contentOf(session, {})),
      now,
      now + DEFAULT_IDLE_TTL_MS,
    ]);
    return session;
  };
  const seeded: string[] = [];
  for (let i = 0; i < SEEDED; i++) {
    const session = await rawCreate();
    sessions.set(session.id, session);
    seeded.push(session.id);
  }
  const versions = seeded.map(() => 1);
  let step = 0;
  return {
    backend: 'postgres',
    label: BACKEND_LABELS.postgres,
    baselines: {
      create: `INSERT ... VALUES (client-side times) into ${RAW_TABLE}, same columns and indexes`,
      get: 'SELECT the same columns WHERE id = $1, no decoding',
      touch: 'UPDATE ... SET last_activity_at, expires_at WHERE id = $1',
      'CAS update': 'UPDATE ... SET data = $2, version = version + 1 WHERE id = $1 AND version = $3',
    },
    ours: await oursOps(adapters.store, created),
    raw: {
      create: async () => void (await rawCreate()),
      get: async () => {
        const { rowCount } = await pool.query(`SELECT ${RAW_COLUMNS} FROM ${RAW_TABLE} WHERE id = $1`, [
          pick(seeded),
        ]);
        if (rowCount !== 1) throw new Error('raw get: row missing');
      },
      touch: async () => {
        const now = Date.now();
        const { rowCount } = await pool.query(
          `UPDATE ${RAW_TABLE} SET last_activity_at = $2, expires_at = $3 WHERE id = $1`,
          [pick(seeded), now, now + DEFAULT_IDLE_TTL_MS],
        );
        if (rowCount !== 1) throw new Error('raw touch: row missing');
      },
      'CAS update': async (w) => {
        const id = seeded[w]!;
        const v = versions[w]!;
        const data = JSON.stringify(contentOf(sessions.get(id)!, { step: ++step }));
        const { rowCount } = await pool.query(
          `UPDATE ${RAW_TABLE} SET data = $2, version = version + 1 WHERE id = $1 AND version = $3`,
          [id, data, v],
        );
        if (rowCount !== 1) throw new Error('raw CAS: version moved');
        versions[w] = v + 1;
      },
    },
    async cleanup() {
      // The adapter's table is shared by every section: remove exactly the rows created here.
      for (let i = 0; i < created.length; i += 5_000) {
        await pool.query('DELETE FROM "public"."mcp_sessions" WHERE id = ANY($1::text[])', [
          created.slice(i, i + 5_000),
        ]);
      }
      await pool.query('DROP SCHEMA IF EXISTS bench_raw CASCADE');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// DynamoDB: the same table, items of the adapter's shape (packages/dynamodb/src/record-item.ts)
// under a key prefix of their own.

type Item = Record<string, { S: string } | { N: string }>;

function dynamoItem(session: NewSession, now: number, pk: string): Item {
  const expiresAt = now + DEFAULT_IDLE_TTL_MS;
  return {
    pk: { S: pk },
    sk: { S: 'rec' },
    kind: { S: 'session' },
    data: { S: JSON.stringify({ id: session.id, principal: null, ...contentOf(session, {}) }) },
    createdAt: { N: String(now) },
    lastActivityAt: { N: String(now) },
    expiresAt: { N: String(expiresAt) },
    version: { N: '1' },
    ttl: { N: String(Math.ceil(expiresAt / 1000)) },
  };
}

async function batchDelete(client: DynamoDBClient, pks: readonly string[]): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < pks.length; i += 25) batches.push(pks.slice(i, i + 25));
  await forEachConcurrent(batches, 8, async (batch) => {
    let requests: WriteRequest[] = batch.map((pk) => ({
      DeleteRequest: { Key: { pk: { S: pk }, sk: { S: 'rec' } } },
    }));
    while (requests.length > 0) {
      const out = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [DYNAMODB_TABLE]: requests } }),
      );
      requests = out.UnprocessedItems?.[DYNAMODB_TABLE] ?? [];
    }
  });
}

async function dynamodbSubject(adapters: Adapters, created: string[]): Promise<Subject> {
  const client = adapters.driver.dynamodb!;
  const rawKeys: string[] = [];
  const sessions = new Map<string, NewSession>();
  const rawCreate = async (): Promise<NewSession> => {
    const session = newBenchSession();
    const pk = `${RAW_PREFIX}#s#${session.id}`;
    await client.send(
      new PutItemCommand({ TableName: DYNAMODB_TABLE, Item: dynamoItem(session, Date.now(), pk) }),
    );
    rawKeys.push(pk);
    return session;
  };
  const seeded: string[] = [];
  for (let i = 0; i < SEEDED; i++) {
    const session = await rawCreate();
    sessions.set(rawKeys.at(-1)!, session);
    seeded.push(rawKeys.at(-1)!);
  }
  const versions = seeded.map(() => 1);
  const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'rec' } });
  let step = 0;
  return {
    backend: 'dynamodb',
    label: BACKEND_LABELS.dynamodb,
    baselines: {
      create: 'PutItem of an item of the same attributes, unconditional',
      get: 'GetItem, ConsistentRead (as the adapter), no decoding',
      touch: 'UpdateItem SET lastActivityAt, expiresAt, ttl, unconditional',
      'CAS update': 'UpdateItem SET data, version = version + 1 with ConditionExpression version = :v',
    },
    ours: await oursOps(adapters.store, created),
    raw: {
      create: async () => void (await rawCreate()),
      get: async () => {
        const out = await client.send(
          new GetItemCommand({ TableName: DYNAMODB_TABLE, Key: key(pick(seeded)), ConsistentRead: true }),
        );
        if (!out.Item) throw new Error('raw get: item missing');
      },
      touch: async () => {
        const now = Date.now();
        const expiresAt = now + DEFAULT_IDLE_TTL_MS;
        await client.send(
          new UpdateItemCommand({
            TableName: DYNAMODB_TABLE,
            Key: key(pick(seeded)),
            UpdateExpression: 'SET lastActivityAt = :now, expiresAt = :e, #ttl = :ttl',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':now': { N: String(now) },
              ':e': { N: String(expiresAt) },
              ':ttl': { N: String(Math.ceil(expiresAt / 1000)) },
            },
          }),
        );
      },
      'CAS update': async (w) => {
        const pk = seeded[w]!;
        const session = sessions.get(pk)!;
        const v = versions[w]!;
        // Throws ConditionalCheckFailedException if the version moved: nothing else writes here.
        await client.send(
          new UpdateItemCommand({
            TableName: DYNAMODB_TABLE,
            Key: key(pk),
            UpdateExpression: 'SET #data = :data, version = :next',
            ConditionExpression: 'version = :v',
            ExpressionAttributeNames: { '#data': 'data' },
            ExpressionAttributeValues: {
              ':data': {
                S: JSON.stringify({
                  id: session.id,
                  principal: null,
                  ...contentOf(session, { step: ++step }),
                }),
              },
              ':next': { N: String(v + 1) },
              ':v': { N: String(v) },
            },
          }),
        );
        versions[w] = v + 1;
      },
    },
    async cleanup() {
      await batchDelete(client, [...created.map((id) => `${NAMESPACE}#s#${id}`), ...rawKeys]);
    },
  };
}

// ---------------------------------------------------------------------------------------------

interface Row {
  op: Op;
  ours: number;
  raw: number;
  /** Median of the per-round ours/raw ratios. */
  ratio: number;
  clientOurs: number;
  clientRaw: number;
  serverOurs: number | undefined;
  serverRaw: number | undefined;
}

interface Measured {
  backend: SharedBackend;
  label: string;
  baselines: Record<Op, string>;
  rows: Row[];
}

/** Measurement window per backend: DynamoDB Local answers in milliseconds, not microseconds. */
function windowMs(quick: boolean, backend: SharedBackend): number {
  if (backend === 'dynamodb') return quick ? 600 : 1_500;
  return quick ? 500 : 3_000;
}

const opsPerSec = (w: Window) => w.ops / (w.ms / 1000);

async function measureBackend(ctx: BenchContext, backend: SharedBackend): Promise<Measured> {
  const rounds = ctx.quick ? 3 : 5;
  const ms = windowMs(ctx.quick, backend);
  const adapters = await adaptersFor(ctx, backend, NAMESPACE);
  const created: string[] = [];
  let subject: Subject | undefined;
  try {
    subject =
      backend === 'redis'
        ? await redisSubject(adapters, created)
        : backend === 'postgres'
          ? await postgresSubject(adapters, created)
          : await dynamodbSubject(adapters, created);
    const s = subject;
    const server = s.serverMicros?.bind(s);
    // Warm-up: JIT, connections, script cache, for every operation on both sides.
    for (const op of OPS) await measureRound(s.ours[op], s.raw[op], 200, true);
    const samples = new Map<Op, { ours: Window[]; raw: Window[] }>(
      OPS.map((op) => [op, { ours: [], raw: [] }]),
    );
    for (let round = 0; round < rounds; round++) {
      for (const op of OPS) {
        const { ours, raw } = await measureRound(s.ours[op], s.raw[op], ms, round % 2 === 0, server);
        samples.get(op)!.ours.push(ours);
        samples.get(op)!.raw.push(raw);
      }
      ctx.log(`  store ops: ${backend} round ${round + 1}/${rounds}`);
    }
    const perOp = (windows: readonly Window[], micros: (w: Window) => number | undefined) => {
      const values = windows.map((w) => micros(w)).filter((v): v is number => v !== undefined);
      return values.length > 0 ? median(values) : undefined;
    };
    return {
      backend,
      label: s.label,
      baselines: s.baselines,
      rows: OPS.map((op) => {
        const b = samples.get(op)!;
        return {
          op,
          ours: median(b.ours.map(opsPerSec)),
          raw: median(b.raw.map(opsPerSec)),
          ratio: median(b.ours.map((w, i) => opsPerSec(w) / opsPerSec(b.raw[i]!))),
          clientOurs: perOp(b.ours, (w) => w.clientMicros / w.ops)!,
          clientRaw: perOp(b.raw, (w) => w.clientMicros / w.ops)!,
          serverOurs: perOp(b.ours, (w) =>
            w.serverMicros === undefined ? undefined : w.serverMicros / w.ops,
          ),
          serverRaw: perOp(b.raw, (w) => (w.serverMicros === undefined ? undefined : w.serverMicros / w.ops)),
        };
      }),
    };
  } finally {
    try {
      await subject?.cleanup();
    } catch (error) {
      ctx.log(`  store ops: ${backend} cleanup failed: ${String(error)}`);
    }
    await adapters.close();
  }
}

/** Why CAS update costs more than one command, per backend (from the adapters' source). */
const UPDATE_WHY: Record<SharedBackend, string> = {
  redis: 'one script that reads the whole hash and returns the new record, decoded client-side',
  postgres:
    'one statement that locks the row, merges the patch in SQL and sizes the record before its conditional UPDATE',
  dynamodb: 'a GetItem, then a conditional UpdateItem: two round trips',
};

function headline(m: Measured): string {
  const single = m.rows.filter((r) => r.op !== 'CAS update').map((r) => r.ratio);
  const update = m.rows.find((r) => r.op === 'CAS update')!;
  return `${m.label} store ops: throughput at ${fmt(Math.min(...single), 2)}–${fmt(Math.max(...single), 2)}× the ops/s of the raw driver's nearest single command for create, get and touch; CAS update at ${fmt(update.ratio, 2)}× (${UPDATE_WHY[m.backend]}). Same run, interleaved.`;
}

export async function runStoreOps(ctx: BenchContext): Promise<SectionResult> {
  const measured: Measured[] = [];
  for (const backend of ['redis', 'postgres', 'dynamodb'] as const) {
    const started = performance.now();
    ctx.log(`  store ops: ${backend}`);
    measured.push(await measureBackend(ctx, backend));
    ctx.log(`  store ops: ${backend} done in ${fmt((performance.now() - started) / 1000, 1)} s`);
  }
  const rounds = ctx.quick ? 3 : 5;
  const seconds = (b: SharedBackend) => `${fmt(windowMs(ctx.quick, b) / 1000, 2)} s`;
  const pair = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? '' : `${fmt(a, 1)} / ${fmt(b, 1)}`;
  const sections = measured.map((m) => {
    const withServer = m.rows.some((r) => r.serverOurs !== undefined);
    const header = [
      'operation',
      'ours ops/s',
      'raw ops/s',
      'ours / raw',
      'client CPU µs/op (ours / raw)',
      ...(withServer ? ['Redis CPU µs/op (ours / raw)'] : []),
      'raw baseline',
    ];
    const rows = m.rows.map((r) => [
      r.op,
      fmt(r.ours),
      fmt(r.raw),
      `${fmt(r.ratio, 2)}×`,
      pair(r.clientOurs, r.clientRaw),
      ...(withServer ? [pair(r.serverOurs, r.serverRaw)] : []),
      m.baselines[r.op],
    ]);
    return `### ${m.label}\n\n${table(header, rows)}`;
  });
  const markdown = `Method: for each backend, our store (from \`adaptersFor\`, default options) and the raw driver on the **same client** (same ioredis connection, same \`pg.Pool\` of 10, same \`DynamoDBClient\`) run each operation with ${CONCURRENCY} operations in flight for a fixed time per side and round (${seconds('redis')} on Redis and PostgreSQL, ${seconds('dynamodb')} on DynamoDB Local, which answers in milliseconds), cut into ${SLICES} turns each that alternate (ours, raw, ours, raw, ...; who goes first alternates from round to round), so a load swing on a shared machine hits both sides alike; ${rounds} rounds after a warm-up. Figures are medians over the rounds; the ratio is the median of the per-round ratios (so it can differ from the ratio of the two medians). Records are what the router stores for a session without authentication (principal null, a small \`clientCapabilities\`). \`get\` and \`touch\` pick one of ${SEEDED} seeded sessions at random; each worker updates a session of its own with its current version (\`update(id, { metadata: { step } }, { expectedVersion })\`), so no CAS ever conflicts. The raw side writes the same data shape: the same Redis hash fields, a PostgreSQL table of the same columns and indexes in schema \`bench_raw\`, DynamoDB items of the same attributes in table \`${DYNAMODB_TABLE}\` under a key prefix of their own. It does no validation and no decoding. Everything created is deleted afterwards. Next to throughput: this process's CPU per operation (client side: validation, encoding, decoding, driver) and, on Redis, the server's CPU per operation (INFO commandstats \`usec\`, scripts included): on a small machine, where the benchmark, the driver and the backend share cores, either can set the ratio.

What the adapters send (from their source): Redis create, touch and update are one EVALSHA each (create: EXISTS, TIME, HSET, PEXPIREAT; touch: HMGET, TIME, HSET, PEXPIREAT; update: HGETALL, compare, HSET, and the whole record back), get is one HGETALL. PostgreSQL create is one INSERT ... ON CONFLICT DO UPDATE ... WHERE expired ... RETURNING, get one SELECT, touch one UPDATE ... FROM (SELECT now()), and **update one statement**: a CTE that locks the live row (SELECT ... FOR UPDATE), merges the patch into its data in SQL (\`json\`, so each value keeps its text), sizes the resulting record exactly as core does, and UPDATEs it with version + 1 when the version matches and the size fits, returning one row that tells a conflict, an absent row and a too large record apart (a record holding U+0000, which PostgreSQL's JSON functions refuse, takes a SELECT and a conditional UPDATE instead; the bench's records hold none). DynamoDB create is a conditional PutItem, get a consistent GetItem, touch one conditional UpdateItem, and **update a consistent GetItem then a conditional UpdateItem** (ReturnValues ALL_NEW): core merges the patch and checks the size on the stored record in between. With a principal, Redis create adds a second script call (the principal index).

${sections.join('\n\n')}`;
  return {
    id: 'store-ops',
    title: 'Store operations against the raw driver',
    markdown,
    headlines: measured.map(headline),
    chart: {
      title: 'Store operations: ours / raw driver (ops/s, same run)',
      unit: '× raw',
      bars: measured.flatMap((m) => m.rows.map((r) => ({ label: `${m.backend} ${r.op}`, value: r.ratio }))),
    },
  };
}
