import { type JsonValue, type MessageBus, type MessageBusCapabilities, type MessageHandler, SessionStoreError, type Unsubscribe } from '@mcp-session-store/core';
import { MemoryBackend } from './backend.js';
/** Options of {@link MemoryMessageBus}. */
export interface MemoryMessageBusOptions {
    /** Share channels with other buses (see {@link MemoryBackend}). Default: a private backend. */
    backend?: MemoryBackend;
    /** Isolates channels from other namespaces of the same backend. Default `'mcp'`. */
    namespace?: string;
    /** Errors thrown by handlers. Default: none (they are dropped). */
    onError?: (error: SessionStoreError) => void;
}
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
export declare class MemoryMessageBus implements MessageBus {
    readonly capabilities: MessageBusCapabilities;
    private readonly backend;
    private readonly namespace;
    private readonly onError;
    private readonly subscriptions;
    private closed;
    constructor(options?: MemoryMessageBusOptions);
    publish(channel: string, payload: JsonValue): Promise<void>;
    subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe>;
    close(): Promise<void>;
    private channel;
    private assertOpen;
}
//# sourceMappingURL=memory-message-bus.d.ts.map