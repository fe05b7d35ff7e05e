import {
  assertBusPayload,
  assertValidChannel,
  type BusSubscription,
  closedError,
  deliverToSubscriptions,
  type JsonValue,
  MAX_BUS_PAYLOAD_BYTES,
  type MessageBus,
  type MessageBusCapabilities,
  type MessageHandler,
  newBusSubscription,
  SessionStoreError,
  type Unsubscribe,
} from '@mcp-session-store/core';
import { CommandRunner } from './command-runner.js';
import { RedisKeys } from './keys.js';
import { duplicateClient, publishConnection, type RedisClient } from './redis-client.js';

/** Options of {@link RedisMessageBus}. */
export interface RedisMessageBusOptions {
  /** Your ioredis client: publishes go through it; subscriptions use a duplicate of it. */
  redis: RedisClient;
  /** Channel prefix (channels are `<keyPrefix>bus:<channel>`). Default `'mcp:session:'`. */
  keyPrefix?: string | undefined;
  /** Bound on each publish/subscribe call. Default 2000 ms. */
  commandTimeoutMs?: number | undefined;
  /** Errors thrown by handlers (`HANDLER_ERROR`) and undecodable messages. */
  onError?: ((error: SessionStoreError) => void) | undefined;
}

const CAPABILITIES: MessageBusCapabilities = Object.freeze({
  adapter: '@mcp-session-store/redis',
  sharedAcrossProcesses: true,
  delivery: 'at-most-once',
  maxPayloadBytes: MAX_BUS_PAYLOAD_BYTES,
});

/**
 * A {@link MessageBus} on Redis pub/sub. Publishes go through your client; subscriptions live on one
 * connection of their own (a duplicate of your client, created on first subscribe), which ioredis
 * resubscribes after a reconnect. At most once: a message published while a process is
 * disconnected does not reach it. Works with `Cluster` (classic pub/sub reaches every node).
 *
 * @example
 * ```ts
 * const bus = new RedisMessageBus({ redis });
 * const off = await bus.subscribe(inboxChannel('pod-1'), (msg) => route(msg));
 * await bus.publish(inboxChannel('pod-1'), { kind: 'answer' });
 * ```
 */
export class RedisMessageBus implements MessageBus {
  readonly capabilities = CAPABILITIES;
  private readonly keys: RedisKeys;
  private readonly runner: CommandRunner;
  private readonly onError: RedisMessageBusOptions['onError'];
  private readonly channels = new Map<string, Set<BusSubscription>>();
  /** SUBSCRIBE calls Redis has not confirmed yet, by channel. */
  private readonly pending = new Map<string, Promise<unknown>>();
  private subscriber: RedisClient | undefined;
  private closed = false;

  constructor(options: RedisMessageBusOptions) {
    if (!options?.redis)
      throw new SessionStoreError('INVALID_ARGUMENT', 'redis (an ioredis client) is required');
    this.keys = new RedisKeys(options.keyPrefix);
    this.runner = new CommandRunner(options.redis, options.commandTimeoutMs);
    this.onError = options.onError;
  }

  async publish(channel: string, payload: JsonValue): Promise<void> {
    this.assertOpen();
    assertValidChannel(channel);
    const text = assertBusPayload(payload, this.capabilities.maxPayloadBytes);
    await this.runner.run('bus publish', async (redis) =>
      (await publishConnection(redis)).publish(this.keys.channel(channel), text),
    );
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe> {
    this.assertOpen();
    assertValidChannel(channel);
    if (typeof handler !== 'function')
      throw new SessionStoreError('INVALID_ARGUMENT', 'handler must be a function');
    const name = this.keys.channel(channel);
    const subscription = newBusSubscription(handler);
    let subscriptions = this.channels.get(name);
    if (!subscriptions) {
      subscriptions = new Set();
      this.channels.set(name, subscriptions);
      const confirmed = this.runner.run('bus subscribe', () => this.connection().subscribe(name));
      this.pending.set(name, confirmed);
      try {
        await confirmed;
      } catch (error) {
        if (this.channels.get(name) === subscriptions && subscriptions.size === 0) this.channels.delete(name);
        throw error;
        // Stryker disable next-line BlockStatement: equivalent, a settled promise left behind only costs memory (a later subscribe replaces or awaits it)
      } finally {
        this.pending.delete(name);
      }
    } else {
      // Another subscribe of this channel may still be waiting for Redis: resolve only once it is live.
      await this.pending.get(name);
    }
    subscriptions.add(subscription);
    return async () => {
      if (!subscription.active) return;
      subscription.active = false;
      subscriptions.delete(subscription);
      if (subscriptions.size === 0 && this.channels.get(name) === subscriptions) {
        this.channels.delete(name);
        if (!this.closed) await this.runner.run('bus unsubscribe', () => this.connection().unsubscribe(name));
      }
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const subscriptions of this.channels.values()) for (const s of subscriptions) s.active = false;
    this.channels.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  /** The subscriber connection, created on first use. */
  private connection(): RedisClient {
    if (!this.subscriber) {
      const subscriber = duplicateClient(this.runner.client);
      subscriber.on('message', (channel: string, text: string) => this.dispatch(channel, text));
      // Connection errors are retried by ioredis; without a listener Node would print each one.
      // Stryker disable next-line StringLiteral: only what ioredis prints on a connection error changes
      subscriber.on('error', () => {});
      this.subscriber = subscriber;
    }
    return this.subscriber;
  }

  private dispatch(channel: string, text: string): void {
    deliverToSubscriptions(this.channels.get(channel), text, this.onError);
  }

  private assertOpen(): void {
    // Stryker disable next-line StringLiteral: only the component's name in a CLOSED message; the suites check the code and that a message is there
    if (this.closed) throw closedError('RedisMessageBus');
  }
}
