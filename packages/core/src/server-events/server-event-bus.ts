/**
 * SDK v2's `ServerEventBus` (what `createMcpHandler({ bus })` delivers to `subscriptions/listen`
 * streams) over any {@link MessageBus}, so a change made on one pod reaches the listen streams every
 * pod holds. Written once over the bus contract: every adapter's bus, and any third party's, serves
 * it. Structural: nothing here imports the SDK, and an instance is assignable to v2's interface.
 */
import { randomBytes } from 'node:crypto';
import type { MessageBus, Unsubscribe } from '../contract/message-bus.js';
import { SessionStoreError } from '../errors.js';
import type { JsonValue } from '../json.js';

/** A change the server announces, as v2's `ServerEvent` has it (`params` since SDK 2.4.0). */
export type ServerEvent = (
  | { kind: 'tools_list_changed' }
  | { kind: 'prompts_list_changed' }
  | { kind: 'resources_list_changed' }
  | { kind: 'resource_updated'; uri: string }
) & { params?: Record<string, unknown> | undefined };

/** The kinds of {@link ServerEvent}. */
export const SERVER_EVENT_KINDS: readonly ServerEvent['kind'][] = Object.freeze([
  'tools_list_changed',
  'prompts_list_changed',
  'resources_list_changed',
  'resource_updated',
]);

/** The bus channel server events travel on, unless told otherwise. */
export const SERVER_EVENTS_CHANNEL = 'mcpss:server-events';

/** Options of {@link createServerEventBus}. */
export interface ServerEventBusOptions {
  /** The message bus every pod shares (the router's own is fine: the channel is separate). */
  bus: MessageBus;
  /** The bus channel. Default {@link SERVER_EVENTS_CHANNEL}; pods of one server must agree. */
  channel?: string | undefined;
  /**
   * Failures that must not reach the publisher: a bus that cannot carry an event, a bus
   * subscription that failed (retried on the next publish or subscribe), a listener that threw.
   */
  onError?:
    | ((error: unknown, context: { operation: 'publish' | 'subscribe' | 'listener' }) => void)
    | undefined;
}

/** A v2 `ServerEventBus` shared by every pod through a {@link MessageBus}. */
export interface SharedServerEventBus {
  /**
   * Delivers `event` to this pod's listeners at once and to every other pod's through the bus,
   * once each. Never throws for a bus failure (it goes to `onError`).
   *
   * @throws SessionStoreError `INVALID_ARGUMENT` for an event that is not a {@link ServerEvent}.
   */
  publish(event: ServerEvent): void;
  /** Adds a listener for every event of every pod; the returned function removes it (idempotent). */
  subscribe(listener: (event: ServerEvent) => void): () => void;
  /** Resolves once events from other pods are being received (rejects while the bus cannot subscribe). */
  ready(): Promise<void>;
  /** Stops receiving from the bus (the bus itself stays open: its owner closes it). */
  close(): Promise<void>;
}

function isServerEvent(value: unknown): value is ServerEvent {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, uri, params } = value as { kind?: unknown; uri?: unknown; params?: unknown };
  if (!SERVER_EVENT_KINDS.includes(kind as ServerEvent['kind'])) return false;
  if (kind === 'resource_updated' && typeof uri !== 'string') return false;
  return params === undefined || (typeof params === 'object' && params !== null && !Array.isArray(params));
}

/**
 * A v2 `ServerEventBus` over `bus`: pass it to `createMcpHandler(factory, { bus })` on every pod, and
 * `handler.notify.toolsChanged()` on any pod reaches the listen streams of all of them.
 *
 * @example
 * ```ts
 * import { createServerEventBus } from '@mcp-session-store/core';
 * import { createMcpHandler } from '@modelcontextprotocol/server';
 *
 * const events = createServerEventBus({ bus: new RedisMessageBus({ redis }) });
 * const handler = createMcpHandler(buildServer, { bus: events });
 * handler.notify.toolsChanged(); // every pod's subscriptions/listen streams get it
 * ```
 */
export function createServerEventBus(options: ServerEventBusOptions): SharedServerEventBus {
  if (!options?.bus) throw new SessionStoreError('INVALID_ARGUMENT', 'createServerEventBus needs a bus');
  const { bus, onError } = options;
  const channel = options.channel ?? SERVER_EVENTS_CHANNEL;
  // Events this instance published come back over the bus: they were delivered locally already.
  const origin = randomBytes(12).toString('base64url');
  const listeners = new Set<(event: ServerEvent) => void>();
  let subscription: Promise<Unsubscribe> | undefined;
  let closed = false;

  const deliver = (event: ServerEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        onError?.(error, { operation: 'listener' });
      }
    }
  };
  const subscribed = (): Promise<Unsubscribe> => {
    subscription ??= bus
      .subscribe(channel, (payload) => {
        const message = payload as { origin?: unknown; event?: unknown } | null;
        if (message?.origin === origin || !isServerEvent(message?.event)) return;
        deliver(message.event);
      })
      .catch((error: unknown) => {
        subscription = undefined; // the next publish or subscribe tries again
        onError?.(error, { operation: 'subscribe' });
        throw error;
      });
    return subscription;
  };
  void subscribed().catch(() => {});

  return {
    publish(event) {
      if (!isServerEvent(event)) {
        throw new SessionStoreError(
          'INVALID_ARGUMENT',
          'not a server event (kind, and uri for resource_updated)',
        );
      }
      deliver(event);
      if (closed) return;
      void subscribed().catch(() => {});
      bus
        .publish(channel, { origin, event } as unknown as JsonValue)
        .catch((error: unknown) => onError?.(error, { operation: 'publish' }));
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!closed) void subscribed().catch(() => {});
      return () => void listeners.delete(listener);
    },
    async ready() {
      await subscribed();
    },
    async close() {
      closed = true;
      const current = subscription;
      subscription = undefined;
      const off = await current?.catch(() => undefined);
      await off?.();
    },
  };
}
