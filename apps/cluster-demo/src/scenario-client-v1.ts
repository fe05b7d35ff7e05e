// The demo's scripted client on SDK 1.x (`@modelcontextprotocol/sdk`): `--sdk 1`.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { CLIENT_ANSWERS, type Exchange, recordingFetch, type ScenarioClient } from './scenario-client.js';

export function createScenarioClientV1(endpoint: string): ScenarioClient {
  const client = new Client(
    { name: 'cluster-demo-client', version: '1.0.0' },
    { capabilities: { elicitation: {}, sampling: {} } },
  );
  client.setRequestHandler(ElicitRequestSchema, async () => CLIENT_ANSWERS.elicitation);
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: 'assistant',
    content: { type: 'text', text: CLIENT_ANSWERS.llmText },
    model: CLIENT_ANSWERS.model,
  }));
  const updates: string[] = [];
  const logs: string[] = [];
  const exchanges: Exchange[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
  let toolListChanges = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void toolListChanges++);
  client.setNotificationHandler(
    LoggingMessageNotificationSchema,
    (n) => void logs.push(String(n.params.data)),
  );
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
        undefined,
        onprogress && { onprogress: (p) => onprogress(p.progress) },
      ),
    subscribeResource: async (uri) => void (await client.subscribeResource({ uri })),
    unsubscribeResource: async (uri) => void (await client.unsubscribeResource({ uri })),
    terminateSession: () => transport.terminateSession(),
    close: () => client.close(),
  };
}
