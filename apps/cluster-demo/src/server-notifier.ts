// SDK v2's `ServerNotifier` (what `createMcpHandler` returns as `handler.notify`) over any
// `ServerEventBus`: each method publishes the matching event, which the bus delivers to the listen
// streams subscribed to it. Over core's `createServerEventBus`, a change announced on one pod
// reaches every pod's streams.
import type { ServerEventBus, ServerNotifier } from '@modelcontextprotocol/server';

/** The notifier that publishes on `bus`. */
export function notifierOf(bus: Pick<ServerEventBus, 'publish'>): ServerNotifier {
  return {
    toolsChanged: () => bus.publish({ kind: 'tools_list_changed' }),
    promptsChanged: () => bus.publish({ kind: 'prompts_list_changed' }),
    resourcesChanged: () => bus.publish({ kind: 'resources_list_changed' }),
    resourceUpdated: (uri) => bus.publish({ kind: 'resource_updated', uri }),
  };
}
