/**
 * The router's binding to `@modelcontextprotocol/sdk` 1.x: the one module of the router that
 * imports a value from that SDK. What it relies on beyond the public API is in sdk-rehydration.ts
 * (shared with v2) and guarded by test/router/sdk-rehydration.test.ts.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { SdkBinding, SessionTransport } from './sdk-binding.js';
import type { ProtocolVersions } from './sdk-rehydration.js';

/** SDK 1.x's protocol versions, as its `initialize` negotiates them. */
export const SDK1_PROTOCOL_VERSIONS: ProtocolVersions = {
  supported: SUPPORTED_PROTOCOL_VERSIONS,
  latest: LATEST_PROTOCOL_VERSION,
};

/** The SDK 1.x binding: its transport class, connected to an `McpServer` or a low-level `Server`. */
export const sdk1Binding: SdkBinding<McpServer | Server> = {
  versions: SDK1_PROTOCOL_VERSIONS,
  createTransport: (options) =>
    new WebStandardStreamableHTTPServerTransport({
      ...(options.sessionIdGenerator && { sessionIdGenerator: options.sessionIdGenerator }),
      ...(options.eventStore && { eventStore: options.eventStore }),
      ...(options.retryInterval !== undefined && { retryInterval: options.retryInterval }),
    }),
  // Every transport here came from createTransport: the SDK's own class.
  connect: (server, transport: SessionTransport) =>
    server.connect(transport as WebStandardStreamableHTTPServerTransport),
  closeServer: (server) => server.close(),
};
