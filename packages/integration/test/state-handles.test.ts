// Explicit state handles (SEP-2567) on the 2026-07-28 wire: SDK v2's own `createMcpHandler` on two
// pods behind a round-robin balancer, each with its own Redis client and store on one key prefix.
// `cart_create` returns a handle; `cart_add` and `cart_view` take it back, on whichever pod the
// balancer picks, with no session and no affinity. The principal is the bearer token's user.
// Redis at REDIS_URL (default redis://127.0.0.1:6379).
import { randomBytes } from 'node:crypto';
import { createStateHandles, isSessionStoreError, type StateHandles } from '@mcp-session-store/core';
import { RedisSessionStore } from '@mcp-session-store/redis';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { type AuthInfo, createMcpHandler, McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { Redis } from 'ioredis';
import * as z from 'zod/v4';
import { serveBehindBalancer } from '../src/http-pods.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Cart = { items: string[] };

const principalOf = (ctx: ServerContext) => ctx.http?.authInfo?.clientId ?? null;

/** Every tool call, with the pod that ran it and the caller. */
const served: Array<{ pod: string; tool: string; user: string | null }> = [];

/** The shop every pod serves: carts are handles, read and written through the shared store. */
function shopServer(pod: string, carts: StateHandles<Cart>): McpServer {
  const server = new McpServer({ name: 'shop', version: '1.0.0' });
  const gone = (cartId: string) => ({
    isError: true,
    content: [{ type: 'text' as const, text: `Cart ${cartId} is unknown or has expired: call cart_create` }],
  });
  server.registerTool(
    'cart_create',
    { description: 'Creates an empty cart and returns its cart_id. Carts expire after 24 h unused.' },
    async (ctx) => {
      served.push({ pod, tool: 'cart_create', user: principalOf(ctx) });
      const { handle } = await carts.create(principalOf(ctx), { items: [] });
      return {
        content: [{ type: 'text', text: `Created cart ${handle}` }],
        structuredContent: { cart_id: handle, pod },
      };
    },
  );
  server.registerTool(
    'cart_add',
    {
      description: 'Adds an item to a cart',
      inputSchema: z.object({ cart_id: z.string(), sku: z.string() }),
    },
    async ({ cart_id, sku }, ctx) => {
      served.push({ pod, tool: 'cart_add', user: principalOf(ctx) });
      if (!carts.isHandle(cart_id)) return gone(cart_id);
      try {
        const cart = await carts.updateWithRetry(cart_id, principalOf(ctx), (c) => ({
          items: [...c.items, sku],
        }));
        return {
          content: [{ type: 'text', text: `Added ${sku} (${cart.value.items.length} items)` }],
          structuredContent: { items: cart.value.items, pod },
        };
      } catch (err) {
        if (isSessionStoreError(err, 'SESSION_NOT_FOUND')) return gone(cart_id);
        throw err;
      }
    },
  );
  server.registerTool(
    'cart_view',
    { description: 'What a cart holds', inputSchema: z.object({ cart_id: z.string() }) },
    async ({ cart_id }, ctx) => {
      served.push({ pod, tool: 'cart_view', user: principalOf(ctx) });
      const cart = carts.isHandle(cart_id) ? await carts.get(cart_id, principalOf(ctx)) : null;
      if (!cart) return gone(cart_id);
      return {
        content: [{ type: 'text', text: cart.value.items.join(', ') }],
        structuredContent: { items: cart.value.items, pod },
      };
    },
  );
  return server;
}

async function connectRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${(err as Error).message}). Start one (apt-get install redis-server; redis-server) or set REDIS_URL.`,
    );
  }
  return redis;
}

interface Pods {
  url: string;
  /** A third store instance on the same prefix: what any other pod would read. */
  carts: StateHandles<Cart>;
  stop(): Promise<void>;
}

let pods: Pods;

beforeAll(async () => {
  const keyPrefix = `mcpss-test:handles-${randomBytes(6).toString('hex')}:`;
  const clients: Redis[] = [];
  const cartsOn = async () => {
    const redis = await connectRedis();
    clients.push(redis);
    return createStateHandles<Cart>({
      store: new RedisSessionStore({ redis, keyPrefix, idleTtlMs: 24 * 3600_000 }),
      prefix: 'cart',
    });
  };
  const handlers = await Promise.all(
    ['A', 'B'].map(async (pod) => {
      const carts = await cartsOn();
      return createMcpHandler(() => shopServer(pod, carts), { legacy: 'reject' });
    }),
  );
  const http = await serveBehindBalancer(
    handlers.map((handler) => {
      const node = toNodeHandler(handler);
      return (req, res) => {
        // Stands in for real token verification: `Bearer <user>` authenticates <user>.
        const user = /^Bearer (\w+)$/.exec(req.headers.authorization ?? '')?.[1];
        const auth: AuthInfo | undefined = user ? { token: user, clientId: user, scopes: [] } : undefined;
        void node(Object.assign(req, { auth }) as never, res);
      };
    }),
  );
  pods = {
    url: http.url,
    carts: await cartsOn(),
    async stop() {
      await http.stop();
      await Promise.all(handlers.map((h) => h.close()));
      const redis = clients[0]!;
      for await (const keys of redis.scanStream({ match: `${keyPrefix}*`, count: 500 }) as AsyncIterable<
        string[]
      >) {
        if (keys.length > 0) await redis.del(...keys);
      }
      for (const client of clients) client.disconnect();
    },
  };
}, 30_000);

afterAll(async () => {
  await pods?.stop();
});

/** A 2026-07-28 client through the balancer, authenticated as `user`. */
async function clientOf(user: string): Promise<Client> {
  const client = new Client(
    { name: `${user}-client`, version: '1' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(pods.url), {
      requestInit: { headers: { Authorization: `Bearer ${user}` } },
    }),
  );
  return client;
}

interface CartResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: { cart_id?: string; items?: string[]; pod: string };
}

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as CartResult;

test('a cart created through one pod is read and updated through the other, concurrently, on Redis', async () => {
  const alice = await clientOf('alice');
  try {
    const created = await call(alice, 'cart_create');
    const cartId = created.structuredContent!.cart_id!;
    expect(cartId).toMatch(/^cart_[A-Za-z0-9_-]{43}$/);
    const createdOn = created.structuredContent!.pod;
    // Add items one at a time until the other pod has served one (round robin: the next call).
    const added: string[] = [];
    const servedBy = new Set<string>();
    while (!servedBy.has(createdOn === 'A' ? 'B' : 'A')) {
      expect(added.length).toBeLessThan(6);
      const sku = `sku-${added.length}`;
      const result = await call(alice, 'cart_add', { cart_id: cartId, sku });
      expect(result.isError).toBeFalsy();
      added.push(sku);
      expect(result.structuredContent!.items).toEqual(added);
      servedBy.add(result.structuredContent!.pod);
    }
    // Concurrent adds land on both pods; none is lost (compare-and-set with retry).
    const more = Array.from({ length: 8 }, (_, i) => `parallel-${i}`);
    const results = await Promise.all(more.map((sku) => call(alice, 'cart_add', { cart_id: cartId, sku })));
    expect(new Set(results.map((r) => r.structuredContent!.pod))).toEqual(new Set(['A', 'B']));
    const views = [
      await call(alice, 'cart_view', { cart_id: cartId }),
      await call(alice, 'cart_view', { cart_id: cartId }),
    ];
    expect(new Set(views.map((v) => v.structuredContent!.pod))).toEqual(new Set(['A', 'B']));
    for (const view of views) {
      expect(view.structuredContent!.items!.slice(0, added.length)).toEqual(added);
      expect([...view.structuredContent!.items!].sort()).toEqual([...added, ...more].sort());
    }
    // What any pod reads from the store.
    const stored = await pods.carts.get(cartId, 'alice');
    expect(stored?.value.items).toHaveLength(added.length + more.length);
    expect(stored?.version).toBe(1 + added.length + more.length);
  } finally {
    await alice.close();
  }
});

test("another user's calls with a cart's handle are answered as for an unknown cart, on every pod", async () => {
  const alice = await clientOf('alice');
  const bob = await clientOf('bob');
  try {
    const cartId = (await call(alice, 'cart_create')).structuredContent!.cart_id!;
    await call(alice, 'cart_add', { cart_id: cartId, sku: 'shoes' });
    const unknown = `cart_${randomBytes(32).toString('base64url')}`;
    const servedBefore = served.length;
    for (let i = 0; i < 2; i++) {
      for (const [tool, cart] of [
        ['cart_add', cartId],
        ['cart_view', cartId],
        ['cart_view', unknown],
      ] as const) {
        const answer = await call(bob, tool, { cart_id: cart, sku: 'stolen' });
        expect(answer.isError).toBe(true);
        // Word for word what an unknown cart gets.
        expect(answer.content[0]!.text).toBe(`Cart ${cart} is unknown or has expired: call cart_create`);
      }
    }
    const bobsPods = new Set(
      served
        .slice(servedBefore)
        .filter((s) => s.user === 'bob')
        .map((s) => s.pod),
    );
    expect(bobsPods).toEqual(new Set(['A', 'B']));
    const own = await call(alice, 'cart_view', { cart_id: cartId });
    expect(own.structuredContent!.items).toEqual(['shoes']);
    expect((await pods.carts.get(cartId, 'alice'))?.version).toBe(2);
  } finally {
    await Promise.all([alice.close(), bob.close()]);
  }
});
