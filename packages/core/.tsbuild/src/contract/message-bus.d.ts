import type { JsonValue } from '../json.js';
import type { MessageBusCapabilities } from './capabilities.js';
/** Largest bus payload every adapter must carry: 1 MiB of JSON text. */
export declare const MAX_BUS_PAYLOAD_BYTES: number;
/** Receives one message. Errors it throws go to the bus's `onError`, never to other subscribers. */
export type MessageHandler = (payload: JsonValue) => void | Promise<void>;
/** Stops a subscription. Idempotent. */
export type Unsubscribe = () => Promise<void>;
/**
 * Routes messages between the processes of one server: a client's answer to the process awaiting it,
 * cancellations to the process running the request, "session closed" to everyone.
 *
 * Delivery guarantee (unless `capabilities.delivery` says more): **at most once**, to the subscribers
 * whose `subscribe()` had resolved when `publish()` was called, **in publish order per publisher**.
 * A message published while nobody listens is lost: where loss matters, the router falls back to
 * the durable event log. Payloads are JSON up to `capabilities.maxPayloadBytes` (at least 1 MiB);
 * larger ones are refused with `PAYLOAD_TOO_LARGE`. Channel names are 1-256 visible ASCII characters.
 *
 * @example
 * ```ts
 * const off = await bus.subscribe(inboxChannel(processId), (msg) => route(msg));
 * await bus.publish(inboxChannel(otherProcessId), { kind: 'answer', id: 7, result: {} });
 * await off();
 * ```
 */
export interface MessageBus {
    readonly capabilities: MessageBusCapabilities;
    /** Sends `payload` to every current subscriber of `channel` on every process. */
    publish(channel: string, payload: JsonValue): Promise<void>;
    /** Calls `handler` for each message on `channel` until the returned function is called. */
    subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe>;
    /** Drops every subscription and releases what the bus created. Later publishes throw `CLOSED`. */
    close(): Promise<void>;
}
/** The channel of one process's inbox: messages meant for that process only. */
export declare function inboxChannel(processId: string): string;
//# sourceMappingURL=message-bus.d.ts.map