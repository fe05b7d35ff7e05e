// Round trips counted at the backend or the driver, never timed, so no noise can fake them (the
// method of round-trips.ts, shared here for the newer sections):
// - Redis: MONITOR sees each command a client sends (script-internal ones are marked `lua` and left
//   out: a script is one round trip).
// - PostgreSQL: statements sent, counted at the pg.Pool.
// - DynamoDB: requests sent, counted by an AWS SDK middleware, by operation.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import type pg from 'pg';

/** Counts by kind (command, statement verb, operation). */
export type Counts = Record<string, number>;

/** A switchable counter the driver hooks below add to. */
export interface Counter {
  on: boolean;
  by: Counts;
}

export const newCounter = (): Counter => ({ on: false, by: {} });

export const total = (counts: Counts): number => Object.values(counts).reduce((a, b) => a + b, 0);

const bump = (counts: Counts, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Redis commands any client sends (MONITOR), between `start` and `stop`. */
export async function redisCommandCounter(redisUrl: string) {
  const admin = new Redis(redisUrl);
  const monitor = await admin.monitor();
  const counter = newCounter();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (counter.on && source !== 'lua') bump(counter.by, String(args[0]).toLowerCase());
  });
  return {
    start() {
      counter.by = {};
      counter.on = true;
    },
    /** Stops counting once Redis has echoed a marker command, so no command sent before is missed. */
    async stop(): Promise<Counts> {
      const marker = `bench-counter-${Math.random()}`;
      const seen = new Promise<void>((resolve) => {
        const onMonitor = (_time: string, args: string[]) => {
          if (args[1] === marker) {
            monitor.off('monitor', onMonitor);
            resolve();
          }
        };
        monitor.on('monitor', onMonitor);
      });
      await admin.echo(marker);
      await seen;
      counter.on = false;
      // The marker itself is ours, not the measured code's.
      if (counter.by.echo !== undefined && --counter.by.echo === 0) delete counter.by.echo;
      return { ...counter.by };
    },
    close() {
      monitor.disconnect();
      admin.disconnect();
    },
  };
}

const COUNTED = Symbol('benchCounted');

/**
 * Counts statements sent through `pool`, by verb: at each client's `query`, hooked when the pool
 * hands the client out (`acquire`: `pool.query` and `pool.connect` alike, clients created before
 * the hook included). Hooking `pool.query` as well would count each of its statements twice, since
 * it runs them through a client's `query`.
 */
export function countStatements(pool: pg.Pool, counter: Counter): void {
  const verb = (args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    const first = (text ?? '?').trim().split(/\s+/)[0]!.toLowerCase();
    return first === 'with' ? 'with (CTE)' : first;
  };
  pool.on('acquire', (client) => {
    const hooked = client as unknown as { [COUNTED]?: true; query: (...args: unknown[]) => unknown };
    if (hooked[COUNTED]) return;
    hooked[COUNTED] = true;
    const clientQuery = client.query.bind(client) as (...args: unknown[]) => unknown;
    hooked.query = (...args) => {
      if (counter.on) bump(counter.by, verb(args));
      return clientQuery(...args);
    };
  });
}

/** Counts requests sent by `client`, by operation. */
export function countRequests(client: DynamoDBClient, counter: Counter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (counter.on) bump(counter.by, String(context.commandName ?? '?').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
}
