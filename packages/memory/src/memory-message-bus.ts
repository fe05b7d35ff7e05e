import {
  assertBusPayload,
  assertValidChannel,
  closedError,
  type JsonValue,
  MAX_BUS_PAYLOAD_BYTES,
  type MessageBus,
  type MessageBusCapabilities,
  type MessageHandler,
  SessionStoreError,
  type Unsubscribe,
} from '@mcp-session-store/core';
import { DEFAULT_NAMESPACE, MemoryBackend, type Subscriber } from './backend.js';

/** Options of {@link MemoryMessageBus}. */
export interface MemoryMessageBusOptions {
  /** Share channels with other buses (see {@link MemoryBackend}). Default: a private backend. */
  backend?: MemoryBackend | undefined;
  /** Isolates channels from other namespaces of the same backend. Default `'mcp'`. */
  namespace?: string | undefined;
  /** Errors thrown by handlers. Default: none (they are dropped). */
  onError?: ((error: SessionStoreError) => void) | undefined;
}

const CAPABILITIES: MessageBusCapabilities = Object.freeze({
  adapter: '@mcp-session-store/memory',
  // Stryker disable next-line BooleanLiteral: the suites run in one process; the flag describes process boundaries they cannot see (docs/mutation.md)
  sharedAcrossProcesses: false,
  delivery: 'at-most-once',
  maxPayloadBytes: MAX_BUS_PAYLOAD_BYTES,
});

/**
 * A {@link MessageBus} inside one process. Each subscriber receives its own copy of every message,
 * asynchronously and in publish order; a slow or failing handler delays or affects no other one.
 *
 * @example
 * ```ts
 * const bus = new MemoryMessageBus();
 * const off = await bus.subscribe('inbox:pod-1', (msg) => console.log(msg));
 * await bus.publish('inbox:pod-1', { hello: 'pod-1' });
 * await off();
 * ```
 */
export class MemoryMessageBus implements MessageBus {
  readonly capabilities = CAPABILITIES;
  private readonly backend: MemoryBackend;
  private readonly namespace: string;
  private readonly onError: MemoryMessageBusOptions['onError'];
  private readonly subscriptions = new Set<Unsubscribe>();
  private closed = false;

  constructor(options: MemoryMessageBusOptions = {}) {
    this.backend = options.backend ?? new MemoryBackend();
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.onError = options.onError;
  }

  async publish(channel: string, payload: JsonValue): Promise<void> {
    this.assertOpen();
    assertValidChannel(channel);
    const text = assertBusPayload(payload, this.capabilities.maxPayloadBytes);
    for (const subscriber of this.channel(channel) ?? []) subscriber.deliver(text);
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe> {
    this.assertOpen();
    assertValidChannel(channel);
    if (typeof handler !== 'function')
      throw new SessionStoreError('INVALID_ARGUMENT', 'handler must be a function');
    let active = true;
    let queue = Promise.resolve();
    const subscriber: Subscriber = {
      deliver: (text) => {
        queue = queue.then(async () => {
          if (!active) return;
          try {
            await handler(JSON.parse(text) as JsonValue);
          } catch (error) {
            this.onError?.(
              new SessionStoreError('HANDLER_ERROR', `A message handler on ${channel} threw`, {
                cause: error,
              }),
            );
          }
        });
      },
    };
    const channels = this.backend.state(this.namespace).channels;
    let subscribers = channels.get(channel);
    if (!subscribers) {
      subscribers = new Set();
      channels.set(channel, subscribers);
    }
    subscribers.add(subscriber);
    const unsubscribe: Unsubscribe = async () => {
      // Stryker disable next-line ConditionalExpression: equivalent, a second call finds its subscriber already gone and never owns a newer channel set
      if (!active) return;
      active = false;
      this.subscriptions.delete(unsubscribe);
      subscribers.delete(subscriber);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, dropping the empty set frees memory only; a set of a newer subscription is never reached (the active guard)
      if (subscribers.size === 0 && channels.get(channel) === subscribers) channels.delete(channel);
    };
    this.subscriptions.add(unsubscribe);
    return unsubscribe;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((off) => off()));
  }

  private channel(name: string): Set<Subscriber> | undefined {
    return this.backend.state(this.namespace).channels.get(name);
  }

  private assertOpen(): void {
    // Stryker disable next-line StringLiteral: only the component's name in a CLOSED message; the suites check the code and that a message is there
    if (this.closed) throw closedError('MemoryMessageBus');
  }
}
