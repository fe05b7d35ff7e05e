// The soak run's command line: what it accepts, its defaults, and the message for what it refuses.
import { isStoreName, type StoreName } from '../cluster.js';

export const SOAK_USAGE = `Usage: pnpm soak [--duration S] [--store redis|postgres|dynamodb] [--pods N] [--restart-every S] [--users N] [--inject-leak KIB]
  --duration       seconds of traffic (default 600)
  --store          postgres (default: an embedded PostgreSQL, or DATABASE_URL), redis (REDIS_URL, default
                   redis://127.0.0.1:6379) or dynamodb (DynamoDB Local, or DYNAMODB_ENDPOINT)
  --pods           pod processes behind the balancer, 2-16 (default 3)
  --restart-every  seconds between pod restarts, one pod at a time, graceful (SIGTERM) and SIGKILL in
                   turn; the last pod is never restarted (default: a sixth of the duration, at least 10)
  --users          concurrent virtual users, 1-64 (default 8)
  --inject-leak    self-test of the memory criterion: every pod retains KIB KiB (1-65536) for every MCP
                   request it serves, and the run must FAIL (pnpm soak:self-test runs both ways)`;

/** The backends a soak can run on: shared ones only, since pods are restarted under the sessions. */
export type SoakStore = Exclude<StoreName, 'memory'>;

export interface SoakOptions {
  durationS: number;
  store: SoakStore;
  pods: number;
  restartEveryS: number;
  users: number;
  /** KiB each pod retains per MCP request: a deliberate leak, for the self-test. 0: none. */
  injectLeakKiB: number;
}

function number(argv: string[], i: number, name: string, min: number, max: number): number {
  const raw = argv[i];
  const value = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} takes a whole number from ${min} to ${max}, got '${raw ?? ''}'\n${SOAK_USAGE}`);
  }
  return value;
}

/** The default interval between restarts: a sixth of the run, at least 10 s. */
export function defaultRestartEvery(durationS: number): number {
  return Math.max(10, Math.round(durationS / 6));
}

/** Parses the soak's arguments. Throws an Error whose message ends with the usage on bad input. */
export function parseSoakArgs(argv: readonly string[]): SoakOptions | 'help' {
  const args = [...argv];
  let durationS = 600;
  let store: SoakStore = 'postgres';
  let pods = 3;
  let restartEveryS: number | undefined;
  let users = 8;
  let injectLeakKiB = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--duration') durationS = number(args, ++i, '--duration', 10, 86_400);
    else if (arg === '--store') {
      const value = args[++i];
      if (value === 'memory') {
        throw new Error(
          `--store memory cannot be soaked: sessions die with the pod, and the soak restarts pods\n${SOAK_USAGE}`,
        );
      }
      if (!isStoreName(value) || value === 'memory') {
        throw new Error(`unknown store '${value ?? ''}'\n${SOAK_USAGE}`);
      }
      store = value;
    } else if (arg === '--pods') pods = number(args, ++i, '--pods', 2, 16);
    else if (arg === '--restart-every') restartEveryS = number(args, ++i, '--restart-every', 5, 86_400);
    else if (arg === '--users') users = number(args, ++i, '--users', 1, 64);
    else if (arg === '--inject-leak') injectLeakKiB = number(args, ++i, '--inject-leak', 1, 65_536);
    else if (arg === '--help' || arg === '-h') return 'help';
    else throw new Error(`unknown option ${arg}\n${SOAK_USAGE}`);
  }
  return {
    durationS,
    store,
    pods,
    restartEveryS: restartEveryS ?? defaultRestartEvery(durationS),
    users,
    injectLeakKiB,
  };
}
