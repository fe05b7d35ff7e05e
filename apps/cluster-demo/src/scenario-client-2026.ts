// The demo's 2026-07-28 client: SDK v2's real client (`@modelcontextprotocol/client` 2.x) pinned to
// the 2026-07-28 revision: no session, `server/discover` instead of `initialize`, every request
// carrying its own `_meta` envelope. It answers the `input_required` rounds of the example server's
// tools from its elicitation handler (the client retries with the answers and the `requestState`
// echoed, on whichever pod the balancer picks), holds a `subscriptions/listen` stream, and records
// every HTTP exchange with the pod that answered it (recordingFetch), requests as sent included.
import { Client, type McpSubscription, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type Exchange, recordingFetch } from './scenario-client.js';

export const MODERN_REVISION = '2026-07-28';

/** What the client answers for each form field the example server's tools ask about. */
export const FIELD_ANSWERS: Readonly<Record<string, string | boolean>> = {
  name: 'Ada',
  color: 'blue',
  ok: true,
};

export interface ModernScenarioClient {
  /** Discovers the server, pinned to 2026-07-28 (fails if it does not speak it). */
  connect(): Promise<void>;
  /**
   * tools/call. With `allowInputRequired`, an `input_required` result is returned as is (manual
   * mode) instead of being answered and retried.
   */
  callTool(name: string, options?: { allowInputRequired?: boolean }): Promise<unknown>;
  /** Opens a `subscriptions/listen` stream for tool list changes. */
  listenForToolChanges(): Promise<McpSubscription>;
  /**
   * Runs before each elicitation is answered, with the form fields asked for: between a round
   * and its retry.
   */
  beforeAnswer: ((fields: string[]) => Promise<void>) | undefined;
  /** The subscription id of each `notifications/tools/list_changed` received on a listen stream. */
  readonly toolListChanges: readonly unknown[];
  /** Every HTTP exchange so far, in the order the requests were made. */
  readonly exchanges: readonly Exchange[];
  close(): Promise<void>;
}

export function createModernScenarioClient(endpoint: string): ModernScenarioClient {
  const client = new Client(
    { name: 'cluster-demo-client-2026', version: '1.0.0' },
    {
      capabilities: { elicitation: { form: {} } },
      versionNegotiation: { mode: { pin: MODERN_REVISION } },
    },
  );
  const exchanges: Exchange[] = [];
  const toolListChanges: unknown[] = [];
  const self: ModernScenarioClient = {
    beforeAnswer: undefined,
    toolListChanges,
    exchanges,
    connect: () =>
      client.connect(
        new StreamableHTTPClientTransport(new URL(endpoint), { fetch: recordingFetch(exchanges) }),
      ),
    callTool: (name, options) =>
      client.callTool(
        { name, arguments: {} },
        options?.allowInputRequired ? { allowInputRequired: true } : undefined,
      ),
    listenForToolChanges: () => client.listen({ toolsListChanged: true }),
    close: () => client.close(),
  };
  client.setRequestHandler('elicitation/create', async (request) => {
    const schema = (request.params as { requestedSchema?: { properties?: object } }).requestedSchema;
    const fields = Object.keys(schema?.properties ?? {});
    await self.beforeAnswer?.(fields);
    const content = Object.fromEntries(
      fields.filter((f) => FIELD_ANSWERS[f] !== undefined).map((f) => [f, FIELD_ANSWERS[f]!]),
    );
    return { action: 'accept', content };
  });
  client.setNotificationHandler('notifications/tools/list_changed', (notification) => {
    const meta = notification.params?._meta as Record<string, unknown> | undefined;
    toolListChanges.push(meta?.['io.modelcontextprotocol/subscriptionId']);
  });
  return self;
}
