import { closedError, type SessionStoreError } from '@mcp-session-store/core';
import type pg from 'pg';
import { bounded, toStoreError } from './errors.js';
import { quoteChannel } from './names.js';

/** Options of {@link ListenConnection}. */
export interface ListenConnectionOptions {
  /** A new, unconnected client per call. */
  connect: () => pg.Client;
  /** Bound on connecting and on each LISTEN/UNLISTEN. */
  timeoutMs: number;
  /** Called with every notification of a channel this connection listens on. */
  onNotification: (channel: string, payload: string) => void;
  /**
   * Called once the connection is back after a drop, with every channel listened on again.
   * Notifications sent meanwhile are lost: this is where to catch up on stored data.
   */
  onReconnect?: (() => void) | undefined;
  /** What to call it in error messages. */
  name: string;
}

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;

/**
 * One dedicated connection that LISTENs on a set of channels: opened on first use, reopened (with
 * backoff) after a drop with every channel listened on again. Calls are bounded in time; a call that
 * times out drops the connection, since its state is then unknown.
 */
export class ListenConnection {
  private readonly channels = new Set<string>();
  private client: pg.Client | undefined;
  private opening: Promise<pg.Client> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = MIN_RETRY_MS;
  private lostConnection = false;
  private closed = false;

  constructor(private readonly options: ListenConnectionOptions) {}

  /** True while the connection is open. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Starts listening on `channel`; resolves once notifications on it are delivered. */
  async listen(channel: string): Promise<void> {
    const statement = `LISTEN ${quoteChannel(channel)}`;
    this.channels.add(channel);
    try {
      const client = await this.ensure();
      // Harmless when open() already listened on it: LISTEN is idempotent.
      await this.run(client, statement, 'LISTEN');
    } catch (error) {
      this.channels.delete(channel);
      throw error;
    }
  }

  /** Stops listening on `channel`. Never throws: a lost UNLISTEN only costs ignored notifications. */
  async unlisten(channel: string): Promise<void> {
    if (!this.channels.delete(channel)) return;
    const client = this.client;
    if (client) await this.run(client, `UNLISTEN ${quoteChannel(channel)}`, 'UNLISTEN').catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.channels.clear();
    const client = this.client;
    this.client = undefined;
    if (client) await bounded(client.end(), this.options.timeoutMs, 'close').catch(() => {});
  }

  private ensure(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(closedError(this.options.name));
    if (this.client) return Promise.resolve(this.client);
    if (!this.opening) {
      this.opening = this.open().finally(() => {
        this.opening = undefined;
      });
    }
    return this.opening;
  }

  private async open(): Promise<pg.Client> {
    const client = this.options.connect();
    const lost = () => this.drop(client);
    // Errors of an idle connection come as events: without a listener Node would crash.
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n: pg.Notification) => {
      if (this.client === client) this.options.onNotification(n.channel, n.payload ?? '');
    });
    try {
      await bounded(client.connect(), this.options.timeoutMs, `${this.options.name} connect`);
      if (this.channels.size > 0) {
        const statements = [...this.channels].map((c) => `LISTEN ${quoteChannel(c)}`).join('; ');
        await bounded(client.query(statements), this.options.timeoutMs, `${this.options.name} LISTEN`);
      }
    } catch (error) {
      client.removeListener('end', lost);
      void client.end().catch(() => {});
      if (!this.closed && this.channels.size > 0) this.scheduleReconnect();
      throw toStoreError(error, `${this.options.name} connect`);
    }
    if (this.closed) {
      void client.end().catch(() => {});
      throw closedError(this.options.name);
    }
    this.client = client;
    this.retryMs = MIN_RETRY_MS;
    if (this.lostConnection) {
      this.lostConnection = false;
      this.options.onReconnect?.();
    }
    return client;
  }

  private async run(client: pg.Client, statement: string, what: string): Promise<void> {
    try {
      await bounded(client.query(statement), this.options.timeoutMs, `${this.options.name} ${what}`);
    } catch (error) {
      this.drop(client);
      throw error as SessionStoreError;
    }
  }

  private drop(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.lostConnection = true;
    void client.end().catch(() => {});
    if (!this.closed && this.channels.size > 0) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.retryTimer !== undefined || this.closed) return;
    this.lostConnection = true;
    const delay = this.retryMs;
    this.retryMs = Math.min(delay * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closed || this.client || this.channels.size === 0) return;
      // A failed attempt schedules the next one itself (in open()).
      this.ensure().catch(() => {});
    }, delay);
    this.retryTimer.unref();
  }
}
