// `pnpm conformance`'s command line: what it accepts, its defaults, and the message for what it refuses.
import { isStoreName, STORES, type StoreName } from './cluster.js';
import { DEFAULT_SDK, parseSdkMajor, type SdkMajor } from './sdk-major.js';

export const CONFORMANCE_USAGE = `Usage: pnpm conformance [--sdk 1|2] [--store stock|stock-cluster|memory|redis|postgres|dynamodb|all] [--pods N]
  --sdk    the MCP SDK major of the servers: 1 (default: @modelcontextprotocol/sdk 1.x, stock-server.ts and
           createMcpSessionRouter; runner 0.1.16 active and 0.2.0-alpha.12 2025-11-25 all) or 2
           (@modelcontextprotocol/server 2.x, stock-server-v2.ts serving both eras and
           createMcpSessionHandler; runner 0.2.0-alpha.12 2026-07-28 all and 2025-11-25 all)
  --store  what to test (repeatable; default all: the stock single-process baseline, the same stock
           server as N processes behind the balancer without the router (the problem: expected to
           fail, not counted), then memory with 1 pod and redis, postgres, dynamodb with N pods each;
           any failed check or warning fails a target other than the problem)
  --pods   pods per shared backend and for stock-cluster (default 3)`;

/** `stock-cluster` is the problem this project solves: it is expected to fail and is not counted. */
export type Target = 'stock' | 'stock-cluster' | StoreName;
export const ALL_TARGETS: readonly Target[] = ['stock', 'stock-cluster', ...STORES];

export interface ConformanceOptions {
  sdk: SdkMajor;
  targets: Target[];
  pods: number;
}

/** Parses the conformance run's arguments. Throws an Error whose message ends with the usage on bad input. */
export function parseConformanceArgs(argv: readonly string[]): ConformanceOptions | 'help' {
  const targets: Target[] = [];
  let sdk: SdkMajor = DEFAULT_SDK;
  let pods = 3;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--store') {
      const value = argv[++i];
      if (value === 'all') targets.push(...ALL_TARGETS);
      else if (value === 'stock' || value === 'stock-cluster' || isStoreName(value)) targets.push(value);
      else throw new Error(`unknown store '${value}'\n${CONFORMANCE_USAGE}`);
    } else if (arg === '--sdk') {
      try {
        sdk = parseSdkMajor(argv[++i]);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${CONFORMANCE_USAGE}`);
      }
    } else if (arg === '--pods') {
      pods = Number(argv[++i]);
      if (!Number.isInteger(pods) || pods < 1 || pods > 16)
        throw new Error(`--pods takes 1-16\n${CONFORMANCE_USAGE}`);
    } else if (arg === '--help' || arg === '-h') {
      return 'help';
    } else throw new Error(`unknown option ${arg}\n${CONFORMANCE_USAGE}`);
  }
  return { sdk, targets: targets.length > 0 ? [...new Set(targets)] : [...ALL_TARGETS], pods };
}
