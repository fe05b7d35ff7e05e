// What a bench pod (bench-pod.ts) reads from its environment, and the shape of what it serves.
import type { RequestListener } from 'node:http';
import {
  MemoryBackend,
  MemoryEventStore,
  MemoryMessageBus,
  MemorySessionStore,
} from '@mcp-session-store/memory';
import type { Adapters, SharedBackend } from './backends.js';
import type { BenchContext } from './context.js';

export const POD_NAME = process.env.POD_NAME ?? 'pod';

/** The MCP endpoint of one pod variant. */
export interface PodHandler {
  readonly handle: RequestListener;
  /** Announces a tool list change to every listen stream it can reach (2026-07-28 variants only). */
  readonly notifyToolsChanged?: (() => void) | undefined;
  close(): Promise<void>;
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${POD_NAME}: ${name} is not set`);
  return value;
}

/** EVENTS=0 leaves the event store out, to compare like for like with a stock server that keeps none. */
export const withEventStore = (): boolean => process.env.EVENTS !== '0';

/** Adapters on the shared backend STORE names, or process memory (correct for one pod only). */
export async function podAdapters(): Promise<Adapters> {
  const store = required('STORE');
  if (store === 'memory') {
    const backend = new MemoryBackend();
    return {
      store: new MemorySessionStore({ backend }),
      eventStore: new MemoryEventStore({ backend }),
      bus: new MemoryMessageBus({ backend }),
      driver: {},
      async close() {},
    };
  }
  // Imported here, not above: every backend's driver loads with it, and memory pods need none.
  const { adaptersFor, SHARED_BACKENDS } = await import('./backends.js');
  if (!(SHARED_BACKENDS as readonly string[]).includes(store)) throw new Error(`unknown STORE '${store}'`);
  // adaptersFor only reads the backends' addresses from the context.
  const ctx: BenchContext = {
    quick: false,
    redisUrl: process.env.REDIS_URL ?? '',
    databaseUrl: process.env.DATABASE_URL ?? '',
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT ?? '',
    log: () => {},
  };
  return adaptersFor(ctx, store as SharedBackend, required('NAMESPACE'));
}

/** Reads a JSON body (the stock transports take it pre-parsed). */
export async function jsonBody(req: AsyncIterable<unknown>): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
