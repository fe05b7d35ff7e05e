// The v2 example server's diagnostic tools, under the names the 2026-07-28 runner calls: the listen
// triggers (a change announced to every open `subscriptions/listen` stream), the `server-stateless`
// probes (a call that logs, one whose stream must carry no request) and a tool with an
// `x-mcp-header` parameter (SEP-2243 header validation). The triggers announce through the `notify`
// the process passes in, never the server instance's own `send*ListChanged()`: on the 2026-07-28
// path every request gets a fresh instance that holds no listen stream, and on many processes the
// stream may be open on another one, so only the serving entry's notifier (shared by every process
// on a cluster) reaches it.
import { fromJsonSchema, type McpServer, type ServerNotifier } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { text } from './example-content.js';

/** The `x-mcp-header` tool's arguments: `region` is mirrored into the `Mcp-Param-Region` header. */
const X_MCP_HEADER_SCHEMA = {
  type: 'object' as const,
  properties: {
    region: { type: 'string', description: 'Mirrored into Mcp-Param-Region', 'x-mcp-header': 'Region' },
    level: { type: 'integer', description: 'Not mirrored' },
  },
};

/** Registers the diagnostic tools on `server`; the triggers announce through `notify`. */
export function registerDiagnosticTools(server: McpServer, notify: ServerNotifier): void {
  const tool = (name: string, description: string, run: () => Promise<string> | string) =>
    server.registerTool(name, { description, inputSchema: z.object({}) }, async () => text(await run()));

  // --- listen triggers ----------------------------------------------------------------------------
  tool('test_trigger_tool_change', 'Announces that the tool list changed (to every listen stream)', () => {
    notify.toolsChanged();
    return 'tools/list_changed announced';
  });
  tool(
    'test_trigger_prompt_change',
    'Announces that the prompt list changed (to every listen stream)',
    () => {
      notify.promptsChanged();
      return 'prompts/list_changed announced';
    },
  );
  tool(
    'test_trigger_resource_change',
    'Announces that the resource list changed (to every listen stream)',
    () => {
      notify.resourcesChanged();
      return 'resources/list_changed announced';
    },
  );

  // --- server-stateless probes --------------------------------------------------------------------
  tool('test_streaming_elicitation', 'A plain call: its response stream carries no request', () => 'done');
  server.registerTool(
    'test_logging_tool',
    {
      description: 'Logs through ctx.mcpReq.log: sent only if the request asked for a log level',
      inputSchema: z.object({}),
    },
    async (_args, ctx) => {
      await ctx.mcpReq.log('info', 'test_logging_tool ran');
      return text('logged (if the request set a log level)');
    },
  );

  // --- SEP-2243: a parameter the client mirrors into a header, which the SDK checks -------------------
  server.registerTool(
    'test_x_mcp_header',
    {
      description: 'Has a parameter mirrored into an Mcp-Param header (SEP-2243)',
      inputSchema: fromJsonSchema<{ region?: string; level?: number }>(X_MCP_HEADER_SCHEMA),
    },
    async ({ region }) => text(`region=${region ?? '<none>'}`),
  );
}
