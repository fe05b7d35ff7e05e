// The demo's scripted client on SDK v2 (`@modelcontextprotocol/client` 2.x): `--sdk 2`. Its default
// version negotiation is 'legacy', a plain 2025 initialize: a session, which the router serves.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { CLIENT_ANSWERS, type Exchange, recordingFetch, type ScenarioClient } from './scenario-client.js';

export function createScenarioClientV2(endpoint: string): ScenarioClient {
  const client = new Client(
    { name: 'cluster-demo-client', version: '1.0.0' },
    { capabilities: { elicitation: {}, sampling: {} } },
  );
  client.setRequestHandler('elicitation/create', async () => CLIENT_ANSWERS.elicitation);
  client.setRequestHandler('sampling/createMessage', async () => ({
    role: 'assistant',
    content: { type: 'text', text: CLIENT_ANSWERS.llmText },
    model: CLIENT_ANSWERS.model,
  }));
  const updates: string[] = [];
  const logs: string[] = [];
  const exchanges: Exchange[] = [];
  client.setNotificationHandler('notifications/resources/updated', (n) => void updates.push(n.params.uri));
  client.setNotificationHandler('notifications/message', (n) => void logs.push(String(n.params.data)));
  let toolListChanges = 0;
  client.setNotificationHandler('notifications/tools/list_changed', () => void toolListChanges++);
  const transport = new StreamableHTTPClientTransport(new URL(endpoint), {
    fetch: recordingFetch(exchanges),
  });
  return {
    updates,
    logs,
    exchanges,
    get toolListChanges() {
      return toolListChanges;
    },
    async connect() {
      await client.connect(transport);
      return transport.sessionId ?? '';
    },
    callTool: (name, args, onprogress) =>
      client.callTool(
        { name, ...(args && { arguments: args }) },
        onprogress && { onprogress: (p) => onprogress(p.progress) },
      ),
    subscribeResource: async (uri) => void (await client.subscribeResource({ uri })),
    unsubscribeResource: async (uri) => void (await client.unsubscribeResource({ uri })),
    terminateSession: () => transport.terminateSession(),
    close: () => client.close(),
  };
}
