// `pnpm demo`'s command line: what it accepts, its defaults, and the message for what it refuses.
import { isStoreName, type StoreName } from './cluster.js';
import { parseSdkMajor, type SdkMajor } from './sdk-major.js';

/**
 * The demo's SDK major when `--sdk` is not given: v2, whose pods serve both protocol eras, so the
 * main job shows both (`--sdk 1` is the SDK 1.x demo, 2025 sessions only).
 */
export const DEMO_DEFAULT_SDK: SdkMajor = 2;

export const DEMO_USAGE = `Usage: pnpm demo [--store memory|redis|postgres|dynamodb] [--pods N] [--sdk 1|2] [--port P] [--serve [--traces]]
  --store  postgres (default: an embedded PostgreSQL, or DATABASE_URL), redis (REDIS_URL, default
           redis://127.0.0.1:6379), dynamodb (DynamoDB Local, or DYNAMODB_ENDPOINT) or memory (one pod)
  --pods   pod processes behind the balancer, 1-16 (default 3; memory: 1)
  --sdk    the MCP SDK major of the pods and of the scripted clients: 2 (default: @modelcontextprotocol/
           server and client 2.x; the pods serve both protocol eras with createMcpDualEraHandler, and a
           2025 session client and a 2026-07-28 client are driven) or 1 (@modelcontextprotocol/sdk 1.x,
           2025 sessions only, createMcpSessionRouter)
  --port   the balancer's port on 127.0.0.1 (default: any free port)
  --serve  instead of running the scenarios, serve until SIGINT/SIGTERM (point any MCP client at it);
           every pod serves its OpenTelemetry metrics to Prometheus on a port of its own (printed)
  --traces with --serve: print every pod's spans as OpenTelemetry's ConsoleSpanExporter does, each
           line after the pod's name (many lines per request)`;

export interface DemoOptions {
  store: StoreName;
  pods: number;
  sdk: SdkMajor;
  port: number | undefined;
  serve: boolean;
  /** Print the pods' spans (with `serve` only). */
  traces: boolean;
}

/** Parses the demo's arguments. Throws an Error whose message ends with the usage on bad input. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions | 'help' {
  let store: StoreName = 'postgres';
  let pods: number | undefined;
  let sdk: SdkMajor = DEMO_DEFAULT_SDK;
  let port: number | undefined;
  let serve = false;
  let traces = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--store') {
      const value = argv[++i];
      if (!isStoreName(value)) throw new Error(`unknown store '${value}'\n${DEMO_USAGE}`);
      store = value;
    } else if (arg === '--pods') {
      pods = Number(argv[++i]);
      if (!Number.isInteger(pods) || pods < 1 || pods > 16)
        throw new Error(`--pods takes 1-16\n${DEMO_USAGE}`);
    } else if (arg === '--sdk') {
      try {
        sdk = parseSdkMajor(argv[++i]);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${DEMO_USAGE}`);
      }
    } else if (arg === '--port') {
      port = Number(argv[++i]);
      if (!Number.isInteger(port) || port < 1 || port > 65_535)
        throw new Error(`--port takes 1-65535\n${DEMO_USAGE}`);
    } else if (arg === '--serve') {
      serve = true;
    } else if (arg === '--traces') {
      traces = true;
    } else if (arg === '--help' || arg === '-h') {
      return 'help';
    } else throw new Error(`unknown option ${arg}\n${DEMO_USAGE}`);
  }
  if (traces && !serve) throw new Error(`--traces goes with --serve\n${DEMO_USAGE}`);
  return { store, pods: pods ?? (store === 'memory' ? 1 : 3), sdk, port, serve, traces };
}
