// The MCP side of one demo pod, on the SDK major it was started with: SDK 1.x's
// `createMcpSessionRouter` serving example-server.ts, or SDK v2's `createMcpSessionHandler` serving
// example-server-v2.ts, with the same options over the same backend. Only the chosen SDK is loaded.
// On v2 the example server also gets what spans pods: a notifier over the event bus every pod shares
// (core's `createServerEventBus`) and the `requestState` codec with the key every pod was given.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactSessionId } from '@mcp-session-store/core';
import type { SessionRouterOptions } from '@mcp-session-store/core/router';
import type { EnvBackend } from '@mcp-session-store/env-backend';
import type { ExampleRequestState } from './example-server-v2.js';
import type { PodSettings } from './pod-settings.js';
import { requestStateKeyFromEnv } from './request-state-key.js';

/** A pod's router: `handle(req, res)` for node:http, and `close()` to drain. */
export interface PodRouter {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(options?: { deadlineMs?: number }): Promise<void>;
}

export async function createPodRouter(
  pod: string,
  backend: EnvBackend,
  settings: PodSettings,
): Promise<PodRouter> {
  const { store, eventStore, bus } = backend;
  const options = (allowedHosts: readonly string[]): SessionRouterOptions => ({
    store,
    eventStore,
    bus,
    processId: pod,
    // Clients reconnect a stream closed mid-call (SEP-1699) after this long.
    retryIntervalMs: 500,
    localIdleMs: settings.localIdleMs,
    maxLocalSessions: settings.maxLocalSessions,
    // Loopback only, no TLS, no authentication: refuse DNS-rebinding requests.
    allowedHosts,
    // Errors answered with 5xx or raised outside a request; session ids are redacted, and messages
    // (which may quote client input) escaped and bounded before logging.
    hooks: {
      onError: (error, { operation, sessionId }) =>
        console.error(
          `${pod} ${operation}${sessionId ? ` session ${redactSessionId(sessionId)}` : ''}: ${JSON.stringify((error instanceof Error ? error.message : String(error)).slice(0, 300))}`,
        ),
    },
  });
  if (settings.sdk === 2) {
    const { createMcpSessionHandler, createServerEventBus, LOCALHOST_HOSTS } = await import(
      '@mcp-session-store/core/v2'
    );
    const { createRequestStateCodec } = await import('@modelcontextprotocol/server');
    const { createExampleServerV2 } = await import('./example-server-v2.js');
    const { notifierOf } = await import('./server-notifier.js');
    const events = createServerEventBus({
      bus,
      onError: (error, { operation }) =>
        console.error(`${pod} server events ${operation}: ${(error as Error)?.message ?? error}`),
    });
    const notify = notifierOf(events);
    const requestState = createRequestStateCodec<ExampleRequestState>({
      key: requestStateKeyFromEnv(process.env),
    });
    const handler = createMcpSessionHandler(
      ({ sessionId }) => createExampleServerV2({ pod, sessionId, store, notify, requestState }),
      options(LOCALHOST_HOSTS),
    );
    return {
      handle: (req, res) => handler.handle(req, res),
      close: async (closing) => {
        await handler.close(closing);
        await events.close();
      },
    };
  }
  const { createMcpSessionRouter, LOCALHOST_HOSTS } = await import('@mcp-session-store/core/router');
  const { createExampleServer } = await import('./example-server.js');
  return createMcpSessionRouter({
    ...options(LOCALHOST_HOSTS),
    createServer: ({ sessionId }) => createExampleServer({ pod, sessionId, store }),
  });
}
