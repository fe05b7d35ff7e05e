/**
 * The router's binding to `@modelcontextprotocol/server` 2.x (SDK v2): the one module of the
 * router that imports a value from that SDK. v2 keeps 1.x's sessionful transport unchanged, so
 * rehydration is shared (sdk-rehydration.ts), guarded on v2 by test/router/sdk-rehydration.test.ts.
 */
import {
  LATEST_PROTOCOL_VERSION,
  type McpServer,
  type Server,
  SUPPORTED_PROTOCOL_VERSIONS,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import type { SdkBinding, SessionTransport } from './sdk-binding.js';
import type { ProtocolVersions } from './sdk-rehydration.js';

/** SDK v2's protocol versions, as its `initialize` negotiates them. */
export const SDK2_PROTOCOL_VERSIONS: ProtocolVersions = {
  supported: SUPPORTED_PROTOCOL_VERSIONS,
  latest: LATEST_PROTOCOL_VERSION,
};

/** The SDK v2 binding: its transport class, connected to an `McpServer` or a low-level `Server`. */
export const sdk2Binding: SdkBinding<McpServer | Server> = {
  versions: SDK2_PROTOCOL_VERSIONS,
  createTransport: (options) =>
    new WebStandardStreamableHTTPServerTransport({
      ...(options.sessionIdGenerator && { sessionIdGenerator: options.sessionIdGenerator }),
      ...(options.eventStore && { eventStore: options.eventStore }),
      ...(options.retryInterval !== undefined && { retryInterval: options.retryInterval }),
    }) as unknown as SessionTransport,
  // Every transport here came from createTransport: the SDK's own class.
  connect: (server, transport: SessionTransport) =>
    server.connect(transport as unknown as WebStandardStreamableHTTPServerTransport),
  closeServer: (server) => server.close(),
};
