// What at-most-once `requestState` (2026-07-28 multi-round-trip state) costs: core's
// createRequestStateCodec with each backend's ClaimStore against the same codec without claims
// (seal, authenticate, check expiry and bindings: no I/O). Round trips per verify are counted at the
// backend or driver (backend-counters.ts); latency is timed per verify, the variants taking turns
// sample by sample.
import { randomBytes } from 'node:crypto';
import type { ClaimStore } from '@mcp-session-store/core';
import {
  createRequestStateCodec,
  type RequestStateCodec,
  type RequestStateContext,
} from '@mcp-session-store/core/v2';
import { DynamoDBClaimStore } from '@mcp-session-store/dynamodb';
import { MemoryClaimStore } from '@mcp-session-store/memory';
import { PostgresClaimStore } from '@mcp-session-store/postgres';
import { RedisClaimStore } from '@mcp-session-store/redis';
import {
  type Counter,
  type Counts,
  countRequests,
  countStatements,
  newCounter,
  redisCommandCounter,
  total,
} from './backend-counters.js';
import {
  type Adapters,
  adaptersFor,
  BACKEND_LABELS,
  DYNAMODB_TABLE,
  SHARED_BACKENDS,
  type SharedBackend,
} from './backends.js';
import type { BenchContext, SectionResult } from './context.js';
import { fmt, median, pairedRatio, percentile, table } from './stats.js';

const NAMESPACE = 'bench-claims';

/** What verify sees of a 2026-07-28 `tools/call` of `echo` (the default binding reads method and Mcp-Name). */
const CTX: RequestStateContext = {
  mcpReq: { method: 'tools/call' },
  http: { req: { headers: new Headers({ 'mcp-name': 'echo' }) } },
};

interface Variant {
  readonly name: string;
  readonly backend: SharedBackend | undefined;
  readonly codec: RequestStateCodec;
  /** Round trips of one verify, counted: undefined where there is no backend. */
  count?: (() => { start(): void; stop(): Promise<Counts> }) | undefined;
  close(): Promise<void>;
}

async function variants(ctx: BenchContext): Promise<Variant[]> {
  const keyring = { activeKeyId: 'bench', keys: { bench: randomBytes(32).toString('base64') } };
  const codec = (claims?: ClaimStore) => createRequestStateCodec({ keyring, ...(claims && { claims }) });
  const memoryClaims = new MemoryClaimStore();
  const list: Variant[] = [
    { name: 'no claims (the codec alone)', backend: undefined, codec: codec(), close: async () => {} },
    {
      name: 'memory claim store (in process)',
      backend: undefined,
      codec: codec(memoryClaims),
      close: () => memoryClaims.close(),
    },
  ];
  for (const backend of SHARED_BACKENDS) {
    let adapters: Adapters | undefined;
    try {
      adapters = await adaptersFor(ctx, backend, NAMESPACE);
      const { redis, pool, dynamodb } = adapters.driver;
      const counter: Counter = newCounter();
      let claims: ClaimStore;
      let count: Variant['count'];
      if (backend === 'redis') {
        claims = new RedisClaimStore({ redis: redis!, keyPrefix: `${NAMESPACE}:` });
        const monitor = await redisCommandCounter(ctx.redisUrl);
        const closeAdapters = adapters.close.bind(adapters);
        adapters.close = async () => {
          monitor.close();
          await closeAdapters();
        };
        count = () => monitor;
      } else {
        if (backend === 'postgres') {
          countStatements(pool!, counter);
          claims = new PostgresClaimStore({ pool: pool! });
        } else {
          countRequests(dynamodb!, counter);
          claims = new DynamoDBClaimStore({
            client: dynamodb!,
            tableName: DYNAMODB_TABLE,
            namespace: NAMESPACE,
          });
        }
        count = () => ({
          start() {
            counter.by = {};
            counter.on = true;
          },
          async stop() {
            counter.on = false;
            return { ...counter.by };
          },
        });
      }
      const owned = adapters;
      list.push({
        name: `${BACKEND_LABELS[backend]} claim store`,
        backend,
        codec: codec(claims),
        count,
        async close() {
          await claims.close?.();
          await owned.close();
        },
      });
    } catch (error) {
      await adapters?.close();
      await Promise.allSettled(list.map((v) => v.close()));
      throw error;
    }
  }
  return list;
}

/** One verify of a freshly minted state, timed (the mint is not); throws unless it succeeds. */
async function timedVerify(codec: RequestStateCodec, payload: number): Promise<number> {
  const state = await codec.mint({ step: payload }, CTX);
  const started = performance.now();
  const out = (await codec.verify(state, CTX)) as { step: number };
  const ms = performance.now() - started;
  if (out.step !== payload) throw new Error('request state: verify returned another payload');
  return ms;
}

/** A state verified twice must be refused the second time: the claim is real, not a no-op. */
async function assertAtMostOnce(variant: Variant): Promise<void> {
  const state = await variant.codec.mint({ step: -1 }, CTX);
  await variant.codec.verify(state, CTX);
  const second = await variant.codec.verify(state, CTX).then(
    () => 'accepted',
    (error: { reason?: string }) => error.reason ?? String(error),
  );
  if (second !== 'replayed') throw new Error(`${variant.name}: a replayed state was ${second}, not refused`);
}

interface Figures {
  readonly name: string;
  readonly p50: number;
  readonly p99: number;
  readonly addedP50: number;
  readonly ratioP50: { median: number; low: number; high: number };
  readonly roundTrips: number | undefined;
  readonly byKind: Counts;
}

