import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as OtelApi from '@opentelemetry/api';

/** The `@opentelemetry/api` module, as this library uses it. */
export type OtelApiModule = typeof OtelApi;

let loaded: OtelApiModule | null | undefined;

/**
 * `@opentelemetry/api` if the application installed it (an optional peer dependency), else null:
 * loaded once, synchronously, so a router built before the first request records from the first
 * request on. The API keeps its registered providers on a global, so this copy sees the SDK the
 * application registered whichever module format either of them loaded.
 */
export function otelApi(): OtelApiModule | null {
  if (loaded !== undefined) return loaded;
  try {
    // `__filename` is shimmed in the ESM build (tsup `shims`): resolved from this package, where a
    // peer dependency is linked. (Only this file's source run as ESM lacks it: the application's
    // directory then.)
    const from = typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js');
    loaded = createRequire(from)('@opentelemetry/api') as OtelApiModule;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    loaded = null;
  }
  return loaded;
}
