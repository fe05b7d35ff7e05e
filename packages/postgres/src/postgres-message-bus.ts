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
import type { Pool } from 'pg';
import { type BusStatements, busStatements, INLINE_PAYLOAD_BYTES } from './bus-sql.js';
import { type DedicatedClientOptions, dedicatedClientFactory } from './dedicated-client.js';
import { bounded, toStoreError } from './errors.js';
import { ListenConnection } from './listen-connection.js';
import { PostgresNames, type PostgresNamingOptions } from './names.js';
import { QueryRunner, requirePool, resolveTimeout } from './query-runner.js';

/**
 * Options of {@link PostgresMessageBus}.
 *
 * @example
 * ```ts
 * const options: PostgresMessageBusOptions = { pool, schema: 'mcp', onError: (e) => log.warn(e.message) };
 * ```
 */
export interface PostgresMessageBusOptions extends PostgresNamingOptions, DedicatedClientOptions {
  /** Your `pg.Pool`: publishes go through it. Never ended by the bus. */
  pool: Pool;
  /** Bound on each publish, subscribe and fetch of a stored payload. Default 5000 ms. */
  statementTimeoutMs?: number | undefined;
  /** Errors thrown by handlers (`HANDLER_ERROR`) and messages that could not be received. */
  onError?: ((error: SessionStoreError) => void) | undefined;
}

const CAPABILITIES: MessageBusCapabilities = Object.freeze({
  adapter: '@mcp-session-store/postgres',
  sharedAcrossProcesses: true,
  delivery: 'at-most-once',
  maxPayloadBytes: MAX_BUS_PAYLOAD_BYTES,
});

/**
 * A {@link MessageBus} on PostgreSQL LISTEN/NOTIFY. Subscriptions live on one dedicated connection
 * per bus, reopened and re-LISTENed after a drop. Channel names are hashed into identifiers; the
 * payload is always a bind parameter (`SELECT pg_notify($1, $2)`). Payloads over the NOTIFY limit
 * are stored in a table and the notification carries the row id. Publishes of one bus are sent one
 * after another, so each publisher's order holds even when they are not awaited. At most once.
 *
 * @example
 * ```ts
 * const bus = new PostgresMessageBus({ pool });
 * const off = await bus.subscribe(inboxChannel('pod-1'), (msg) => route(msg));
 * await bus.publish(inboxChannel('pod-1'), { kind: 'answer' });
 * ```
 */
export class PostgresMessageBus implements MessageBus {
  readonly capabilities = CAPABILITIES;
  /** The validated table names this bus uses. */
  readonly names: PostgresNames;
  private readonly runner: QueryRunner;
  private readonly sql: BusStatements;
  private readonly timeoutMs: number;
  private readonly onError: PostgresMessageBusOptions['onError'];
  private readonly listener: ListenConnection;
  private readonly channels = new Map<string, Set<BusSubscription>>();
  /** LISTENs not confirmed yet, by channel. */
  private readonly pending = new Map<string, Promise<void>>();
  /** The last publish sent: the next one waits for it, which keeps publish order. */
  private outbound: Promise<unknown> = Promise.resolve();
  /** The last message received: delivery waits for it, so fetched payloads keep arrival order. */
  private inbound: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(options: PostgresMessageBusOptions) {
    const pool = requirePool(options?.pool);
    this.timeoutMs = resolveTimeout(options.statementTimeoutMs);
    this.names = new PostgresNames(options);
    this.runner = new QueryRunner(pool, this.timeoutMs);
    this.sql = busStatements(this.names);
    this.onError = options.onError;
    this.listener = new ListenConnection({
      name: 'PostgresMessageBus listener',
      connect: dedicatedClientFactory(pool, options, this.timeoutMs),
      timeoutMs: this.timeoutMs,
      onNotification: (channel, payload) => this.receive(channel, payload),
    });
  }

  async publish(channel: string, payload: JsonValue): Promise<void> {
    this.assertOpen();
    assertValidChannel(channel);
    const text = assertBusPayload(payload, this.capabilities.maxPayloadBytes);
    const name = this.names.busChannel(channel);
    const inline = Buffer.byteLength(text, 'utf8') + 2 <= INLINE_PAYLOAD_BYTES;
    const send = this.outbound.then(() =>
      inline
        ? this.runner.query('bus publish', this.sql.notify, [name, `i:${text}`])
        : this.runner.query('bus publish (stored payload)', this.sql.notifyStored, [name, text]),
    );
    this.outbound = send.catch(() => {});
    // Bounded from the call, not from its turn: a queue behind a slow publish never waits longer.
    await bounded(send, this.timeoutMs, 'bus publish');
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe> {
    this.assertOpen();
    assertValidChannel(channel);
    if (typeof handler !== 'function') {
      throw new SessionStoreError('INVALID_ARGUMENT', 'handler must be a function');
    }
    const name = this.names.busChannel(channel);
    const subscription = newBusSubscription(handler);
    let subscriptions = this.channels.get(name);
    if (!subscriptions) {
      subscriptions = new Set();
      this.channels.set(name, subscriptions);
      const confirmed = this.listener.listen(name);
      this.pending.set(name, confirmed);
      try {
        await confirmed;
      } catch (error) {
        if (this.channels.get(name) === subscriptions && subscriptions.size === 0) this.channels.delete(name);
        throw error;
      } finally {
        this.pending.delete(name);
      }
    } else {
      // Another subscribe of this channel may still wait for its LISTEN: resolve only once it is live.
      await this.pending.get(name);
    }
    this.assertOpen();
    subscriptions.add(subscription);
    return async () => {
      if (!subscription.active) return;
      subscription.active = false;
      subscriptions.delete(subscription);
      if (subscriptions.size === 0 && this.channels.get(name) === subscriptions) {
        this.channels.delete(name);
        if (!this.closed) await this.listener.unlisten(name);
      }
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const subscriptions of this.channels.values()) for (const s of subscriptions) s.active = false;
    this.channels.clear();
    await this.listener.close();
  }

  private receive(channel: string, raw: string): void {
    if (!this.channels.has(channel)) return;
    // Stored payloads are fetched at once (concurrently), but delivered in arrival order.
    const text = raw.startsWith('i:')
      ? Promise.resolve(raw.slice(2))
      : raw.startsWith('r:')
        ? this.fetch(raw.slice(2))
        : Promise.reject(
            new SessionStoreError('HANDLER_ERROR', 'Dropped a bus notification of unknown form'),
          );
    text.catch(() => {});
    this.inbound = this.inbound.then(async () => {
      try {
        this.dispatch(channel, await text);
      } catch (error) {
        this.onError?.(toStoreError(error, 'bus receive'));
      }
    });
  }

  private async fetch(id: string): Promise<string> {
    if (!/^[1-9]\d{0,18}$/.test(id))
      throw new SessionStoreError('HANDLER_ERROR', 'Malformed stored payload id');
    const { rows } = await this.runner.query<{ payload: string }>(
      'bus fetch stored payload',
      this.sql.fetch,
      [id],
    );
    const payload = rows[0]?.payload;
    if (payload === undefined) {
      throw new SessionStoreError('BACKEND_ERROR', 'A stored bus payload was gone before it was read');
    }
    return payload;
  }

  private dispatch(channel: string, text: string): void {
    deliverToSubscriptions(this.channels.get(channel), text, this.onError);
  }

  private assertOpen(): void {
    if (this.closed) throw closedError('PostgresMessageBus');
  }
}