export async function runRequestStateClaims(ctx: BenchContext): Promise<SectionResult> {
  const rounds = ctx.quick ? 3 : 5;
  const perRound = ctx.quick ? 100 : 400;
  const counted = ctx.quick ? 200 : 1_000;
  const list = await variants(ctx);
  try {
    for (const v of list) if (v.codec !== list[0]!.codec) await assertAtMostOnce(v);
    // Warm-up: connections, JIT, prepared paths.
    for (let i = 0; i < 30; i++) for (const v of list) await timedVerify(v.codec, i);
    const samples = list.map(() => [] as Array<{ p50: number; p99: number }>);
    let payload = 0;
    for (let round = 0; round < rounds; round++) {
      const ms = list.map(() => [] as number[]);
      for (let i = 0; i < perRound; i++) {
        // Sample by sample, in an order that rotates, so noise lands on every variant alike.
        for (let k = 0; k < list.length; k++) {
          const index = (k + i + round) % list.length;
          ms[index]!.push(await timedVerify(list[index]!.codec, payload++));
        }
      }
      ms.forEach((values, index) => {
        samples[index]!.push({ p50: percentile(values, 0.5), p99: percentile(values, 0.99) });
      });
    }
    const counts = new Map<string, Counts>();
    for (const v of list) {
      if (!v.count) continue;
      ctx.log(`  request state: counting round trips, ${v.name}`);
      const counter = v.count();
      counter.start();
      for (let i = 0; i < counted; i++) {
        const state = await v.codec.mint({ step: i }, CTX);
        await v.codec.verify(state, CTX);
      }
      counts.set(v.name, await counter.stop());
    }
    const base = samples[0]!;
    const figures: Figures[] = list.map((v, index) => {
      const s = samples[index]!;
      const byKind = Object.fromEntries(
        Object.entries(counts.get(v.name) ?? {}).map(([k, n]) => [k, n / counted]),
      );
      return {
        name: v.name,
        p50: median(s.map((r) => r.p50)),
        p99: median(s.map((r) => r.p99)),
        addedP50: median(s.map((r, i) => r.p50 - base[i]!.p50)),
        ratioP50: pairedRatio(
          s.map((r) => r.p50),
          base.map((r) => r.p50),
        ),
        roundTrips: v.count ? total(byKind) : v.backend === undefined && index > 0 ? 0 : undefined,
        byKind,
      };
    });
    return report(figures, { rounds, perRound, counted });
  } finally {
    await Promise.allSettled(list.map((v) => v.close()));
  }
}

function report(
  figures: readonly Figures[],
  n: { rounds: number; perRound: number; counted: number },
): SectionResult {
  const ms = (v: number) => fmt(v, v < 10 ? 3 : 1);
  const rows = figures.map((f, i) => [
    f.name,
    f.roundTrips === undefined ? (i === 0 ? '0 (no claim)' : '') : fmt(f.roundTrips, 2),
    Object.entries(f.byKind)
      .map(([k, v]) => `${k} ${fmt(v, 2)}`)
      .join(', ') || (i === 0 ? '' : 'none'),
    ms(f.p50),
    ms(f.p99),
    i === 0 ? '(baseline)' : `${f.addedP50 < 0 ? '−' : '+'}${ms(Math.abs(f.addedP50))} ms`,
    i === 0 ? '1×' : `${fmt(f.ratioP50.median, 1)}× (${fmt(f.ratioP50.low, 1)}–${fmt(f.ratioP50.high, 1)})`,
  ]);
  const backends = figures.filter(
    (f) => f.roundTrips !== undefined && f.name.includes('claim store') && !f.name.startsWith('memory'),
  );
  const markdown = `Method: core's \`createRequestStateCodec\` (AES-256-GCM under a keyring, bound to principal and request, 600 s TTL) verifying the \`requestState\` of a 2026-07-28 \`tools/call\`, as SDK v2 calls \`ServerOptions.requestState.verify\`: first without a claim store (the codec alone, no I/O: the baseline), then with each backend's \`ClaimStore\` (at most once: verify claims the state's id for its remaining life; a second use on any pod is refused). Each variant first proves the claim is real (a state verified twice is refused the second time as \`replayed\`). Latency: one verify of a freshly minted state (the mint is not timed), one at a time, the variants taking turns sample by sample in a rotating order; ${n.rounds} rounds of ${fmt(n.perRound)} verifies each; figures are medians over rounds of each round's percentile, "added" and the ratio medians of the per-round differences and ratios against the codec alone. Round trips: ${fmt(n.counted)} verifies with the backend's counters on (Redis: commands sent, MONITOR; PostgreSQL: statements through the pool; DynamoDB: requests, SDK middleware), divided by the number of verifies. Every backend is the run's own instance on loopback.

${table(['variant', 'round trips / verify', 'by command', 'p50 ms', 'p99 ms', 'added at p50', 'p50 ratio'], rows)}

A claim is one round trip on every backend (Redis \`SET NX PX\`, PostgreSQL one \`INSERT ... ON CONFLICT ... WHERE expired\`, DynamoDB one conditional \`PutItem\`), paid once per \`input_required\` retry (the request that carries the state back), never on other requests.`;
  return {
    id: 'request-state',
    title: 'requestState at most once: claim cost',
    markdown,
    headlines: [
      `requestState at most once: ${backends.map((f) => `${f.name.replace(' claim store', '')} ${fmt(f.roundTrips!, 2)} round trip, +${ms(f.addedP50)} ms at p50`).join('; ')} per verify, against ${ms(figures[0]!.p50)} ms for the codec alone (same run).`,
    ],
  };
}
