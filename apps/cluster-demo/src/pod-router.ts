// The MCP side of one demo pod, on the SDK major it was started with: SDK 1.x's
// `createMcpSessionRouter` serving example-server.ts, or SDK v2's `createMcpSessionHandler` serving
// example-server-v2.ts, with the same options over the same backend. Only the chosen SDK is loaded.
import { redactSessionId } from '@mcp-session-store/core';
import type { McpSessionRouter, SessionRouterOptions } from '@mcp-session-store/core/router';
import type { EnvBackend } from '@mcp-session-store/env-backend';
import type { PodSettings } from './pod-settings.js';

/** A pod's router: `handle(req, res)` for node:http, and `close()` to drain. */
export async function createPodRouter(
  pod: string,
  backend: EnvBackend,
  settings: PodSettings,
): Promise<McpSessionRouter> {
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
    const { createMcpSessionHandler, LOCALHOST_HOSTS } = await import('@mcp-session-store/core/v2');
    const { createExampleServerV2 } = await import('./example-server-v2.js');
    return createMcpSessionHandler(
      ({ sessionId }) => createExampleServerV2({ pod, sessionId, store }),
      options(LOCALHOST_HOSTS),
    );
  }
  const { createMcpSessionRouter, LOCALHOST_HOSTS } = await import('@mcp-session-store/core/router');
  const { createExampleServer } = await import('./example-server.js');
  return createMcpSessionRouter({
    ...options(LOCALHOST_HOSTS),
    createServer: ({ sessionId }) => createExampleServer({ pod, sessionId, store }),
  });
}
