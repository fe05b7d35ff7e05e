import type { MessageHandler } from '../contract/message-bus.js';
import { SessionStoreError } from '../errors.js';
import type { JsonValue } from '../json.js';

/** One subscriber of a bus channel: its handler and its own delivery queue. */
export interface BusSubscription {
  /** False once unsubscribed: queued deliveries are then dropped. */
  active: boolean;
  /** Deliveries to this handler, one after the other. */
  queue: Promise<void>;
  readonly handler: MessageHandler;
}

/** A new, active subscription for `handler`. */
export function newBusSubscription(handler: MessageHandler): BusSubscription {
  return { active: true, queue: Promise.resolve(), handler };
}

/**
 * Delivers one message (its JSON text, as it came off the wire) to every subscription of a channel.
 * Each handler gets its own copy and its own queue, so delivery is in order per handler and a slow
 * or failing handler delays or breaks no other. Undecodable text and handler errors are reported
 * through `onError` as `HANDLER_ERROR`.
 *
 * @example
 * ```ts
 * subscriber.on('message', (channel, text) => deliverToSubscriptions(channels.get(channel), text, onError));
 * ```
 */
export function deliverToSubscriptions(
  subscriptions: ReadonlySet<BusSubscription> | undefined,
  text: string,
  onError: ((error: SessionStoreError) => void) | undefined,
): void {
  if (!subscriptions || subscriptions.size === 0) return;
  let payload: JsonValue;
  try {
    payload = JSON.parse(text) as JsonValue;
  } catch (cause) {
    onError?.(new SessionStoreError('HANDLER_ERROR', 'Dropped a bus message that is not JSON', { cause }));
    return;
  }
  for (const subscription of subscriptions) {
    const copy = subscriptions.size > 1 ? (JSON.parse(text) as JsonValue) : payload;
    subscription.queue = subscription.queue.then(async () => {
      if (!subscription.active) return;
      try {
        await subscription.handler(copy);
      } catch (cause) {
        onError?.(new SessionStoreError('HANDLER_ERROR', 'A bus message handler threw', { cause }));
      }
    });
  }
}
