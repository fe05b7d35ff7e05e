// The MCP side of one demo pod, on the SDK major it was started with: SDK 1.x's
// `createMcpSessionRouter` serving example-server.ts, or SDK v2's `createMcpDualEraHandler` serving
// example-server-v2.ts, with the same options over the same backend. Only the chosen SDK is loaded.
// On v2 the pods serve both protocol eras from one endpoint (`createMcpDualEraHandler`), and the
// example server gets what spans pods: the handler's `notify` (every pod's listen and GET streams)
// and core's `requestState` codec, sealed with the keyring file every pod was given (followed as it
// changes: key rotation on live pods, keyring-file-codec.ts) and used at most once on any pod
// (the backend's claim store).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactSessionId } from '@mcp-session-store/core';
import type { SessionRouterOptions } from '@mcp-session-store/core/router';
import type { McpDualEraHandler } from '@mcp-session-store/core/v2';
import type { EnvBackend } from '@mcp-session-store/env-backend';
import type { ExampleRequestState } from './example-server-v2.js';
import { requestStateCodecFromEnv } from './keyring-file-codec.js';
import type { PodSettings } from './pod-settings.js';

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
  const { store, eventStore, bus, claims } = backend;
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
    const { createMcpDualEraHandler, LOCALHOST_HOSTS } = await import('@mcp-session-store/core/v2');
    const { createExampleServerV2 } = await import('./example-server-v2.js');
    const requestState = await requestStateCodecFromEnv<ExampleRequestState>(process.env, {
      claims,
      onReload: ({ activeKeyId, keyIds }) =>
        console.log(`${pod} requestState keyring reloaded: active ${activeKeyId} of ${keyIds.join(', ')}`),
      onError: (error) =>
        console.error(`${pod} requestState keyring not reloaded, keeping the last one: ${error.message}`),
    });
    // One endpoint for both eras: 2025 sessions through the router, 2026-07-28 requests through the
    // SDK's createMcpHandler; `notify` reaches both eras' streams on every pod.
    const handler: McpDualEraHandler = createMcpDualEraHandler(
      ({ sessionId }) =>
        createExampleServerV2({ pod, sessionId, store, notify: handler.notify, requestState }),
      options(LOCALHOST_HOSTS),
    );
    return handler;
  }
  const { createMcpSessionRouter, LOCALHOST_HOSTS } = await import('@mcp-session-store/core/router');
  const { createExampleServer } = await import('./example-server.js');
  return createMcpSessionRouter({
    ...options(LOCALHOST_HOSTS),
    createServer: ({ sessionId }) => createExampleServer({ pod, sessionId, store }),
  });
}
