/**
 * Handing a request's span between the router's entry points, and ending it when the answer is
 * complete: a streamed answer's span lasts until its last byte, a stream that stays open (a GET
 * stream, a listen stream) ends its span once set up (the stream's life is a gauge, not a span).
 */
import type { RequestTrace } from '../telemetry/telemetry.js';
import { BODY_DONE_SLOT, onBodyDone, type WithBodyDoneSlot } from './body-done.js';

/**
 * Internal field of `fetch` options: a span the caller (the dual-era handler) started and ends,
 * or null when the caller decided the request is not traced (no second `startSpan`).
 */
export const REQUEST_TRACE_SLOT: unique symbol = Symbol('mcp-session-store.requestTrace');

/** Options that may carry a {@link REQUEST_TRACE_SLOT}. */
export interface WithRequestTrace {
  [REQUEST_TRACE_SLOT]?: RequestTrace | null | undefined;
}

/**
 * Serves a request in `trace`'s context (store calls and rehydration become its children) and
 * ends the span: at once if `work` throws (then rethrown), if the request opens a stream that
 * stays open (a GET stream, `subscriptions/listen`: set up is what the span covers) or if the
 * answer is not an SSE body (complete already: a caller that never reads it, say a 503's, must not
 * leave the span open); otherwise once that body is done, through `options`' end-of-body slot when
 * the node:http writer takes it, else by wrapping the body. The router and the dual-era handler
 * both serve their traced requests through this.
 */
export async function serveTraced(
  trace: RequestTrace,
  request: Request,
  /** The request's `fetch` options: they may carry the node:http writer's end-of-body slot. */
  options: object,
  work: () => Promise<Response>,
): Promise<Response> {
  let response: Response;
  try {
    response = await trace.run(work);
  } catch (error) {
    trace.end(500, error);
    throw error;
  }
  const end = () => trace.end(response.status);
  const streaming = response.headers.get('content-type')?.startsWith('text/event-stream') === true;
  if (request.method === 'GET' || trace.opensStream || !response.body || !streaming) {
    end();
    return response;
  }
  const slot = (options as WithBodyDoneSlot)[BODY_DONE_SLOT];
  if (slot) {
    const inner = slot.done;
    slot.done = () => {
      inner?.();
      end();
    };
    return response;
  }
  return onBodyDone(response, end);
}
