// The demo's side of its pods' telemetry (`pnpm demo --serve`; pod-telemetry.ts is the pod's side):
// a free Prometheus port per pod, and with `--traces` a file in a temporary directory of its own
// that every pod appends its spans to, printed here as it grows (what a pod prints itself is kept
// for error messages, not shown). The directory is removed by `stop()`, and otherwise when this
// process exits, however it ends (@mcp-session-store/testing's registerTempDir).
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { freePorts, registerTempDir } from '@mcp-session-store/testing';
import { podSettingsEnv } from './pod-settings.js';

/** How often the traces file is read for new spans. */
const FOLLOW_EVERY_MS = 200;

export interface DemoTelemetry {
  /** What every pod's environment gets (DEMO_TELEMETRY, DEMO_METRICS_PORTS, DEMO_TRACES_FILE). */
  readonly podEnv: Readonly<Record<string, string>>;
  /** Each pod's Prometheus endpoint, by pod name. */
  readonly metricsUrls: ReadonlyMap<string, string>;
  /** The file the pods append their spans to (with `traces`). */
  readonly tracesFile: string | undefined;
  /** Calls `print` with each line the pods append to the traces file, from its start. */
  followTraces(print: (line: string) => void): void;
  /** Stops following and removes the traces file; safe to call twice. */
  stop(): Promise<void>;
}

/** Telemetry for `pods` pods (named `pod-0`, `pod-1`, ... by the pod cluster), traces if asked. */
export async function prepareDemoTelemetry(options: {
  pods: number;
  traces: boolean;
}): Promise<DemoTelemetry> {
  const ports = await freePorts(options.pods);
  const metricsPorts = Object.fromEntries(ports.map((port, i) => [`pod-${i}`, port]));
  let tracesFile: string | undefined;
  let removeTraces = async () => {};
  if (options.traces) {
    const directory = await mkdtemp(join(tmpdir(), 'mcp-demo-traces-'));
    const forget = registerTempDir(directory);
    tracesFile = join(directory, 'spans.log');
    await writeFile(tracesFile, '');
    removeTraces = async () => {
      await rm(directory, { recursive: true, force: true });
      forget();
    };
  }
  let timer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  return {
    podEnv: podSettingsEnv({
      telemetry: true,
      metricsPorts,
      ...(tracesFile !== undefined && { tracesFile }),
    }),
    metricsUrls: new Map(
      Object.entries(metricsPorts).map(([pod, port]) => [pod, `http://127.0.0.1:${port}/metrics`]),
    ),
    tracesFile,
    followTraces(print) {
      if (!tracesFile || timer) return;
      const file = tracesFile;
      let offset = 0;
      let partial = '';
      // A read may end inside a character: the decoder keeps its first bytes for the next one.
      const decoder = new StringDecoder('utf8');
      let reading = false;
      // Polled, not watched: plain reads from where the last one ended work on every file system.
      timer = setInterval(() => {
        if (reading) return;
        reading = true;
        void (async () => {
          const handle = await open(file, 'r');
          try {
            const buffer = Buffer.alloc(64 * 1024);
            for (;;) {
              const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
              if (bytesRead === 0) break;
              offset += bytesRead;
              const lines = (partial + decoder.write(buffer.subarray(0, bytesRead))).split('\n');
              partial = lines.pop() ?? '';
              for (const line of lines) print(line);
            }
          } finally {
            await handle.close();
          }
        })()
          .catch(() => {}) // the file is gone: the demo is stopping
          .finally(() => {
            reading = false;
          });
      }, FOLLOW_EVERY_MS).unref();
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        await removeTraces();
      })();
      return stopping;
    },
  };
}
