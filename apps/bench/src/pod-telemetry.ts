// The router's `telemetry` option in a bench pod of ours (TELEMETRY): `default` leaves it out, as an
// application does, so the router records through `@opentelemetry/api` with no SDK registered (no
// bench pod registers one); `off` passes `telemetry: false`. The throughput section runs both side
// by side (issue 19: the API present and no SDK must cost nothing measurable).
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import { POD_NAME } from './pod-env.js';

/** TELEMETRY's values. */
export type PodTelemetry = 'default' | 'off';

/** The pod's TELEMETRY (default `default`); throws on anything else. */
export function podTelemetry(): PodTelemetry {
  const mode = process.env.TELEMETRY || 'default';
  if (mode !== 'default' && mode !== 'off') {
    throw new Error(`${POD_NAME}: TELEMETRY must be default or off, got '${mode}'`);
  }
  return mode;
}

/**
 * What to spread into the router's options: `{ telemetry: false }` for `off`; nothing for
 * `default`, once it is checked that the router will find `@opentelemetry/api` (resolved from the
 * core package, as the router resolves its optional peer) and that no SDK is registered, so the
 * variant measures what its label says.
 */
export function telemetryOptions(): { telemetry?: false } {
  if (podTelemetry() === 'off') return { telemetry: false };
  let api: typeof OtelApi;
  try {
    api = createRequire(import.meta.resolve('@mcp-session-store/core'))('@opentelemetry/api');
  } catch (error) {
    throw new Error(`${POD_NAME}: @opentelemetry/api is not resolvable from the core package: ${error}`);
  }
  const noopMeter = api.createNoopMeter().constructor;
  if (
    api.trace.getTracer('bench').startSpan('probe').isRecording() ||
    api.metrics.getMeter('bench').constructor !== noopMeter
  ) {
    throw new Error(`${POD_NAME}: an OpenTelemetry SDK is registered; bench pods measure the API alone`);
  }
  return {};
}
